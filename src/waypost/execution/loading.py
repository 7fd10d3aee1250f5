"""Loading an artifact version's value in this process: which store holds its files, whether its
producer is trusted, then its materializer. The Client and ``Model.load_artifact`` both load so."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Protocol, cast

from waypost.artifacts.io import load_artifact
from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import WaypostError
from waypost.execution.artifact_trust import load_guard
from waypost.execution.runtime import Runtime
from waypost.schemas import ArtifactVersionRead

if TYPE_CHECKING:  # a run on the default stack never loads users' schemas or the locator
    from waypost.schemas.users import UserRead

__all__ = ["files_for", "load_version", "loader_id"]


class _KnowsItsUser(Protocol):
    current_user: UserRead


def loader_id(rt: Runtime) -> uuid.UUID | None:
    """Who loads: the server's user for a server store; None for a local database (its runs have none)."""
    if rt.store.capabilities.local_database:
        return None
    return cast(_KnowsItsUser, rt.store).current_user.id


def files_for(rt: Runtime, uri: str) -> ArtifactStore:
    """The artifact store holding ``uri``: the configured one, else (a local database) the artifact store
    component of a stack whose root holds it, opened with its secrets (see :mod:`waypost.artifacts.locate`).

    Raises:
        ArtifactStoreError: No store known here holds it (one line naming it and the store to configure).
    """
    files = rt.artifact_store
    if files.contains(uri):
        return files
    from waypost.artifacts import locate  # only for files outside the configured store

    stacks = getattr(rt.store, "stacks", None) if rt.store.capabilities.local_database else None
    return locate.locator(files, stacks).store_for(uri)


def load_version(rt: Runtime, av: ArtifactVersionRead, *, allow_unsafe: bool = False) -> Any:
    """The value of ``av``; pickles of producers not trusted refuse to load unless ``allow_unsafe``."""
    guard = load_guard(rt.store, av, loader_id=loader_id(rt), settings=rt.settings.artifacts, allow_unsafe=allow_unsafe)
    files = files_for(rt, av.uri)
    try:
        return load_artifact(
            files, uri=av.uri, materializer=av.materializer, data_type=av.data_type, registry=rt.registry, guard=guard
        )
    except WaypostError:
        raise
    except Exception as exc:  # a remote store that did not answer (botocore, aiohttp): one line
        if files.is_local:
            raise
        from waypost.artifacts import locate

        raise locate.unreadable(files.uri, exc, locate.secrets_of(files)) from None
