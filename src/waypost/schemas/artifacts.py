"""Artifacts, their versions and visualizations on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import VisualizationType
from waypost.schemas.common import ReadModel


class VisualizationRef(BaseModel):
    """A visualization file stored beside an artifact version."""

    type: VisualizationType
    path: str = Field(description="Path relative to the artifact version's URI.")
    title: str | None = None
    size: int = 0
    meta: dict[str, Any] = Field(default_factory=dict)


class ArtifactVersionCreate(BaseModel):
    """A saved output, registered when its step succeeds."""

    id: UUID
    name: str
    uri: str
    data_type: str
    materializer: str
    materializer_version: str
    size: int = Field(ge=0, le=2**63 - 1)  # a signed 64-bit column on every backend
    content_hash: str
    visualizations: list[VisualizationRef] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


class ArtifactRead(ReadModel):
    """A named artifact; each step output with that name adds a version."""

    id: UUID
    name: str
    created_at: datetime
    latest_version: int = 0
    latest_version_id: UUID | None = None
    data_type: str | None = None
    size: int | None = None
    pipeline_name: str | None = None
    tags: list[str] = Field(default_factory=list)
    project_id: UUID | None = Field(default=None, description="The project the artifact belongs to.")


class ArtifactVersionRead(ReadModel):
    """One saved value of an artifact."""

    id: UUID
    artifact_id: UUID
    name: str
    version: int
    uri: str
    data_type: str
    materializer: str
    materializer_version: str
    size: int = Field(ge=0, le=2**63 - 1)  # a signed 64-bit column on every backend
    content_hash: str
    visualizations: list[VisualizationRef]
    producer_step_run_id: UUID | None
    producer_run_id: UUID | None
    created_at: datetime
    tags: list[str] = Field(default_factory=list)


class ArtifactFileRead(BaseModel):
    """A file inside an artifact version's folder."""

    path: str = Field(description="Path relative to the artifact version's folder.")
    size: int


class TableColumn(BaseModel):
    """A column of a stored table."""

    name: str
    dtype: str = Field(description="The column's Arrow type, e.g. int64, double, string, timestamp[ns].")


class ArtifactTable(BaseModel):
    """One page of a stored table (a DataFrame or CSV text), sorted over all its rows when asked."""

    columns: list[TableColumn]
    rows: list[list[Any]] = Field(description="Cells in column order; missing values and NaN are null.")
    total: int = Field(description="Rows in the whole table.")
    offset: int
    limit: int
    sort: str | None = None
    descending: bool = False


class LineageNode(BaseModel):
    """An artifact version (id = version id) or a step run (id = step run id) in a lineage graph."""

    id: UUID
    kind: Literal["artifact", "step"]
    name: str = Field(description="The artifact's name, or the step run's name.")
    version: int | None = Field(default=None, description="The artifact version's number; null for steps.")
    data_type: str | None = Field(default=None, description="The artifact's data type; null for steps.")
    run_id: UUID | None = Field(
        default=None, description="The run of the step, or the run that produced the artifact (null when uploaded)."
    )
    run_name: str | None = None
    step: str | None = Field(default=None, description="The step's function name; null for artifacts.")
    status: str | None = Field(default=None, description="The step run's status; null for artifacts.")


class LineageEdge(BaseModel):
    """step → artifact: the step produced it; artifact → step: the step read it."""

    source: UUID
    target: UUID


class LineageGraph(BaseModel):
    """Producers and consumers of an artifact version, across runs."""

    root: UUID
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = Field(default=False, description="True when the node limit cut the graph short.")
