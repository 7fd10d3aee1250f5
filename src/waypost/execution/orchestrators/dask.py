"""The dask orchestrator: each step a task on a Dask ``distributed`` cluster.

The launching process keeps the DAG: a step is submitted when its upstream steps have ended,
after a cache look-up here (a hit costs a query, less than a round trip to a worker). A task
carries only references — the step's name, its pickled function, the upstream outputs' artifact
version records (ids and URIs), the cache miss — and, once per run and broadcast to every worker,
the run's context: the settings this process uses (store URL, artifact store), the run, the
pipeline spec and the artifact store of the run's stack. On the worker the step runs through a
:class:`~waypost.execution.runner.StepRunner` against the store opened from those settings, so
loading inputs, retries, logs, resource samples and recording are the local orchestrator's; the
worker's host and process id are recorded as the step's metadata ``worker.host`` / ``worker.pid``.

With no ``scheduler_address`` a ``LocalCluster`` of worker processes starts for the run and stops
after it. ``distributed`` is imported only here, when a run's stack has a dask orchestrator.

A script that runs a pipeline on a LocalCluster of processes must guard its entry point with
``if __name__ == "__main__":`` (worker processes are spawned, and import the main module).
"""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import pickle
import queue
import socket
import sys
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from waypost.artifacts.store import ArtifactStore
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, WaypostError
from waypost.execution.orchestrators.base import ExecutionPlan, Orchestrator
from waypost.execution.runner import CacheMiss, StepOutcome, StepRunner
from waypost.schemas import ArtifactVersionRead, PipelineSpec, RunRead, StepSpec
from waypost.settings import WaypostSettings
from waypost.stacks.builtin.orchestrators import (
    VERIFY_TIMEOUT_S,
    DaskOrchestratorConfig,
    import_distributed,
    unreachable,
)

__all__ = ["DaskOrchestrator"]

#: How often (seconds) the launching process looks up from waiting on tasks: stop requests, cache-hit records.
_POLL_S = 0.25


@dataclass
class _Context:
    """What every task of a run needs, sent to each worker once per run."""

    settings: WaypostSettings
    artifact_store: ArtifactStore
    run: RunRead
    spec: PipelineSpec
    model_version: Any
    prefix: str
    redact: tuple[str, ...] = ()


log = logging.getLogger(__name__)

#: LocalClusters this process started, by their options, with their clients: the next run with the
#: same options reuses one (starting worker processes costs a second or two) and exit closes them.
_LOCAL_CLUSTERS: dict[tuple[tuple[str, Any], ...], tuple[Any, Any]] = {}
_LOCAL_LOCK = threading.Lock()


def _shared_local_cluster(distributed: Any, options: dict[str, Any], component: str) -> Any:
    """A client of this process's LocalCluster with ``options``, started on first use (or again if it died)."""
    key = tuple(sorted(options.items()))
    with _LOCAL_LOCK:
        known = _LOCAL_CLUSTERS.get(key)
        if known is not None:
            cluster, client = known
            if str(getattr(cluster, "status", "")).endswith("running") and client.status == "running":
                return client
            _close(known)
            del _LOCAL_CLUSTERS[key]
        try:
            cluster = distributed.LocalCluster(**options)
        except Exception as exc:
            raise ConfigurationError(
                f"The Dask LocalCluster of the orchestrator component '{component}' did not start "
                f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); check n_workers and memory_limit."
            ) from None
        try:
            client = distributed.Client(cluster, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        if not _LOCAL_CLUSTERS:
            atexit.register(close_local_clusters)
        _LOCAL_CLUSTERS[key] = (cluster, client)
        return client


def _close(pair: tuple[Any, Any]) -> None:
    cluster, client = pair
    for thing in (client, cluster):
        try:
            thing.close()
        except Exception as exc:  # already gone: nothing to free
            log.debug("Closing a Dask LocalCluster: %s", exc)


def close_local_clusters() -> None:
    """Close the LocalClusters this process started (at exit; tests call it too)."""
    with _LOCAL_LOCK:
        for pair in _LOCAL_CLUSTERS.values():
            _close(pair)
        _LOCAL_CLUSTERS.clear()


class DaskOrchestrator(Orchestrator):
    """Run each step as a task on a Dask cluster (``config.scheduler_address``) or on a LocalCluster."""

    name = "dask"

    def __init__(
        self,
        config: DaskOrchestratorConfig | None = None,
        component: str = "dask",
        settings: WaypostSettings | None = None,
    ) -> None:
        """``settings``: those the launching process opened its store with (default: the environment's);
        the workers open the same store and artifact store with them."""
        self.config = config or DaskOrchestratorConfig()
        self.component = component
        self.settings = settings

    # -- the cluster -------------------------------------------------------------------
    def _connect(self, distributed: Any) -> Any:
        """A client of the configured scheduler, or of this process's LocalCluster (started on first use)."""
        cfg = self.config
        if cfg.scheduler_address is not None:
            try:
                client = distributed.Client(cfg.scheduler_address, timeout=VERIFY_TIMEOUT_S, set_as_default=False)
            except Exception as exc:  # OSError, TimeoutError, TLS errors: the scheduler cannot be reached
                text = unreachable(cfg.scheduler_address, exc).replace(
                    "the orchestrator's", f"scheduler_address of the orchestrator component '{self.component}'"
                )
                raise ConfigurationError(text.replace(" scheduler_address.", ".")) from None
            return client
        options: dict[str, Any] = {
            "n_workers": cfg.n_workers,
            "threads_per_worker": cfg.threads_per_worker,
            "processes": cfg.processes,
            "dashboard_address": ":0",  # a free port: a cluster kept for later runs blocks no other
            "silence_logs": logging.ERROR,
        }
        if cfg.memory_limit is not None:
            options["memory_limit"] = cfg.memory_limit
        return _shared_local_cluster(distributed, options, self.component)

    # -- the run -----------------------------------------------------------------------
    def execute(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
        try:
            distributed = import_distributed()
        except ImportError as exc:
            raise ConfigurationError(str(exc)) from None
        # Every function is pickled before anything starts: one that cannot be fails its step, and the run.
        functions: dict[str, bytes] = {}
        for s in plan.spec.steps:
            packed = _pack(s.name, plan.runner.functions[s.name])
            if isinstance(packed, str):
                plan.runner.store.steps.set_status(plan.runner.run.id, [s.name], ExecutionStatus.FAILED, packed)
                outcome = StepOutcome(s.name, ExecutionStatus.FAILED, error=packed)
                plan.notify("end", s, outcome)
                return {s.name: outcome}
            functions[s.name] = packed
        client = self._connect(distributed)
        try:
            return self._run(plan, client, functions)
        finally:
            if self.config.scheduler_address is not None:  # this process's LocalCluster stays for its next run
                client.close()

    def _run(self, plan: ExecutionPlan, client: Any, functions: dict[str, bytes]) -> dict[str, StepOutcome]:
        runner = plan.runner
        steps = {s.name: s for s in plan.spec.steps}
        done: dict[str, StepOutcome] = {}
        context = client.scatter(
            _Context(
                settings=self.settings or _environment_settings(),
                artifact_store=runner.artifact_store,
                run=runner.run,
                spec=plan.spec,
                model_version=runner.model_version,
                prefix=runner.prefix,
                redact=runner.redact,
            ),
            broadcast=True,
            hash=False,
        )
        waiting = {s.name: set(s.upstream) for s in plan.spec.steps}
        dependents: dict[str, list[str]] = {n: [] for n in steps}
        for s in plan.spec.steps:
            for up in s.upstream:
                dependents[up].append(s.name)
        ready = [n for n, ups in waiting.items() if not ups]
        running: dict[Any, str] = {}
        finished: queue.Queue[Any] = queue.Queue()  # tasks that ended, put there by the client's thread
        try:
            while (ready or running) and not plan.stop_event.is_set():
                while ready:
                    name = ready.pop(0)
                    step = steps[name]
                    lookup = plan.check_cache(step, done)
                    if isinstance(lookup, StepOutcome):
                        done[name] = lookup
                        ready.extend(_release(plan, name, steps, waiting, dependents, done))
                        continue
                    runner.flush()  # cache hits before this step are recorded before it starts
                    plan.notify("start", step)
                    upstream = {up: done[up].outputs for up in step.upstream}
                    future = client.submit(
                        _run_step,
                        context,
                        name,
                        functions[name],
                        upstream,
                        lookup,
                        key=f"waypost-{runner.run.id.hex}-{name}",
                        pure=False,
                    )
                    running[future] = name
                    future.add_done_callback(finished.put)
                if not running:
                    continue
                runner.flush()
                try:
                    ended = [finished.get(timeout=_POLL_S)]
                except queue.Empty:
                    continue
                while not finished.empty():
                    ended.append(finished.get_nowait())
                for future in ended:
                    name = running.pop(future)
                    done[name] = _outcome(plan, steps[name], future)
                    plan.notify("end", steps[name], done[name])
                    ready.extend(_release(plan, name, steps, waiting, dependents, done))
        except BaseException:
            plan.stop_event.set()
            raise
        finally:
            if running:  # stopped: tasks not yet started never start; running ones' results are dropped
                client.cancel(list(running), force=True)
        return done


def _environment_settings() -> WaypostSettings:
    from waypost.execution import runtime

    return runtime.current().settings


def _pack(name: str, function: Any) -> bytes | str:
    """A step's function for the workers: a reference (module, name) when it is importable, else pickled by
    value; or the one-line reason it cannot be sent."""
    import cloudpickle

    reference = _reference(function)
    try:
        return bytes(cloudpickle.dumps(reference or function))
    except Exception as exc:
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
        return (
            f"Step '{name}' cannot be sent to the Dask workers: its function cannot be pickled ({detail}); define "
            "the step at module level in an importable module, and keep locks, connections and open files out "
            "of its closure."
        )


def _reference(function: Any) -> tuple[str, str] | None:
    """``(module, qualified name)`` of a module-level step function (workers import it: tracebacks keep its
    file and lines); None for one defined in ``__main__`` or inside a function."""
    module, qualname = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
    if not module or module == "__main__" or "<locals>" in qualname or module not in sys.modules:
        return None
    found: Any = sys.modules[module]
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return (module, qualname) if found is function or getattr(found, "entrypoint", None) is function else None


def _unpack(packed: bytes) -> Any:
    """The function :func:`_pack` sent (an importable one imported here)."""
    import cloudpickle

    value = cloudpickle.loads(packed)
    if not isinstance(value, tuple):
        return value
    module, qualname = value
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return getattr(found, "entrypoint", found)


def _release(
    plan: ExecutionPlan,
    name: str,
    steps: dict[str, StepSpec],
    waiting: dict[str, set[str]],
    dependents: dict[str, list[str]],
    done: dict[str, StepOutcome],
) -> list[str]:
    """The steps that became ready when ``name`` ended; downstream steps of a failure are skipped."""
    ready: list[str] = []
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
    return ready


def _outcome(plan: ExecutionPlan, step: StepSpec, future: Any) -> StepOutcome:
    """The outcome a finished task returned; a task that failed outside the step (a worker lost) fails it."""
    if future.status == "finished":
        try:
            outcome: StepOutcome = future.result()
            return outcome
        except Exception as exc:  # the result could not be fetched or unpickled here
            error: BaseException = exc
    else:
        error = future.exception() if future.status == "error" else WaypostError(f"task {future.status}")
    message = f"Step '{step.name}' failed on the Dask cluster: {type(error).__name__}: {' '.join(str(error).split())}"
    plan.runner.store.steps.set_status(plan.runner.run.id, [step.name], ExecutionStatus.FAILED, message)
    return StepOutcome(step.name, ExecutionStatus.FAILED, error=message, exception=error)


# -- on the worker ---------------------------------------------------------------------------


def _run_step(
    context: _Context,
    name: str,
    function: bytes,
    upstream: dict[str, dict[str, ArtifactVersionRead]],
    miss: CacheMiss,
) -> StepOutcome:
    """Run one step on a worker: open the store from the launcher's settings, run, record, return the outcome."""
    from waypost.execution import runtime

    step = next(s for s in context.spec.steps if s.name == name)
    rt = runtime.current(context.settings)
    try:
        fn = _unpack(function)
    except Exception as exc:
        hint = (
            f"install {exc.name} on the workers"
            if isinstance(exc, ModuleNotFoundError) and exc.name
            else "make the step's module importable on the workers (same code and packages as the launcher)"
        )
        message = (
            f"Step '{name}' cannot be loaded on Dask worker {socket.gethostname()}: {type(exc).__name__}: "
            f"{' '.join(str(exc).split())[:160]}; {hint}."
        )
        rt.store.steps.set_status(context.run.id, [name], ExecutionStatus.FAILED, message)
        return StepOutcome(name, ExecutionStatus.FAILED, error=message)
    runner = StepRunner(
        run=context.run,
        spec=context.spec,
        functions={name: fn},
        store=rt.store,
        artifact_store=context.artifact_store,
        registry=rt.registry,
        settings=context.settings.execution,
        model_version=context.model_version,
        stop_event=threading.Event(),
        trust=context.settings.artifacts,
        prefix=context.prefix,
        locator=lambda: _locator(rt),
    )
    runner.on_start = lambda s, step_run_id: _record_worker(rt, context.run.id, step_run_id)
    runner.redact = context.redact
    outcome = runner.execute(step, upstream, miss)
    if outcome.exception is not None and not _round_trips(outcome.exception):
        outcome.exception = WaypostError(outcome.error or type(outcome.exception).__name__)
    return outcome


def _record_worker(rt: Any, run_id: uuid.UUID, step_run_id: uuid.UUID) -> None:
    """The worker's host and process as the step run's metadata (best effort: never fails the step)."""
    from waypost.execution.metadata import entries_for

    try:
        rt.store.metadata.add(
            entries_for(
                {"worker.host": socket.gethostname(), "worker.pid": os.getpid()}, run_id=run_id, step_run_id=step_run_id
            )
        )
    except Exception:
        logging.getLogger(__name__).warning("Could not record the worker of step run %s", step_run_id)


def _round_trips(exc: BaseException) -> bool:
    """Whether an exception survives pickling back to the launcher (custom ``__init__`` signatures may not)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


def _locator(rt: Any) -> Any:
    """Where a worker finds artifacts outside the run's store (as the launcher's runs do)."""
    from waypost.artifacts import locate

    stacks = getattr(rt.store, "stacks", None) if rt.store.capabilities.local_database else None
    return locate.locator(rt.artifact_store, stacks)
