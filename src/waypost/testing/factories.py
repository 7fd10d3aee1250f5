"""Plain factory functions that build realistic records in any :class:`~waypost.store.Store`.

Every factory goes through the Store protocol only, so the same calls work against a
SQL database, a REST server or a plugin's own store. Names are made unique with a random
suffix, so tests that share one store never see each other's records when they filter
by pipeline, artifact or model name.

    store = SqlStore("sqlite:///tmp/w.db")
    run = make_run(store, status=ExecutionStatus.RUNNING, tags=["prod"])
    step, outputs = make_step_run(store, run, "train", outputs={"model": "iris_model"})
    make_metadata(store, run_id=run.id, accuracy=0.95)
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from waypost.enums import ExecutionStatus, MetadataType
from waypost.schemas import (
    ArtifactVersionCreate,
    ArtifactVersionRead,
    InputSpec,
    MetadataCreate,
    ModelVersionRead,
    OutputSpec,
    PipelineRead,
    PipelineSpec,
    RunCreate,
    RunRead,
    StepRunCreate,
    StepRunFinish,
    StepRunRead,
    StepSpec,
)
from waypost.store import Store

__all__ = [
    "make_artifact_version",
    "make_metadata",
    "make_model_version",
    "make_pipeline",
    "make_run",
    "make_spec",
    "make_step_run",
    "metadata_type",
    "start_step",
    "unique_name",
]


def unique_name(prefix: str = "test") -> str:
    """``prefix`` plus a random suffix, e.g. ``train-3f9a1c0b2d``."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_spec(name: str, steps: Sequence[str] = ("load", "train", "evaluate")) -> PipelineSpec:
    """A linear pipeline: each step takes the previous step's ``output``."""
    specs: list[StepSpec] = []
    for i, step_name in enumerate(steps):
        code = f"def {step_name}(x=None):\n    return {i}\n"
        specs.append(
            StepSpec(
                name=step_name,
                step_name=step_name,
                source=f"tests.pipelines.{step_name}",
                source_hash=hashlib.sha256(code.encode()).hexdigest(),
                source_code=code,
                inputs={"x": InputSpec(step=steps[i - 1], output="output")} if i else {},
                outputs=[OutputSpec(name="output", data_type="builtins.int")],
            )
        )
    return PipelineSpec(name=name, steps=specs)


def make_pipeline(store: Store, name: str | None = None) -> PipelineRead:
    """A pipeline with a unique name (or ``name``)."""
    return store.pipelines.get_or_create(name or unique_name("pipeline"))


def make_run(
    store: Store,
    pipeline: PipelineRead | None = None,
    *,
    name: str | None = None,
    status: ExecutionStatus = ExecutionStatus.RUNNING,
    tags: Iterable[str] = (),
    parameters: Mapping[str, Any] | None = None,
    model_version_id: uuid.UUID | None = None,
) -> RunRead:
    """A run of ``pipeline`` (a new pipeline when omitted) with its snapshot."""
    pipe = pipeline or make_pipeline(store)
    snapshot = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    return store.runs.create(
        RunCreate(
            name=name or unique_name(f"{pipe.name}-run"),
            pipeline_id=pipe.id,
            snapshot_id=snapshot.id,
            status=status,
            parameters=dict(parameters or {}),
            tags=list(tags),
            model_version_id=model_version_id,
            started_at=datetime.now(UTC),
        )
    )


def make_artifact_version(
    name: str | None = None, *, value: object = None, tags: Iterable[str] = (), version_id: uuid.UUID | None = None
) -> ArtifactVersionCreate:
    """An artifact version as a materializer would describe it (nothing is written anywhere)."""
    vid = version_id or uuid.uuid4()
    art = name or unique_name("artifact")
    payload = repr(value if value is not None else vid).encode()
    return ArtifactVersionCreate(
        id=vid,
        name=art,
        uri=f"memory://waypost-testing/{art}/{vid.hex}",
        data_type="builtins.int",
        materializer="waypost.artifacts.materializers.builtin.BuiltinMaterializer",
        materializer_version="1",
        size=len(payload),
        content_hash=hashlib.sha256(payload).hexdigest(),
        tags=list(tags),
    )


def start_step(
    store: Store,
    run: RunRead,
    name: str = "train",
    *,
    cache_key: str | None = None,
    inputs: Mapping[str, uuid.UUID] | None = None,
) -> uuid.UUID:
    """Record a running step run; return its id."""
    return store.steps.start(
        StepRunCreate(
            run_id=run.id,
            name=name,
            step_name=name.split("#")[0],
            status=ExecutionStatus.RUNNING,
            cache_key=cache_key,
            source_code=f"def {name}(): ...\n",
            source_hash=hashlib.sha256(name.encode()).hexdigest(),
            inputs=dict(inputs or {}),
            started_at=datetime.now(UTC),
        )
    )


def make_step_run(
    store: Store,
    run: RunRead,
    name: str = "train",
    *,
    outputs: Mapping[str, str] | Sequence[str] = ("output",),
    status: ExecutionStatus = ExecutionStatus.COMPLETED,
    cache_key: str | None = None,
    inputs: Mapping[str, uuid.UUID] | None = None,
) -> tuple[StepRunRead, dict[str, ArtifactVersionRead]]:
    """Start and finish a step run, registering one artifact version per output.

    ``outputs`` maps output names to artifact names; a plain list of output names uses
    ``<pipeline>::<step>::<output>`` as the artifact name, as the SDK does. A step that
    does not succeed registers no outputs.
    """
    if not isinstance(outputs, Mapping):
        outputs = {o: f"{run.pipeline_name}::{name}::{o}" for o in outputs}
    step_id = start_step(store, run, name, cache_key=cache_key, inputs=inputs)
    versions = {o: make_artifact_version(a) for o, a in outputs.items()} if status.is_successful else {}
    failed = status == ExecutionStatus.FAILED
    registered = store.steps.finish(
        step_id,
        run.id,
        StepRunFinish(
            status=status,
            ended_at=datetime.now(UTC),
            error_type="ValueError" if failed else None,
            error_message="bad input" if failed else None,
        ),
        versions,
    )
    return store.steps.get_by_id(step_id), registered


def metadata_type(value: object) -> MetadataType:
    """The metadata type a value is stored as (bool before int: ``True`` is an int too)."""
    if isinstance(value, bool):
        return MetadataType.BOOL
    if isinstance(value, int):
        return MetadataType.INT
    if isinstance(value, float):
        return MetadataType.FLOAT
    if isinstance(value, str):
        return MetadataType.STRING
    return MetadataType.JSON


def make_metadata(
    store: Store,
    *,
    run_id: uuid.UUID | None = None,
    step_run_id: uuid.UUID | None = None,
    artifact_version_id: uuid.UUID | None = None,
    model_version_id: uuid.UUID | None = None,
    **values: Any,
) -> list[MetadataCreate]:
    """Log ``values`` (typed by :func:`metadata_type`) against the given owners."""
    entries = [
        MetadataCreate(
            key=key,
            value=value,
            type=metadata_type(value),
            run_id=run_id,
            step_run_id=step_run_id,
            artifact_version_id=artifact_version_id,
            model_version_id=model_version_id,
        )
        for key, value in values.items()
    ]
    store.metadata.add(entries)
    return entries


def make_model_version(
    store: Store,
    name: str | None = None,
    version: str | None = None,
    *,
    run: RunRead | None = None,
    artifact_versions: Iterable[ArtifactVersionRead] = (),
    tags: Iterable[str] = (),
) -> ModelVersionRead:
    """A model version (a new model when ``name`` is omitted), linked to a run and artifacts."""
    mv = store.models.get_or_create_version(name or unique_name("model"), version, tags=list(tags))
    ids = [a.id for a in artifact_versions]
    if run is not None or ids:
        store.models.link(mv.id, run_id=run.id if run else None, artifact_version_ids=ids)
        mv = store.models.get_version(mv.model_name, mv.name)
    return mv
