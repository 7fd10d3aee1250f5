"""The Orchestrator base: schedule the steps of a plan in dependency order.

An orchestrator only decides *when and where* each step runs; :class:`StepRunner` does
the running. Subclasses implement :meth:`Orchestrator.execute`. A minimal one that runs
everything in order in the calling thread::

    class SerialOrchestrator(Orchestrator):
        name = "serial"

        def execute(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
            done: dict[str, StepOutcome] = {}
            for step in plan.spec.steps:
                if plan.blocked(step, done):
                    done[step.name] = plan.skip(step, done)
                else:
                    done[step.name] = plan.run(step, done)
            return done
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from waypost.enums import ExecutionStatus
from waypost.exceptions import WaypostError
from waypost.execution.runner import CacheMiss, StepOutcome, StepRunner
from waypost.schemas import PipelineSpec, StepSpec

Listener = Callable[[str, StepSpec, StepOutcome | None], None]


@dataclass
class ExecutionPlan:
    """A compiled pipeline bound to a runner, plus the hooks orchestrators call."""

    spec: PipelineSpec
    runner: StepRunner
    max_parallel: int
    stop_event: threading.Event
    listeners: list[Listener] = field(default_factory=list)

    def notify(self, event: str, step: StepSpec, outcome: StepOutcome | None = None) -> None:
        """Tell listeners (progress displays) that a step started or ended."""
        for listener in self.listeners:
            listener(event, step, outcome)

    def run(self, step: StepSpec, done: dict[str, StepOutcome]) -> StepOutcome:
        """Run ``step`` now; its upstream steps must be in ``done``."""
        lookup = self.check_cache(step, done)
        return lookup if isinstance(lookup, StepOutcome) else self.execute(step, done, lookup)

    def check_cache(self, step: StepSpec, done: dict[str, StepOutcome]) -> StepOutcome | CacheMiss:
        """Serve ``step`` from the cache if it can be; cheap, so orchestrators call it inline."""
        lookup = self.runner.check_cache(step, {name: done[name].outputs for name in step.upstream})
        if isinstance(lookup, StepOutcome):
            self.notify("end", step, lookup)
        return lookup

    def execute(self, step: StepSpec, done: dict[str, StepOutcome], miss: CacheMiss) -> StepOutcome:
        """Run ``step``'s function after a cache miss."""
        self.notify("start", step)
        outcome = self.runner.execute(step, {name: done[name].outputs for name in step.upstream}, miss)
        self.notify("end", step, outcome)
        return outcome

    def blocked(self, step: StepSpec, done: dict[str, StepOutcome]) -> str | None:
        """The upstream step that failed or was skipped, if any."""
        for up in step.upstream:
            if up in done and not done[up].status.is_successful:
                return up
        return None

    def skip(self, step: StepSpec, done: dict[str, StepOutcome]) -> StepOutcome:
        """Record ``step`` as skipped because an upstream step did not succeed."""
        up = self.blocked(step, done) or "?"
        reason = f"Skipped: upstream step '{up}' {done[up].status.value if up in done else 'did not run'}."
        self.runner.store.steps.set_status(self.runner.run.id, [step.name], ExecutionStatus.SKIPPED, reason)
        outcome = StepOutcome(step.name, ExecutionStatus.SKIPPED, error=reason)
        self.notify("end", step, outcome)
        return outcome


class OrchestratorLostError(WaypostError):
    """The engine running the steps went away mid-run (a Dask scheduler that stopped): the run crashed."""


class Orchestrator(ABC):
    """Runs an :class:`ExecutionPlan`; returns every step's outcome."""

    name: str = "base"

    #: Whether :meth:`detach` can hand a run over to something that outlives the launching process.
    can_detach: bool = False

    def detach(self, plan: ExecutionPlan) -> None:
        """Submit the whole run and return at once; whatever runs it records its end (``can_detach``)."""
        raise NotImplementedError(f"The {self.name} orchestrator cannot run a pipeline detached.")

    @abstractmethod
    def execute(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
        """Run all steps; a failed step's downstream steps are skipped."""
