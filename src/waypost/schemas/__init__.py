"""Pydantic wire schemas: the single source of truth for the API, the REST client and the dashboard."""

from typing import TYPE_CHECKING, Any

from waypost.schemas.artifacts import (
    ArtifactFileRead,
    ArtifactRead,
    ArtifactTable,
    ArtifactVersionCreate,
    ArtifactVersionRead,
    LineageEdge,
    LineageGraph,
    LineageNode,
    TableColumn,
    VisualizationRef,
)
from waypost.schemas.common import MAX_PAGE_SIZE, Page, ReadModel
from waypost.schemas.metadata import MetadataCreate, MetadataRead
from waypost.schemas.runs import (
    AttemptRead,
    CacheHit,
    GraphInput,
    GraphOutput,
    GraphStep,
    PipelineRead,
    RunCreate,
    RunGraph,
    RunRead,
    RunUpdate,
    SnapshotRead,
    StepRunCreate,
    StepRunFinish,
    StepRunRead,
)
from waypost.schemas.spec import (
    InputSpec,
    ModelSpec,
    OutputSpec,
    PipelineSettings,
    PipelineSpec,
    ResourceSettings,
    RetryConfig,
    StepSettings,
    StepSpec,
)

if TYPE_CHECKING:
    from waypost.schemas.logs import LogLineRead, LogSearchHit
    from waypost.schemas.models import ModelRead, ModelVersionRead

#: Loaded on first use: a pipeline run without a model never needs them (~3 ms of every start).
_LAZY = {
    "LogLineRead": "waypost.schemas.logs",
    "LogSearchHit": "waypost.schemas.logs",
    "ModelRead": "waypost.schemas.models",
    "ModelVersionRead": "waypost.schemas.models",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'waypost.schemas' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "MAX_PAGE_SIZE",
    "ArtifactFileRead",
    "ArtifactRead",
    "ArtifactTable",
    "ArtifactVersionCreate",
    "ArtifactVersionRead",
    "AttemptRead",
    "CacheHit",
    "GraphInput",
    "GraphOutput",
    "GraphStep",
    "InputSpec",
    "LineageEdge",
    "LineageGraph",
    "LineageNode",
    "LogLineRead",
    "LogSearchHit",
    "MetadataCreate",
    "MetadataRead",
    "ModelRead",
    "ModelSpec",
    "ModelVersionRead",
    "OutputSpec",
    "Page",
    "PipelineRead",
    "PipelineSettings",
    "PipelineSpec",
    "ReadModel",
    "ResourceSettings",
    "RetryConfig",
    "RunCreate",
    "RunGraph",
    "RunRead",
    "RunUpdate",
    "SnapshotRead",
    "StepRunCreate",
    "StepRunFinish",
    "StepRunRead",
    "StepSettings",
    "StepSpec",
    "TableColumn",
    "VisualizationRef",
]
