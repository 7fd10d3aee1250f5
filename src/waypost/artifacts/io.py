"""Saving a value as an artifact version, and loading one back.

:func:`save_artifact` picks a materializer, writes its files into a staging folder, adds
visualizations, sizes and hashes the files, and publishes the folder atomically: either the
whole version appears at its URI or nothing does.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from waypost.artifacts.materializers.base import VIZ_DIR, Materializer, type_name
from waypost.artifacts.materializers.pickle_fallback import (
    PickleFallbackWarning,
    PickleMaterializer,
    fallback_warning_message,
)
from waypost.artifacts.materializers.registry import (
    MaterializerRegistry,
    unsupported_message,
)
from waypost.artifacts.store import ArtifactStore
from waypost.artifacts.trust import guarded
from waypost.artifacts.visualizations import json_safe
from waypost.exceptions import ArtifactStoreError, MaterializerError
from waypost.schemas.artifacts import ArtifactVersionCreate, VisualizationRef

__all__ = ["content_digest", "load_artifact", "save_artifact"]

_BLOCK = 1 << 20
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def save_artifact(
    store: ArtifactStore,
    value: Any,
    *,
    name: str,
    version_id: uuid.UUID,
    registry: MaterializerRegistry,
    materializer: type[Materializer] | None = None,
    prefix: str = "",
    extract_metadata: bool = True,
    include_visualizations: bool = True,
) -> ArtifactVersionCreate:
    """Store ``value`` as version ``version_id`` of artifact ``name`` and describe it.

    Args:
        store: Where the files go; they appear at ``store.artifact_uri(name, version_id, prefix)``
            all at once, or not at all when anything fails.
        value: The value to save.
        name: The artifact (output) name, used in the URI and in error messages.
        version_id: The new version's id.
        registry: Chooses the materializer when ``materializer`` is not given.
        materializer: Use this materializer instead of asking the registry.
        prefix: The artifact prefix of the workspace the version is recorded in ("" for the
            default workspace: the store's root).
        extract_metadata: False: the materializer's ``extract_metadata`` is not called (``meta`` is empty).
        include_visualizations: False: no visualization is made or saved.

    Returns:
        The version to register: URI, qualified ``data_type``, materializer (``module.Class``)
        and its ``VERSION``, ``size`` and ``content_hash`` of the files outside ``_viz/``,
        visualizations, and ``meta`` (the materializer's metadata, plus
        ``visualization_errors`` when a visualization failed; that never fails the save).

    Raises:
        MaterializerError: No materializer can save ``value``, or the chosen one failed.
        ArtifactStoreError: The store cannot be written.

    Warns:
        PickleFallbackWarning: The registry fell back to cloudpickle for ``value``.
    """
    if materializer is not None:
        registry.remember(materializer)  # so that what it saves loads back by name
    chosen = materializer or registry.for_value(value, output=name)
    data_type = type_name(type(value))
    uri = store.artifact_uri(name, version_id, prefix)
    instance = chosen()
    with store.staging_dir() as folder:
        try:
            instance.save(value, folder)
        except (MaterializerError, ArtifactStoreError):
            raise
        except Exception as exc:
            raise _save_error(exc, chosen, registry, data_type, name, store) from exc
        if materializer is None and chosen is registry.fallback and issubclass(chosen, PickleMaterializer):
            warnings.warn(fallback_warning_message(data_type), PickleFallbackWarning, stacklevel=2)
        meta = _metadata(instance, value) if extract_metadata else {}
        refs, errors = _visualize(instance, value, folder) if include_visualizations else ([], [])
        if errors:
            meta["visualization_errors"] = errors
        size, digest = content_digest(folder)
        store.commit_dir(folder, uri)
    return ArtifactVersionCreate(
        id=version_id,
        name=name,
        uri=uri,
        data_type=data_type,
        materializer=type_name(chosen),
        materializer_version=chosen.VERSION,
        size=size,
        content_hash=digest,
        visualizations=refs,
        meta=meta,
    )


def load_artifact(
    store: ArtifactStore,
    *,
    uri: str,
    materializer: str | type[Materializer],
    data_type: str,
    registry: MaterializerRegistry,
    guard: Callable[[], None] | None = None,
) -> Any:
    """Load the value saved at ``uri`` by ``materializer`` (its class, or its stored ``module.Class``).

    Args:
        store: Where the files are.
        uri: The version's folder.
        materializer: The class, or the name the version records, which is looked up in
            ``registry`` and never imported.
        data_type: The qualified type name the version records.
        registry: Resolves a materializer name.
        guard: Asked before anything is unpickled (see :mod:`waypost.artifacts.trust`);
            ``None`` trusts the files, for callers loading what they wrote themselves.

    Raises:
        ArtifactStoreError: The files are missing or incomplete.
        UntrustedArtifactError: ``guard`` refused to unpickle them.
        MaterializerError: The materializer is not registered or fails to read them.
    """
    if isinstance(materializer, str):
        materializer = registry.resolve(materializer)
    label = type_name(materializer)
    if guard is not None and materializer.UNSAFE_LOAD:
        guard()  # before the files are fetched
    with store.open_dir(uri) as folder, guarded(guard):
        try:
            return materializer().load(folder, data_type)
        except (MaterializerError, ArtifactStoreError):
            raise
        except FileNotFoundError as exc:
            missing = f"{Path(exc.filename).name} is missing" if exc.filename else _brief(exc)
            raise ArtifactStoreError(
                f"Artifact files at '{uri}' are incomplete ({missing}); re-run the "
                "producing step with caching disabled to recreate them."
            ) from exc
        except Exception as exc:
            raise MaterializerError(
                f"Materializer '{label}' could not load the artifact at '{uri}' as '{data_type}' "
                f"({_brief(exc)}); install the libraries it needs, or fix the materializer."
            ) from exc


def content_digest(folder: Path) -> tuple[int, str]:
    """Total bytes and sha256 of the files under ``folder``, leaving out its ``_viz/``.

    The hash covers each file's relative path, size and bytes in sorted path order, so
    equal contents hash equal wherever and whenever they were written. ``folder`` may be a
    single file (one registered in place): it hashes as a folder holding only that file.
    """
    files: list[tuple[str, str]] = [(folder.name, str(folder))] if folder.is_file() else []
    top = str(folder)
    for root, subfolders, names in os.walk(top):
        if root == top and VIZ_DIR in subfolders:
            subfolders.remove(VIZ_DIR)
        for file_name in names:
            full = os.path.join(root, file_name)
            files.append((os.path.relpath(full, top).replace(os.sep, "/"), full))
    files.sort()
    digest = hashlib.sha256()
    total = 0
    buffer: bytearray | None = None  # allocated for the first file bigger than one block
    for relative, full in files:
        with open(full, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            digest.update(f"{relative}\0{size}\0".encode("utf-8", "surrogateescape"))
            if size <= _BLOCK:
                digest.update(fh.read())
            else:
                buffer = buffer or bytearray(_BLOCK)
                view = memoryview(buffer)
                while read := fh.readinto(buffer):
                    digest.update(view[:read])
        total += size
    return total, digest.hexdigest()


def _save_error(
    exc: Exception,
    chosen: type[Materializer],
    registry: MaterializerRegistry,
    data_type: str,
    name: str,
    store: ArtifactStore,
) -> Exception:
    if isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS:
        return ArtifactStoreError(
            f"Artifact store '{store.uri}' could not take output '{name}' ({_brief(exc)}); "
            "free space or fix its permissions, or point WAYPOST_ARTIFACT_STORE__URI elsewhere."
        )
    if chosen is registry.fallback:
        return MaterializerError(unsupported_message(data_type, name, _brief(exc)))
    return MaterializerError(
        f"Materializer '{type_name(chosen)}' failed to save output '{name}' of type "
        f"'{data_type}' ({_brief(exc)}); fix the materializer or choose another for this output."
    )


def _metadata(instance: Materializer, value: Any) -> dict[str, Any]:
    try:
        found = instance.metadata(value)
    except Exception as exc:  # metadata is optional: a failure is recorded
        return {"metadata_error": _brief(exc)}
    safe = json_safe(found, max_chars=1_000, max_items=100, depth=4)
    return safe if isinstance(safe, dict) else {"metadata": safe}


def _visualize(instance: Materializer, value: Any, folder: Path) -> tuple[list[VisualizationRef], list[str]]:
    label = f"{type(instance).__qualname__}.visualize"
    try:
        refs = instance.visualize(value, folder)
    except Exception as exc:  # a failed visualization must not fail the save
        shutil.rmtree(folder / VIZ_DIR, ignore_errors=True)
        return [], [f"{label}: {_brief(exc)}"]
    kept: list[VisualizationRef] = []
    errors: list[str] = []
    for ref in refs:
        relative = PurePosixPath(ref.path)
        file = folder.joinpath(*relative.parts)
        if relative.is_absolute() or relative.parts[:1] != (VIZ_DIR,) or ".." in relative.parts:
            errors.append(f"{label}: '{ref.path}' is not under '{VIZ_DIR}/'")
        elif not file.is_file():
            errors.append(f"{label}: '{ref.path}' was not written")
        else:
            kept.append(ref.model_copy(update={"size": file.stat().st_size}))
    return kept, errors


def _brief(exc: BaseException) -> str:
    """``Type: first line of the message``, short enough for a one-line error."""
    text = str(exc).strip().splitlines()
    first = text[0][:300] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
