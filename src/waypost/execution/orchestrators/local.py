"""The local orchestrator: steps in threads of this process, independent branches at once."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from waypost.execution.orchestrators.base import ExecutionPlan, Orchestrator
from waypost.execution.runner import StepOutcome
from waypost.schemas import StepSpec


class LocalOrchestrator(Orchestrator):
    """Run steps in dependency order, up to ``plan.max_parallel`` at a time.

    With one slot, or when a single step is ready and none is running, steps run in the
    calling thread (no thread hand-offs). A failed step's downstream steps are recorded as
    skipped; independent branches carry on.
    """

    name = "local"

    def execute(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
        if plan.max_parallel <= 1:
            return self._serial(plan)
        return self._parallel(plan)

    def _serial(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
        done: dict[str, StepOutcome] = {}
        for step in plan.spec.steps:
            if plan.stop_event.is_set():
                break
            done[step.name] = plan.skip(step, done) if plan.blocked(step, done) else plan.run(step, done)
        return done

    def _parallel(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
        steps = {s.name: s for s in plan.spec.steps}
        waiting = {s.name: set(s.upstream) for s in plan.spec.steps}
        dependents: dict[str, list[str]] = {n: [] for n in steps}
        for s in plan.spec.steps:
            for up in s.upstream:
                dependents[up].append(s.name)
        done: dict[str, StepOutcome] = {}
        ready = [n for n, ups in waiting.items() if not ups]
        running: dict[Future[StepOutcome], str] = {}
        pool = ThreadPoolExecutor(max_workers=plan.max_parallel, thread_name_prefix="waypost-step")
        try:
            while (ready or running) and not plan.stop_event.is_set():
                if len(ready) == 1 and not running:
                    # Nothing else can start until this step ends: run it here and skip
                    # two thread hand-offs (most of a chain's per-step overhead).
                    name = ready.pop()
                    done[name] = plan.run(steps[name], done)
                    self._release(plan, name, steps, waiting, dependents, done, ready)
                    continue
                while ready and len(running) < plan.max_parallel:
                    name = ready.pop(0)
                    # Cache look-ups run here: a hit costs about a millisecond, less than a
                    # hand-off to a worker thread and back.
                    lookup = plan.check_cache(steps[name], done)
                    if isinstance(lookup, StepOutcome):
                        done[name] = lookup
                        self._release(plan, name, steps, waiting, dependents, done, ready)
                        continue
                    running[pool.submit(plan.execute, steps[name], done, lookup)] = name
                if not running:
                    continue
                plan.runner.flush()  # queued cache hits become visible while we wait
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    name = running.pop(fut)
                    done[name] = fut.result()
                    self._release(plan, name, steps, waiting, dependents, done, ready)
        except KeyboardInterrupt:
            # A thread cannot be interrupted: do not wait for the running steps, so the run is
            # recorded as stopped at once; each records itself stopped when its function returns.
            plan.stop_event.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        except BaseException:
            plan.stop_event.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return done

    def _release(
        self,
        plan: ExecutionPlan,
        name: str,
        steps: dict[str, StepSpec],
        waiting: dict[str, set[str]],
        dependents: dict[str, list[str]],
        done: dict[str, StepOutcome],
        ready: list[str],
    ) -> None:
        queue = [name]
        while queue:
            current = queue.pop()
            for child in dependents[current]:
                waiting[child].discard(current)
                if waiting[child] or child in done:
                    continue
                if plan.blocked(steps[child], done):
                    done[child] = plan.skip(steps[child], done)
                    queue.append(child)
                else:
                    ready.append(child)
