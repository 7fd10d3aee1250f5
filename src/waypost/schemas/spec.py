"""The compiled form of a pipeline: a DAG of step invocations that execution runs."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from waypost.exceptions import CycleError, MissingInputError

JsonValue = Any


class RetryConfig(BaseModel):
    """Retries with exponential backoff: before retry ``n`` (from 1) wait ``delay * backoff**(n - 1)`` seconds."""

    model_config = ConfigDict(extra="forbid")
    max_retries: int = Field(default=0, ge=0, le=100)
    delay: float = Field(default=1.0, ge=0)
    backoff: float = Field(default=2.0, ge=0)


class ResourceSettings(BaseModel):
    """Resource hints an orchestrator may honour (the local one records them)."""

    model_config = ConfigDict(extra="forbid")
    cpu_count: float | None = Field(default=None, gt=0)
    gpu_count: int | None = Field(default=None, ge=0)
    memory: str | None = None


class StepSettings(BaseModel):
    """Per-step settings; ``None`` means inherit from the pipeline."""

    model_config = ConfigDict(extra="forbid")
    enable_cache: bool | None = None
    enable_step_logs: bool | None = None
    enable_artifact_metadata: bool | None = None
    enable_artifact_visualization: bool | None = None
    retry: RetryConfig | None = None
    resources: ResourceSettings = Field(default_factory=ResourceSettings)
    experiment_tracker: str | None = None
    on_failure: str | None = Field(
        default=None, description="The on_failure hook's source (package.module.function): called if the step fails."
    )
    on_success: str | None = Field(
        default=None, description="The on_success hook's source (package.module.function): called if it succeeds."
    )
    extra: dict[str, JsonValue] = Field(default_factory=dict)
    substitutions: dict[str, str] = Field(
        default_factory=dict, description="Values for {KEY} in output artifact names, over the pipeline's."
    )
    settings: dict[str, dict[str, JsonValue]] = Field(
        default_factory=dict,
        description="settings={...} other than resources, as given (docker, orchestrator.<flavor> …): recorded.",
    )


class PipelineSettings(BaseModel):
    """Pipeline-wide settings."""

    model_config = ConfigDict(extra="forbid")
    enable_cache: bool = True
    enable_step_logs: bool = True
    enable_artifact_metadata: bool = True
    enable_artifact_visualization: bool = True
    tags: list[str] = Field(default_factory=list)
    max_parallel_steps: int | None = Field(default=None, ge=1)
    run_name: str | None = None
    on_failure: str | None = Field(
        default=None,
        description="The on_failure hook's source (package.module.function): called once if the run fails.",
    )
    on_success: str | None = Field(
        default=None, description="The on_success hook's source: called once when the run completes."
    )
    extra: dict[str, JsonValue] = Field(default_factory=dict)
    substitutions: dict[str, str] = Field(
        default_factory=dict, description="Values for {KEY} in the run name and artifact names ({date}, {time} too)."
    )
    settings: dict[str, dict[str, JsonValue]] = Field(
        default_factory=dict,
        description="settings={...} as given (docker, resources, orchestrator.<flavor> …): recorded; resources "
        "are every step's default.",
    )


class InputSpec(BaseModel):
    """An input that comes from an upstream step's output.

    A list or tuple of outputs passed as one argument is one input per item, keyed ``NAME[i]``, each
    naming the argument (``list_input``) and its place in the list (``index``)."""

    step: str
    output: str
    list_input: str | None = Field(
        default=None, description="The argument this output is one item of (a list of outputs); None: the key's."
    )
    index: int | None = Field(default=None, ge=0, description="The item's place in that list.")


class OutputSpec(BaseModel):
    """One named output of a step."""

    name: str
    data_type: str = "typing.Any"
    materializer: str | None = None
    artifact_name: str | None = Field(
        default=None, description="Set by Annotated[T, 'name']; else pipeline::step::output."
    )
    version_name: str | None = Field(
        default=None, description="ArtifactConfig(version=...): recorded as the version's metadata 'version_name'."
    )
    tags: list[str] = Field(default_factory=list, description="ArtifactConfig(tags=...): tags of each version.")
    run_metadata: dict[str, JsonValue] = Field(
        default_factory=dict, description="ArtifactConfig(run_metadata=...): metadata logged on each version."
    )
    model_role: str | None = Field(
        default=None,
        description="The role linking each version to the run's model version (model, data, deployment); "
        "None: its type decides.",
    )
    artifact_type: str | None = Field(
        default=None, description="ArtifactConfig(artifact_type=...): the ArtifactType's name (MODEL, DATA …)."
    )


class StepSpec(BaseModel):
    """One node of the DAG: one call of a step function."""

    name: str
    step_name: str
    source: str
    source_hash: str
    source_code: str = ""
    docstring: str | None = None
    parameters: dict[str, JsonValue] = Field(default_factory=dict)
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    artifact_inputs: dict[str, UUID] = Field(
        default_factory=dict,
        description="Inputs from artifact versions stored before the run (input name -> version id): a stored "
        "version or an ExternalArtifact passed to the step in the pipeline.",
    )
    outputs: list[OutputSpec] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)
    settings: StepSettings = Field(default_factory=StepSettings)

    @property
    def upstream(self) -> list[str]:
        """Names of the steps that must finish first, inputs and explicit ``after`` alike."""
        seen = dict.fromkeys(i.step for i in self.inputs.values())
        seen.update(dict.fromkeys(self.after))
        return list(seen)


class ModelSpec(BaseModel):
    """The model (and version) a pipeline's runs are attached to."""

    name: str = Field(min_length=1, max_length=255)
    version: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)


class PipelineSpec(BaseModel):
    """A compiled pipeline. Steps are kept in a topological order."""

    name: str = Field(min_length=1, max_length=255)
    steps: list[StepSpec]
    parameters: dict[str, JsonValue] = Field(default_factory=dict)
    settings: PipelineSettings = Field(default_factory=PipelineSettings)
    model: ModelSpec | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _check_dag(self) -> PipelineSpec:
        self.steps = topological_order(self.steps)
        return self

    def step(self, name: str) -> StepSpec:
        """The step invocation called ``name``."""
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def structure_hash(self) -> str:
        """A hash of the DAG's shape and code, for snapshot de-duplication."""
        shape = [
            (s.name, s.source_hash, sorted((k, v.step, v.output) for k, v in s.inputs.items()), s.after)
            for s in self.steps
        ]
        return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()


def topological_order(steps: list[StepSpec]) -> list[StepSpec]:
    """Return ``steps`` in dependency order; raise on unknown inputs or cycles."""
    by_name = {s.name: s for s in steps}
    if len(by_name) != len(steps):
        raise CycleError("Two steps share one invocation name; give each call a unique `id`.")
    for s in steps:
        for inp_name, inp in s.inputs.items():
            up = by_name.get(inp.step)
            if up is None:
                raise MissingInputError(
                    f"Step '{s.name}' takes input '{inp_name}' from unknown step '{inp.step}'; "
                    "pass the output of a step called in this pipeline."
                )
            if inp.output not in {o.name for o in up.outputs}:
                raise MissingInputError(
                    f"Step '{s.name}' takes input '{inp_name}' from output '{inp.output}', "
                    f"which step '{inp.step}' does not produce; use one of "
                    f"{[o.name for o in up.outputs]}."
                )
        for a in s.after:
            if a not in by_name:
                raise MissingInputError(
                    f"Step '{s.name}' runs after unknown step '{a}'; name a step called in this pipeline."
                )
    order: list[StepSpec] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in steps:
        if state.get(root.name) == 2:
            continue
        stack: list[tuple[str, int]] = [(root.name, 0)]
        state[root.name] = 1
        while stack:
            name, idx = stack[-1]
            ups = by_name[name].upstream
            if idx < len(ups):
                stack[-1] = (name, idx + 1)
                nxt = ups[idx]
                if state.get(nxt) == 1:
                    path = [n for n, _ in stack]
                    cycle = [*path[path.index(nxt) :], nxt]
                    raise CycleError(
                        f"The steps form a cycle ({' -> '.join(reversed(cycle))}); "
                        "remove one of the `after` dependencies."
                    )
                if state.get(nxt) != 2:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                stack.pop()
                state[name] = 2
                order.append(by_name[name])
    return order
