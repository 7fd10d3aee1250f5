"""Artifact versions saved, loaded and described by name, outside the declared outputs of a step
(``waypost.save_artifact``, ``load_artifact``, ``log_artifact_metadata``).

Saving writes the files the way a step's output is written (:func:`waypost.artifacts.io.save_artifact`:
materializer, visualizations, atomic commit). Outside a step the version is registered at once, produced
by no run. Inside a step it is held until the step ends and registered with the step's outputs, as an
output of the step run named after the artifact: a failed step registers none of it (see
:func:`take_pending`, which the step runner calls).
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from waypost.artifacts.io import content_digest, save_artifact
from waypost.artifacts.materializers.base import Materializer, type_name
from waypost.artifacts.materializers.registered_paths import PathMaterializer
from waypost.artifacts.materializers.registry import MaterializerRegistry
from waypost.exceptions import MaterializerError, NotFoundError, ParameterError
from waypost.execution import loading, runtime
from waypost.execution.context import StepContext, current
from waypost.execution.metadata import entries_for
from waypost.schemas import ArtifactVersionCreate, ArtifactVersionRead
from waypost.store import Store

__all__ = [
    "PendingArtifact",
    "find_version",
    "load",
    "log_on_artifact",
    "logged_metadata",
    "register",
    "save",
    "take_pending",
]

#: The metadata key a version's name (``version=...``) is recorded under.
VERSION_NAME = "version_name"


@dataclass
class PendingArtifact:
    """A version saved inside a step, registered when the step succeeds."""

    created: ArtifactVersionCreate
    role: str | None
    metadata: dict[str, Any] = field(default_factory=dict)


_pending: dict[uuid.UUID, list[PendingArtifact]] = {}
_lock = threading.Lock()


def take_pending(step_run_id: uuid.UUID) -> list[PendingArtifact]:
    """The versions the step run saved with ``save_artifact`` (removed from the queue)."""
    with _lock:
        return _pending.pop(step_run_id, [])


def _metadata(
    user_metadata: dict[str, Any] | None, version: int | str | None, artifact_type: str | None
) -> dict[str, Any]:
    values = dict(user_metadata or {})
    if version is not None:
        values.setdefault(VERSION_NAME, str(version))
    if artifact_type is not None:
        values.setdefault("artifact_type", artifact_type)
    entries_for(values)  # refuse what cannot be stored before anything is written
    return values


def save(
    data: Any,
    name: str,
    *,
    version: int | str | None,
    tags: list[str] | None,
    extract_metadata: bool,
    include_visualizations: bool,
    user_metadata: dict[str, Any] | None,
    role: str | None,
    artifact_type: str | None,
) -> ArtifactVersionRead:
    """See :func:`waypost.save_artifact`."""
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("save_artifact(data, name) needs a non-empty artifact name, e.g. 'iris_dataset'.")
    if isinstance(tags, str):
        raise ParameterError('save_artifact(tags=...) takes a list of strings, e.g. tags=["raw"].')
    values = _metadata(user_metadata, version, artifact_type)
    ctx = current()
    rt = runtime.current()
    store = ctx.store if ctx is not None else rt.store
    if ctx is not None:
        if name in {o.name for o in ctx.step.outputs}:
            raise ParameterError(
                f"Step '{ctx.step.name}' has an output '{name}'; "
                "give save_artifact() another name, or return the value."
            )
        files, prefix = ctx.artifact_store, rt.artifact_prefix(ctx.run.project_id)
    else:
        project_of = getattr(store, "project_id", None)
        files = rt.artifact_store
        prefix = rt.artifact_prefix(project_of() if callable(project_of) else None)
    created = save_artifact(files, data, name=name, version_id=uuid.uuid4(), registry=rt.registry, prefix=prefix)
    update: dict[str, Any] = {"tags": list(dict.fromkeys(tags or []))}
    if not include_visualizations:
        update["visualizations"] = []
    if not extract_metadata:
        update["meta"] = {k: v for k, v in created.meta.items() if k == "visualization_errors"}
    created = created.model_copy(update=update)
    if extract_metadata:
        values = {**logged_metadata(rt.registry, created), **values}
    if ctx is not None:
        return _hold(ctx, created, role, values)
    av = store.artifacts.register([created])[0]
    if values:
        store.metadata.add(entries_for(values, artifact_version_id=av.id))
    return av


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def register(
    folder_or_file_uri: str | os.PathLike[str],
    name: str,
    *,
    version: int | str | None,
    tags: list[str] | None,
    user_metadata: dict[str, Any] | None,
    artifact_type: str | None,
    materializer: Any,
) -> ArtifactVersionRead:
    """See :func:`waypost.register_artifact`."""
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("register_artifact(uri, name) needs a non-empty artifact name, e.g. 'raw_images'.")
    if isinstance(tags, str):
        raise ParameterError('register_artifact(tags=...) takes a list of strings, e.g. tags=["raw"].')
    values = _metadata(user_metadata, version, artifact_type)
    rt = runtime.current()
    ctx = current()
    store = ctx.store if ctx is not None else rt.store
    files = ctx.artifact_store if ctx is not None else rt.artifact_store
    uri = os.fspath(folder_or_file_uri)
    if not _URI.match(uri) and files.is_local:
        uri = os.path.abspath(uri)
    uri = uri.rstrip("/") or uri
    if not files.contains(uri) or uri.rstrip("/") == files.root.rstrip("/"):
        raise ParameterError(
            f"'{uri}' is not inside the artifact store '{files.uri}'; move it under '{files.uri}' and "
            "register it there, or save a copy with save_artifact()."
        )
    if not files.exists(uri):
        raise ParameterError(f"Nothing is at '{uri}'; register a file or folder that exists in the artifact store.")
    chosen = _registered_materializer(rt, materializer)
    with files.open_dir(uri) as local:
        size, digest = content_digest(local)
    created = ArtifactVersionCreate(
        id=uuid.uuid4(),
        name=name,
        uri=uri,
        data_type=type_name(Path) if chosen is PathMaterializer else (chosen.ASSOCIATED_TYPES or ("typing.Any",))[0],
        materializer=type_name(chosen),
        materializer_version=chosen.VERSION,
        size=size,
        content_hash=digest,
        visualizations=[],
        meta={"registered": True},
        tags=list(dict.fromkeys(tags or [])),
    )
    av = store.artifacts.register([created])[0]
    if values:
        store.metadata.add(entries_for(values, artifact_version_id=av.id))
    return av


def _registered_materializer(rt: runtime.Runtime, materializer: Any) -> type[Materializer]:
    """The materializer a registered version loads with: ``PathMaterializer`` unless one is named."""
    if materializer is None:
        return PathMaterializer
    if isinstance(materializer, str):
        return rt.registry.load_class(materializer)
    found = getattr(materializer, "__waypost_materializer__", materializer)
    if not (isinstance(found, type) and issubclass(found, Materializer)):
        raise ParameterError(
            f"register_artifact(artifact_materializer={materializer!r}) is not a materializer; pass a "
            "Materializer or BaseMaterializer subclass, or its 'module.Class' path."
        )
    rt.registry.remember(found)
    return found


def logged_metadata(registry: MaterializerRegistry, created: ArtifactVersionCreate) -> dict[str, Any]:
    """The materializer's metadata of ``created`` to log as the version's metadata: only from a materializer
    with ``LOG_METADATA`` (a ZenML-style ``BaseMaterializer``'s ``extract_metadata``); else none."""
    try:
        chosen = registry.resolve(created.materializer)
    except MaterializerError:
        return {}
    if not chosen.LOG_METADATA:
        return {}
    return {k: v for k, v in created.meta.items() if k != "visualization_errors"}


def _hold(
    ctx: StepContext, created: ArtifactVersionCreate, role: str | None, values: dict[str, Any]
) -> ArtifactVersionRead:
    with _lock:
        held = _pending.setdefault(ctx.step_run_id, [])
        if any(p.created.name == created.name for p in held):
            ctx.artifact_store.remove(created.uri)
            raise ParameterError(
                f"Step '{ctx.step.name}' saves artifact '{created.name}' twice; save each value under its own name."
            )
        held.append(PendingArtifact(created, role, values))
    # Numbered when the step ends (with its outputs): until then the number reads 0.
    return ArtifactVersionRead.model_construct(
        id=created.id,
        artifact_id=uuid.UUID(int=0),
        name=created.name,
        version=0,
        uri=created.uri,
        data_type=created.data_type,
        materializer=created.materializer,
        materializer_version=created.materializer_version,
        size=created.size,
        content_hash=created.content_hash,
        visualizations=created.visualizations,
        producer_step_run_id=ctx.step_run_id,
        producer_run_id=ctx.run.id,
        created_at=datetime.now(UTC),
        tags=list(created.tags),
    )


def find_version(store: Store, name_or_id: str | uuid.UUID, version: int | str | None = None) -> ArtifactVersionRead:
    """The version ``name_or_id`` names (newest of a name), or its version ``version``: a number, or the
    name given with ``version=`` when it was saved.

    Raises:
        NotFoundError: no such artifact or version (one line naming how to list them).
    """
    ref = str(name_or_id)
    try:
        if version is None:
            return store.artifacts.get_version(ref)
        if isinstance(version, int) or str(version).isdigit():
            return store.artifacts.get_version(f"{ref}:{int(version)}")
    except NotFoundError:
        shown = ref if version is None else f"{ref}' version '{version}"
        raise NotFoundError(
            f"No artifact '{shown}' exists; check the name with `waypost artifacts list`, or save it first "
            "with save_artifact(value, name)."
        ) from None
    text = str(version).replace('"', "")
    found = store.artifacts.list_versions(
        f'name:"{ref}" metadata.{VERSION_NAME}:"{text}"', sort="-version", size=1
    ).items
    if not found:
        raise NotFoundError(
            f"Artifact '{ref}' has no version named '{version}'; check its versions with "
            f"`waypost artifacts versions {ref}`, or pass the version's number."
        )
    return store.artifacts.get_version(found[0].id)


def load(name_or_id: str | uuid.UUID, version: int | str | None = None) -> Any:
    """See :func:`waypost.load_artifact`."""
    rt = runtime.current()
    ctx = current()
    av = find_version(ctx.store if ctx is not None else rt.store, name_or_id, version)
    return loading.load_version(rt, av)


def log_on_artifact(metadata: dict[str, Any], artifact_name: str | None, artifact_version: int | str | None) -> None:
    """See :func:`waypost.log_artifact_metadata`."""
    from waypost.execution.metadata import log_metadata

    ctx = current()
    if ctx is not None and artifact_version is None:
        outputs = {o.name for o in ctx.step.outputs} | {o.artifact_name for o in ctx.step.outputs if o.artifact_name}
        if artifact_name is None or artifact_name in outputs:
            log_metadata(metadata, artifact_name=artifact_name, infer_artifact=artifact_name is None)
            return
        with _lock:
            held = [p for p in _pending.get(ctx.step_run_id, []) if p.created.name == artifact_name]
        if held:
            entries_for(metadata)
            held[0].metadata.update(metadata)
            return
    if artifact_name is None:
        raise ParameterError(
            "log_artifact_metadata() outside a step needs artifact_name=; name the artifact to describe."
        )
    store = ctx.store if ctx is not None else runtime.current().store
    av = find_version(store, artifact_name, artifact_version)
    store.metadata.add(entries_for(metadata, run_id=av.producer_run_id, artifact_version_id=av.id))
