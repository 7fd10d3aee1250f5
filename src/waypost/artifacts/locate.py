"""Which artifact store holds a URI: the default one, or the artifact store component of a stack.

A run on a stack writes its artifact files and step logs to the stack's artifact store (a
folder, an S3 bucket, any fsspec URL); the records keep the URIs. Whoever reads them back — the
server's dashboard API, :meth:`waypost.client.Client.load_artifact`, a later run's steps — asks
an :class:`ArtifactLocator`:

1. the default store (the settings' or the server's) when it contains the URI: no query, no import;
2. else the ``artifact_store`` components of the workspaces given (every workspace when none are):
   the one whose root (``local`` ``path``, ``s3`` ``path``, ``fsspec`` ``uri``) is the longest
   prefix of the URI. Its config is resolved (``{{secret.NAME.KEY}}`` references and its
   connector's credentials, through the metadata store's stack repository) and the store is
   opened once per (component id, updated_at) and resolved options;
3. else an :class:`~waypost.exceptions.ArtifactStoreError` naming the URI and the store to configure.

Layering: this module is in the artifacts layer, which the store, execution, client and server
layers may all import; it reaches the stack repository only through :class:`ComponentSource`
(duck typing), never by importing the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import ArtifactStoreError, NotFoundError, ParameterError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from waypost.schemas.common import Page
    from waypost.schemas.stacks import ComponentRead
    from waypost.stacks.flavors import ConnectorCredentials, Flavor

__all__ = [
    "ArtifactLocator",
    "ComponentSource",
    "OutsideStoresError",
    "component_root",
    "locator",
    "secrets_of",
    "unreadable",
]

#: s3fs client settings for reading back: a dead endpoint fails in seconds, not minutes.
_S3_READ_CONFIG = {"connect_timeout": 5, "read_timeout": 60, "retries": {"max_attempts": 2, "mode": "standard"}}
#: Option names whose values are no secret (kept in messages).
_PLAIN_OPTIONS = frozenset({"endpoint_url", "client_kwargs", "config_kwargs", "region", "region_name"})

Workspaces = uuid.UUID | Sequence[uuid.UUID] | Callable[[], "uuid.UUID | Sequence[uuid.UUID] | None"] | None


class ComponentSource(Protocol):
    """What the locator needs of a stack repository (``SqlStore.stacks``)."""

    def list_components(
        self, workspace_id: Any = None, *, type: Any = None, page: int = 1, size: int = 50
    ) -> Page[ComponentRead]: ...

    def resolve_component(
        self, ref: Any, *, type: Any = None, workspace_id: Any = None
    ) -> tuple[type[Flavor], BaseModel, ConnectorCredentials | None]: ...


class OutsideStoresError(ArtifactStoreError):
    """No store known here holds a URI (neither the default one nor any artifact store component)."""


@dataclass(frozen=True)
class _Opened:
    fingerprint: str
    store: ArtifactStore
    secrets: tuple[str, ...]


class ArtifactLocator:
    """Maps a URI read from the metadata store to the :class:`ArtifactStore` that holds it."""

    def __init__(self, default: ArtifactStore, stacks: ComponentSource | None = None) -> None:
        self.default = default
        self.stacks = stacks
        self._opened: dict[tuple[uuid.UUID, str], _Opened] = {}
        self._lock = threading.Lock()

    def store_for(self, uri: str, workspaces: Workspaces = None) -> ArtifactStore:
        """The store holding ``uri``: the default one when it contains it, else a component's (see the module).

        ``workspaces``: the workspace(s) whose components may hold it (a callable is asked only
        when the default store does not hold it); None: every workspace.

        Raises:
            ArtifactStoreError: no store holds it, or the component that does cannot be opened.
        """
        if self.default.contains(uri):
            return self.default
        if self.stacks is None:
            raise _outside(uri, self.default)
        wanted = workspaces() if callable(workspaces) else workspaces
        ids = [wanted] if isinstance(wanted, uuid.UUID) else (list(wanted) if wanted is not None else None)
        best: tuple[int, ComponentRead] | None = None
        for component in self._components(ids):
            root = component_root(component.flavor, component.config)
            if root is not None and _within(uri, root) and (best is None or len(root) > best[0]):
                best = (len(root), component)
        if best is None:
            raise _outside(uri, self.default)
        return self._open(best[1], uri)

    def _components(self, ids: list[uuid.UUID] | None) -> Iterable[ComponentRead]:
        assert self.stacks is not None
        if ids is not None and not ids:
            return
        where: Any = ids[0] if ids is not None and len(ids) == 1 else ids
        page = 1
        while True:
            found = self.stacks.list_components(where, type="artifact_store", page=page, size=1000)
            yield from found.items
            if page * 1000 >= found.total or not found.items:
                return
            page += 1

    def _open(self, component: ComponentRead, uri: str) -> ArtifactStore:
        assert self.stacks is not None
        try:
            flavor, config, credentials = self.stacks.resolve_component(
                component.id, type="artifact_store", workspace_id=component.workspace_id
            )
        except (ParameterError, NotFoundError) as exc:
            raise ArtifactStoreError(
                f"The artifact store '{component.name}' holds '{uri}' but cannot be opened here: {exc}"
            ) from None
        where, options, secrets = _location(flavor.name, config, credentials)
        if where is None:  # a local component without a path is the settings' store, which missed
            raise _outside(uri, self.default)
        fingerprint = hashlib.sha256(json.dumps([where, options], sort_keys=True, default=str).encode()).hexdigest()
        key = (component.id, str(component.updated_at))
        with self._lock:
            known = self._opened.get(key)
        if known is not None and known.fingerprint == fingerprint:
            return known.store
        try:
            opened = ArtifactStore(where, **options)
        except Exception as exc:  # fsspec, s3fs: the one-line reason, secrets masked
            raise unreadable(where, exc, secrets) from None
        with self._lock:
            self._opened = {k: v for k, v in self._opened.items() if k[0] != component.id}
            self._opened[key] = _Opened(fingerprint, opened, secrets)
            _secrets[opened] = secrets
        return opened


_secrets: weakref.WeakKeyDictionary[ArtifactStore, tuple[str, ...]] = weakref.WeakKeyDictionary()
_locators: weakref.WeakKeyDictionary[ArtifactStore, ArtifactLocator] = weakref.WeakKeyDictionary()
_locators_lock = threading.Lock()


def locator(default: ArtifactStore, stacks: ComponentSource | None = None) -> ArtifactLocator:
    """The locator of ``default`` (one per default store and stack repository, kept while the store lives)."""
    with _locators_lock:
        found = _locators.get(default)
        if found is None or found.stacks is not stacks:
            found = _locators[default] = ArtifactLocator(default, stacks)
        return found


def secrets_of(store: ArtifactStore) -> tuple[str, ...]:
    """The secret values a component's store was opened with (to keep them out of messages)."""
    return _secrets.get(store, ())


def component_root(flavor: str, config: dict[str, Any]) -> str | None:
    """The root an artifact store component's files lie under, as the records' URIs spell it.

    ``s3://bucket/prefix`` → ``bucket/prefix``; an fsspec URL as its filesystem strips it; a local
    path normalized. None for a local component without a path (the settings' store).
    """
    if flavor == "local":
        path = config.get("path")
        if not isinstance(path, str) or not path:
            return None
        return os.path.normpath(path.removeprefix("file://"))
    if flavor == "s3":
        path = config.get("path")
        if not isinstance(path, str):
            return None
        return path.removeprefix("s3://").rstrip("/") or None
    if flavor == "fsspec":
        target = config.get("uri")
        return _strip(target) if isinstance(target, str) and target and "::" not in target else None
    return None


def unreadable(where: str, exc: BaseException, secrets: Iterable[str] | None = None) -> ArtifactStoreError:
    """The one-line error for a store that failed to answer (unreachable, refused credentials).

    ``secrets``: values to mask (default: those the store at ``where`` was opened with, if known).
    """
    from waypost.stacks.references import mask_text

    if secrets is None:
        secrets = [v for store, values in list(_secrets.items()) if store.uri == where for v in values]

    cause = exc.__cause__ if isinstance(exc, ArtifactStoreError) and exc.__cause__ else exc
    text = " ".join(str(cause).split()).rstrip(".") or type(cause).__name__
    text = mask_text(text, secrets)[:300]
    return ArtifactStoreError(
        f"The artifact store {where} cannot be read ({type(cause).__name__}: {text}); "
        "check that it is reachable and its credentials are valid."
    )


# -- internals ----------------------------------------------------------------------------------


def _outside(uri: str, default: ArtifactStore) -> OutsideStoresError:
    return OutsideStoresError(
        f"Artifact files at '{uri[:300]}' lie outside the artifact store ({default.uri}) and every artifact "
        "store component of their workspace; point WAYPOST_ARTIFACT_STORE__URI at the store that holds them, "
        "or register it as an artifact store component."
    )


def _within(uri: str, root: str) -> bool:
    """Whether ``uri`` is ``root`` or lies under it (no ``..`` segment; local paths normalized)."""
    if "://" in uri:
        uri = _strip(uri)
    if root.startswith("/"):
        uri = posixpath.normpath(uri)
    elif ".." in uri.split("/"):
        return False
    root = root.rstrip("/")
    return uri == root or uri.startswith(root + "/")


def _strip(target: str) -> str:
    """An fsspec URL as its filesystem names paths (``gcs://b/p`` → ``b/p``; a local path normalized)."""
    protocol, _, rest = target.partition("://")
    if not rest:
        return os.path.normpath(target)
    if protocol in ("file", "local"):
        return os.path.normpath(rest)
    try:
        from fsspec.registry import get_filesystem_class

        stripped = get_filesystem_class(protocol)._strip_protocol(target)
    except Exception:  # not installed here, or unknown: the URL without its scheme
        stripped = rest
    return str(stripped).rstrip("/") or "/"


def component_location(
    flavor: str, config: BaseModel, credentials: ConnectorCredentials | None
) -> tuple[str | None, dict[str, Any]] | None:
    """Where an artifact store component's files lie and the fsspec options to reach them.

    The location is None for a ``local`` component without a path (the settings' store); the
    whole answer is None for a flavor whose files Waypost cannot reach (only local, s3, fsspec).
    The one mapping runs (writing) and the locator (reading) both use.
    """
    values = config.model_dump()
    if flavor == "local":
        path = values.get("path")
        return (str(path), {}) if path else (None, {})
    if flavor == "s3":
        from waypost.stacks.builtin.artifact_stores import storage_options

        return str(values["path"]), storage_options(config, credentials)  # type: ignore[arg-type]
    if flavor == "fsspec":
        return str(values["uri"]), dict(values.get("storage_options") or {})
    return None


def _location(
    flavor: str, config: BaseModel, credentials: ConnectorCredentials | None
) -> tuple[str | None, dict[str, Any], tuple[str, ...]]:
    """Where a component's files lie, the fsspec options to read them, and the secret values among them."""
    found = component_location(flavor, config, credentials)
    if found is None:
        raise ArtifactStoreError(
            f"Artifact store components of flavor '{flavor}' cannot be read back yet; use local, s3 or fsspec."
        )
    where, options = found
    if flavor == "s3":
        options.setdefault("config_kwargs", _S3_READ_CONFIG)
    return where, options, (() if flavor == "local" else _secret_values(options, credentials))


def _secret_values(options: dict[str, Any], credentials: ConnectorCredentials | None) -> tuple[str, ...]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for name, value in options.items():
        if name not in _PLAIN_OPTIONS:
            walk(value)
    if credentials is not None:
        walk({k: v for k, v in credentials.values.items() if k not in _PLAIN_OPTIONS})
    return tuple(v for v in found if len(v) >= 4)
