"""The structural difference of two runs: DAG, step code, parameters, configuration, stack and cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import ExecutionStatus

#: The most lines a step's unified code diff holds; a longer one is cut and marked truncated.
MAX_CODE_DIFF_LINES = 2000
#: How a step differs between the runs: new, gone, with other inputs or ordering, with other code,
#: parameters or settings, or not at all. A step both re-wired and changed is ``rewired``.
StepChange = Literal["added", "removed", "rewired", "changed", "same"]
#: What a step did in a run: served from the cache, executed (and completed), or a status it ended in;
#: ``not_run`` when the run has no record of it (a step after a failure, or one the run lacks).
CacheState = Literal["cached", "executed", "failed", "skipped", "stopped", "crashed", "running", "not_run"]


class RunRef(BaseModel):
    """One side of the diff."""

    id: UUID
    name: str
    pipeline_name: str
    status: ExecutionStatus
    created_at: datetime


class ValueChange(BaseModel):
    """One key whose value differs; ``before`` or ``after`` is null where the key is missing on that side."""

    key: str = Field(description="Dotted for nested values: `retry.max_retries`, `extra.seed`.")
    before: Any = None
    after: Any = None


class StepCache(BaseModel):
    """What the step did in each run and, when that differs, why."""

    before: CacheState
    after: CacheState
    flipped: bool = Field(description="True when the step was served from the cache in one run and not the other.")
    reason: str | None = Field(
        default=None,
        description="Why the runs' cache outcomes differ (or why the after run did not reuse the before run's "
        "result), from recorded cache keys, source hashes, parameters, input content hashes and settings; "
        "null when there is nothing to explain.",
    )


class StepDiff(BaseModel):
    """One step invocation, compared."""

    name: str
    change: StepChange
    code_changed: bool = Field(description="The step's source differs (its source hash).")
    inputs_before: dict[str, str] = Field(
        default_factory=dict, description="Input name → `upstream_step.output` (or `artifact:VERSION_ID`)."
    )
    inputs_after: dict[str, str] = Field(default_factory=dict)
    after_before: list[str] = Field(default_factory=list, description="Explicit `after=` steps in the before run.")
    after_after: list[str] = Field(default_factory=list, description="Explicit `after=` steps in the after run.")
    code_diff: str = Field(default="", description="A unified diff of the two sources; empty when they are the same.")
    code_diff_truncated: bool = Field(default=False, description=f"True when cut at {MAX_CODE_DIFF_LINES} lines.")
    parameters: list[ValueChange] = Field(default_factory=list)
    settings: list[ValueChange] = Field(
        default_factory=list, description="Step settings (`enable_cache`, `retry.*` …) and outputs (`output.NAME.*`)."
    )
    cache: StepCache


class EdgeRef(BaseModel):
    """An edge of the DAG: a data edge names the output and input; an ordering (`after=`) edge neither."""

    from_step: str
    output: str | None = None
    to_step: str
    input: str | None = None


class StackComponentChange(BaseModel):
    """A stack component of one type, compared (secret values are never shown: they read as masked)."""

    type: str
    change: Literal["added", "removed", "changed"]
    name_before: str | None = None
    name_after: str | None = None
    flavor_before: str | None = None
    flavor_after: str | None = None
    config: list[ValueChange] = Field(default_factory=list)


class StackDiff(BaseModel):
    """The stacks the runs recorded; names are null where a run recorded none."""

    name_before: str | None = None
    name_after: str | None = None
    components: list[StackComponentChange] = Field(default_factory=list)


class RunDiffSummary(BaseModel):
    """Counts for a headline."""

    added: int = 0
    removed: int = 0
    rewired: int = 0
    changed: int = 0
    code_changed: int = 0
    cache_flips: int = 0
    parameters_changed: int = 0
    config_changed: int = 0
    stack_changed: int = 0


class RunDiff(BaseModel):
    """How run ``after`` differs from run ``before``: the steps (in the after run's order, removed ones last),
    the DAG's edges, and the run-level parameters, configuration and stack."""

    before: RunRef
    after: RunRef
    steps: list[StepDiff]
    edges_added: list[EdgeRef] = Field(default_factory=list)
    edges_removed: list[EdgeRef] = Field(default_factory=list)
    parameters: list[ValueChange] = Field(default_factory=list, description="Pipeline parameters.")
    config: list[ValueChange] = Field(
        default_factory=list, description="Run configuration: pipeline settings, orchestrator, model."
    )
    stack: StackDiff
    summary: RunDiffSummary
