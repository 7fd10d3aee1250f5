"""Pydantic wire schemas: the single source of truth for the API, the REST client and the dashboard."""

from waypost.schemas.artifacts import (
    ArtifactFileRead,
    ArtifactRead,
    ArtifactVersionCreate,
    ArtifactVersionRead,
    VisualizationRef,
)
from waypost.schemas.common import MAX_PAGE_SIZE, Page, ReadModel
from waypost.schemas.logs import LogLineRead, LogSearchHit
from waypost.schemas.metadata import MetadataCreate, MetadataRead
from waypost.schemas.models import ModelRead, ModelVersionRead
from waypost.schemas.runs import (
    AttemptRead,
    CacheHit,
    PipelineRead,
    RunCreate,
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

__all__ = [
    "MAX_PAGE_SIZE",
    "ArtifactFileRead",
    "ArtifactRead",
    "ArtifactVersionCreate",
    "ArtifactVersionRead",
    "AttemptRead",
    "CacheHit",
    "InputSpec",
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
    "RunRead",
    "RunUpdate",
    "SnapshotRead",
    "StepRunCreate",
    "StepRunFinish",
    "StepRunRead",
    "StepSettings",
    "StepSpec",
    "VisualizationRef",
]
