"""``add_tags`` / ``remove_tags``: tags on a pipeline, a run, an artifact version or a model version.

The SDK passes tags as ``(name, exclusive, cascade)``; the target is looked up through the store
the step or the runtime uses, and the change is one call to its tag repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from waypost.exceptions import ParameterError, WaypostError
from waypost.execution import runtime
from waypost.execution.context import StepContext, current
from waypost.store.base import Store

#: One tag as the SDK hands it over: its name, whether it is exclusive, whether it cascades.
TagSpec = tuple[str, bool, bool]


def _target(
    store: Store,
    ctx: StepContext | None,
    *,
    pipeline: str | uuid.UUID | None,
    run: str | uuid.UUID | None,
    artifact: str | uuid.UUID | None,
    artifact_version_id: str | uuid.UUID | None,
    artifact_name: str | None,
    artifact_version: str | int | None,
    model: str | uuid.UUID | None,
    model_version: str | int | None,
) -> tuple[str, uuid.UUID] | None:
    """The resource named (kind and id), or None for the running step's outputs."""
    named = {
        "pipeline=": pipeline is not None,
        "run=": run is not None,
        "artifact_version_id=": artifact_version_id is not None,
        "artifact_name=": artifact_name is not None,
        "model=": model is not None or model_version is not None,
    }
    given = [k for k, v in named.items() if v]
    if len(given) > 1:
        raise ParameterError(f"Tag one thing at a time: {' and '.join(given)} were both given; pass one of them.")
    if artifact is not None:
        raise ParameterError(
            "Waypost tags artifact versions, not whole artifacts; pass artifact_name= (and artifact_version=) "
            "or artifact_version_id= instead of artifact=."
        )
    if pipeline is not None:
        return "pipeline", store.pipelines.get(pipeline).id
    if run is not None:
        return "run", store.runs.get(run).id
    if artifact_version_id is not None:
        return "artifact_version", store.artifacts.get_version(str(artifact_version_id)).id
    if model is not None or model_version is not None:
        if model is None:
            if ctx is None or ctx.model_version is None:
                raise ParameterError("model_version= needs model= (or a step of a pipeline with a model).")
            model = ctx.model_version.model_name
        return "model_version", store.models.get_version(str(model), str(model_version or "latest")).id
    if artifact_name is not None:
        if ctx is not None and artifact_version is None and artifact_name in _outputs(ctx):
            return None  # an output of the running step: tagged when it is registered
        ref = artifact_name if artifact_version is None else f"{artifact_name}:{artifact_version}"
        return "artifact_version", store.artifacts.get_version(ref).id
    if artifact_version is not None:
        raise ParameterError("artifact_version= needs artifact_name= too.")
    if ctx is None:
        raise WaypostError(
            "add_tags()/remove_tags() outside a step need a target: run=, pipeline=, artifact_name=, "
            "artifact_version_id= or model= with model_version=."
        )
    return "run", ctx.run.id


def _outputs(ctx: StepContext) -> dict[str, str]:
    """Output or artifact name -> output name, for the running step."""
    out: dict[str, str] = {}
    for o in ctx.step.outputs:
        out[o.name] = o.name
        if o.artifact_name:
            out[o.artifact_name] = o.name
    return out


def _pending(ctx: StepContext, artifact_name: str | None, names: list[str], adding: bool) -> None:
    """Tag (or untag) an output of the running step before it is registered."""
    outs = _outputs(ctx)
    if artifact_name is None:
        if len(set(outs.values())) != 1:
            raise ParameterError(
                f"Step '{ctx.step.name}' has {len(set(outs.values()))} outputs; pass artifact_name= to pick one."
            )
        artifact_name = next(iter(outs))
    output = outs[artifact_name]
    held = ctx.output_tags.setdefault(output, [])
    if adding:
        held.extend(n for n in names if n not in held)
    else:
        ctx.output_tags[output] = [t for t in held if t not in names]


def change(
    tags: Sequence[TagSpec],
    *,
    adding: bool,
    pipeline: str | uuid.UUID | None = None,
    run: str | uuid.UUID | None = None,
    artifact: str | uuid.UUID | None = None,
    artifact_version_id: str | uuid.UUID | None = None,
    artifact_name: str | None = None,
    artifact_version: str | int | None = None,
    infer_artifact: bool | None = None,
    model: str | uuid.UUID | None = None,
    model_version: str | int | None = None,
) -> None:
    """See :func:`waypost.add_tags` and :func:`waypost.remove_tags`."""
    names = list(dict.fromkeys(name for name, _, _ in tags))
    if not names:
        return
    ctx = current()
    store = ctx.store if ctx else runtime.current().store
    if infer_artifact:
        if ctx is None:
            raise ParameterError("infer_artifact=True works only inside a step; name the artifact version instead.")
        if artifact_name is not None and artifact_name not in _outputs(ctx):
            raise ParameterError(f"Step '{ctx.step.name}' has no output '{artifact_name}'; pick one of its outputs.")
        _pending(ctx, artifact_name, names, adding)
        return
    target = _target(
        store,
        ctx,
        pipeline=pipeline,
        run=run,
        artifact=artifact,
        artifact_version_id=artifact_version_id,
        artifact_name=artifact_name,
        artifact_version=artifact_version,
        model=model,
        model_version=model_version,
    )
    if target is None and ctx is not None:
        _pending(ctx, artifact_name, names, adding)
        return
    assert target is not None
    kind, rid = target
    exclusive = [name for name, ex, _ in tags if ex] if adding else []
    add, remove = (names, []) if adding else ([], names)
    store.tags.change(kind, [rid], add=add, remove=remove, exclusive=exclusive)
    cascading = [name for name, _, cascade in tags if cascade]
    if kind == "run" and cascading:
        if ctx is not None and ctx.run.id == rid:  # the running step's outputs are registered later
            for output in {o.name for o in ctx.step.outputs}:
                _pending(ctx, output, cascading, adding)
        produced = sorted({v for s in store.steps.list(rid) for v in s.outputs.values()})
        if produced:
            store.tags.change(
                "artifact_version",
                produced,
                add=cascading if adding else [],
                remove=[] if adding else cascading,
            )
