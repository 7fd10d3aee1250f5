"""Runs side by side: a row per attribute (run facts, parameters, metrics, metadata, steps, artifacts, snapshot), a
value per run."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import ExecutionStatus

#: The most runs one comparison takes.
MAX_COMPARED_RUNS = 100
#: What a comparison row describes, in the order the rows come.
RunCompareSection = Literal["run", "parameters", "metrics", "metadata", "steps", "artifacts", "snapshot"]
RUN_SECTIONS: tuple[RunCompareSection, ...] = (
    "run",
    "parameters",
    "metrics",
    "metadata",
    "steps",
    "artifacts",
    "snapshot",
)
#: What the values of a row are: ``mixed`` when they are of several kinds (a number in some runs, text in others).
ValueKind = Literal["number", "text", "bool", "json", "mixed", "artifact"]
#: The words (in a key's last part) that make a lower number the better one.
LOWER_IS_BETTER_WORDS = (
    "loss",
    "error",
    "err",
    "mse",
    "mae",
    "rmse",
    "mape",
    "latency",
    "time",
    "duration",
    "perplexity",
)


class ComparedRun(BaseModel):
    """A column of the comparison: a run the caller may read."""

    id: UUID
    name: str
    pipeline_id: UUID
    pipeline_name: str
    status: ExecutionStatus
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: float | None = Field(description="Seconds from start to end; null until the run has ended.")
    user: str | None = Field(default=None, description="The name of the user who ran it.")
    stack: str | None = Field(default=None, description="The name of the stack it ran on.")
    project: str = Field(description="The run's project, as `workspace/project`.")
    tags: list[str] = Field(default_factory=list)


class ComparedOutput(BaseModel):
    """A step's output artifact version, as a cell of the ``artifacts`` section (cells differ by ``hash``)."""

    artifact_version_id: UUID
    artifact: str = Field(description="The artifact's name.")
    version: int
    hash: str = Field(description="The content hash.")
    size: int = Field(description="Bytes.")
    data_type: str


class RunComparisonRow(BaseModel):
    """One attribute across the runs compared."""

    section: RunCompareSection
    key: str = Field(description="`step.name` for a step's parameter, metadata, status, cache hit, output or source.")
    kind: ValueKind = Field(
        description="What the values are; `mixed` when they are of several kinds (then no best, values as stored)."
    )
    values: list[Any] = Field(description="One value per run, in the runs' order; null where a run has none.")
    differs: bool = Field(
        description="Whether the runs' values are not all the same (1 and 1.0 alike; artifacts by content hash; "
        "a missing value differs from any value)."
    )
    best: int | None = Field(
        default=None,
        description="For a metric, and the run's duration: the index of the run with the best number (the first of "
        "a tie); null when the row is mixed, fewer than two runs have a number, or all are equal.",
    )
    lower_is_better: bool | None = Field(
        default=None,
        description="For a metric of numbers, and the duration: whether a lower value is the better (the direction "
        "`best` is picked in, even when there is none to mark); null for every other row, mixed ones included.",
    )


class RunComparison(BaseModel):
    """Runs side by side, in the order asked for (the first being the baseline)."""

    runs: list[ComparedRun]
    missing: list[str] = Field(
        default_factory=list,
        description="The references asked for that name no run you may read (unknown and hidden alike).",
    )
    rows: list[RunComparisonRow]
