"""Typed metadata values, and ``log_metadata``'s dispatch to run, step, artifact or model."""

from __future__ import annotations

import json
import math
import numbers
import uuid
from typing import TYPE_CHECKING, Any

from waypost.enums import MetadataType
from waypost.exceptions import ParameterError, WaypostError
from waypost.execution import model_versions, runtime
from waypost.execution.context import current
from waypost.metadata.metadata_types import DType, Path, StorageSize, Uri
from waypost.schemas import MetadataCreate

if TYPE_CHECKING:
    from waypost.schemas import ModelVersionRead

#: The string marker types of waypost.metadata.metadata_types and the entry type each records.
_MARKED_STRINGS: tuple[tuple[type[str], MetadataType], ...] = (
    (Uri, MetadataType.URI),
    (Path, MetadataType.PATH),
    (DType, MetadataType.DTYPE),
)


def typed(key: str, value: Any) -> tuple[Any, MetadataType]:
    """``value`` as a JSON-safe value with its type; raise for what cannot be stored."""
    if isinstance(value, bool):
        return value, MetadataType.BOOL
    if isinstance(value, StorageSize):  # an int subclass: ahead of plain ints
        return int(value), MetadataType.STORAGE_SIZE
    for marker, kind in _MARKED_STRINGS:  # str subclasses: ahead of plain strings
        if isinstance(value, marker):
            return str(value), kind
    if isinstance(value, numbers.Integral):
        return int(value), MetadataType.INT
    if isinstance(value, numbers.Real):
        f = float(value)
        return (f if math.isfinite(f) else str(f)), MetadataType.FLOAT
    if isinstance(value, str):
        return value, MetadataType.STRING
    try:
        return json.loads(json.dumps(value, allow_nan=False)), MetadataType.JSON
    except (TypeError, ValueError):
        raise ParameterError(
            f"Metadata '{key}' has type {type(value).__name__}, which cannot be stored; log numbers, strings, "
            "booleans, or lists and dicts of them."
        ) from None


def entries_for(metadata: dict[str, Any], **owners: uuid.UUID | None) -> list[MetadataCreate]:
    """One entry per key, all attached to the given owners."""
    if not isinstance(metadata, dict):
        raise ParameterError("log_metadata(metadata=...) takes a dict of key -> value.")
    out = []
    for key, value in metadata.items():
        v, t = typed(str(key), value)
        out.append(MetadataCreate(key=str(key), value=v, type=t, **owners))
    return out


def log_metadata(
    metadata: dict[str, Any],
    *,
    step_name: str | None = None,
    run_id: str | uuid.UUID | None = None,
    artifact_name: str | None = None,
    artifact_version_id: str | uuid.UUID | None = None,
    infer_artifact: bool = False,
    model_name: str | None = None,
    model_version: str | None = None,
    infer_model: bool = False,
) -> None:
    """See :func:`waypost.log_metadata`."""
    ctx = current()
    store = ctx.store if ctx else runtime.current().store
    run_ref = uuid.UUID(str(run_id)) if run_id else (ctx.run.id if ctx else None)
    entries: list[MetadataCreate] = []
    changed: ModelVersionRead | None = None  # a model version whose metadata changes, for its promotion rules
    if artifact_version_id is not None:
        av = store.artifacts.get_version(str(artifact_version_id))
        entries += entries_for(metadata, run_id=av.producer_run_id, artifact_version_id=av.id)
    elif ctx is not None and (infer_artifact or (artifact_name and artifact_name in _outputs(ctx))):
        outs = _outputs(ctx)
        if artifact_name is None:
            if len(outs) != 1:
                raise ParameterError(
                    f"Step '{ctx.step.name}' has {len(outs)} outputs; pass artifact_name= to pick one."
                )
            artifact_name = next(iter(outs))
        ctx.output_metadata.setdefault(outs[artifact_name], {}).update(metadata)
        entries_for(metadata)  # validate now, store once the output is registered
    elif artifact_name is not None:
        av = store.artifacts.get_version(artifact_name)
        entries += entries_for(metadata, run_id=av.producer_run_id, artifact_version_id=av.id)
    if model_name is not None or infer_model:
        if model_name is not None:
            mv = store.models.get_version(model_name, model_version or "latest")
        elif ctx is not None and ctx.model_version is not None:
            mv = ctx.model_version
        else:
            raise ParameterError("infer_model=True needs a step of a pipeline that has a model=Model(...).")
        # Inside a step, the step is recorded too: a cached copy of the step gives them to its run's version.
        entries += entries_for(
            metadata,
            run_id=ctx.run.id if ctx else None,
            step_run_id=ctx.step_run_id if ctx else None,
            model_version_id=mv.id,
        )
        changed = mv
    if step_name is not None:
        if run_ref is None:
            raise ParameterError("log_metadata(step_name=...) outside a step also needs run_id=.")
        step = store.steps.get(run_ref, step_name)
        entries += entries_for(metadata, run_id=run_ref, step_run_id=step.id)
    elif run_id is not None:
        store.runs.get(run_ref or "")
        entries += entries_for(metadata, run_id=run_ref)
    elif not entries and not (artifact_name or infer_artifact):
        if ctx is None:
            raise WaypostError(
                "log_metadata() was called outside a step without a target; pass run_id=, step_name=, "
                "artifact_version_id= or model_name=."
            )
        entries += entries_for(metadata, run_id=ctx.run.id, step_run_id=ctx.step_run_id)
    store.metadata.add(entries)
    running = ctx.model_version if ctx is not None else None
    if changed is not None and (running is None or running.id != changed.id):  # the run's own: tried at its end
        model_versions.apply_rules(store, changed)


def _outputs(ctx: Any) -> dict[str, str]:
    """Artifact name (and output name) -> output name for the running step."""
    out: dict[str, str] = {}
    for o in ctx.step.outputs:
        out[o.name] = o.name
        if o.artifact_name:
            out[o.artifact_name] = o.name
    return out


__all__ = ["entries_for", "log_metadata", "typed"]
