"""The compilation context: while a pipeline function runs to build its DAG, step calls
record invocations here instead of executing. Standard library only (import-time budget)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StepArtifact:
    """The placeholder a step call returns inside a pipeline: one output of one invocation."""

    invocation: str
    output: str
    artifact_name: str

    def __repr__(self) -> str:
        return f"<output '{self.output}' of step '{self.invocation}'>"


@dataclass
class Invocation:
    """One call of a step inside a pipeline function."""

    name: str
    step: Any  # BaseStep; typed loosely to keep this module free of imports
    arguments: dict[str, Any]
    after: list[str]
    outputs: list[StepArtifact] = field(default_factory=list)


@dataclass
class CompilationContext:
    """Collects invocations in call order."""

    pipeline_name: str
    invocations: dict[str, Invocation] = field(default_factory=dict)
    inlining: list[str] = field(default_factory=list)
    """The pipelines whose functions are running inside this one's (called in its body), outermost first."""

    def unique_name(self, step_name: str, requested: str | None) -> str:
        """``requested`` if free, else ``step_name``, ``step_name_2``, ``step_name_3`` …"""
        if requested is not None:
            if requested in self.invocations:
                raise ValueError(f"Two step calls use id '{requested}'; give each call a unique id.")
            return requested
        if step_name not in self.invocations:
            return step_name
        n = 2
        while f"{step_name}_{n}" in self.invocations:
            n += 1
        return f"{step_name}_{n}"


ACTIVE: ContextVar[CompilationContext | None] = ContextVar("waypost_compilation", default=None)
