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

With no ``scheduler_address`` a ``LocalCluster`` of worker processes starts on first use and stays
for the process's later runs. ``distributed`` is imported only here, when a run's stack has a dask
orchestrator.

Workers open the store with the launcher's settings, or (``server_url`` / ``worker_api_key`` of the
component) report to a Waypost server with a service account's API key. A step's resource hints
(cpu_count, gpu_count, memory) become Dask resources ``CPU``, ``GPU``, ``MEMORY`` where the workers
offer them; a GPU hint no worker offers fails the step before anything runs.

A worker that dies mid-step: the scheduler runs the task again on another worker; that attempt
finds the step run the lost one recorded (noted in the scheduler's metadata) and goes on with
it, counting the lost attempt against the step's retries. A scheduler that goes away mid-run
raises :class:`OrchestratorLostError` (the run is recorded crashed). A worker beats the run's
heartbeat while its step runs: a run stopped from the CLI or the dashboard stops its steps there.

Detached (:meth:`DaskOrchestrator.detach`), the launcher submits one supervising task that runs
this same loop on the cluster (seceded from its worker's slots) and records the run's end.

A script that runs a pipeline on a LocalCluster of processes must guard its entry point with
``if __name__ == "__main__":`` (worker processes are spawned, and import the main module).
"""

from __future__ import annotations

import atexit
import contextlib
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
from datetime import UTC, datetime
from typing import Any, ClassVar

from waypost.artifacts.store import ArtifactStore
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, WaypostError
from waypost.execution.hooks import KEY_PREFIX as HOOK_PREFIX
from waypost.execution.orchestrators.base import ExecutionPlan, Orchestrator, OrchestratorLostError
from waypost.execution.runner import CacheMiss, Resume, StepOutcome, StepRunner
from waypost.schemas import ArtifactVersionRead, AttemptRead, PipelineSpec, RunRead, StepRunFinish, StepSpec
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
#: How long (seconds) the client may be without its scheduler before the run is declared crashed.
_LOST_AFTER_S = 5.0
#: Step resource hints → Dask resource names.
_RESOURCES = {"cpu_count": "CPU", "gpu_count": "GPU", "memory": "MEMORY"}


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
    hooks: dict[str, bytes] | None = None
    """The run's hook functions (see :mod:`waypost.execution.hooks`), pickled as the steps' are."""


log = logging.getLogger(__name__)


class _Packed:
    """A run's context as bytes; unpickled once per worker process (the last few runs' are kept)."""

    _loaded: ClassVar[dict[bytes, _Context]] = {}

    def __init__(self, blob: bytes) -> None:
        import hashlib

        self.blob = blob
        self.digest = hashlib.sha256(blob).digest()

    def load(self) -> _Context:
        known = self._loaded.get(self.digest)
        if known is None:
            import cloudpickle

            known = cloudpickle.loads(self.blob)
            if len(self._loaded) >= 8:
                self._loaded.pop(next(iter(self._loaded)))
            self._loaded[self.digest] = known
        return known


def cloudpickle_dumps(value: Any) -> bytes:
    import cloudpickle

    return bytes(cloudpickle.dumps(value))


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
        the workers open the same store and artifact store with them, unless the component names a
        server (``server_url``) or a service account's key (``worker_api_key``) for them."""
        self.config = config or DaskOrchestratorConfig()
        self.component = component
        self.settings = settings

    @property
    def can_detach(self) -> bool:  # type: ignore[override]
        """A run outlives its launcher only on a scheduler of its own (a LocalCluster ends with the process)."""
        return self.config.scheduler_address is not None

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
        offered = getattr(cfg, "worker_resources", None)
        if offered:
            options["resources"] = tuple(sorted(offered.items()))  # hashable: the options are a cluster's key
        return _shared_local_cluster(distributed, options, self.component)

    def _remote(self) -> str | None:
        """The scheduler's address when it is on another machine (None: this machine's)."""
        address = self.config.scheduler_address
        if address is None:
            return None
        host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
        here = {"127.0.0.1", "localhost", "::1", "0.0.0.0", socket.gethostname()}
        with contextlib.suppress(OSError):
            here.add(socket.gethostbyname(socket.gethostname()))
        return None if host in here or host.startswith("127.") else address

    def worker_settings(self, launcher: WaypostSettings, artifact_store: ArtifactStore) -> WaypostSettings:
        """The settings workers open the store with; ConfigurationError in one line when they could not
        reach the run's store or artifact store (checked before anything is submitted)."""
        cfg, remote = self.config, self._remote()
        server_url: str | None = getattr(cfg, "server_url", None)
        api_key: str | None = getattr(cfg, "worker_api_key", None)
        where = f"the orchestrator component '{self.component}'"
        update: dict[str, Any] = {}
        if server_url:
            if not api_key:
                raise ConfigurationError(
                    f"{where[0].upper()}{where[1:]} sends its workers to the server {server_url} but has no "
                    "worker_api_key; set it to a service account's API key, e.g. {{secret.dask-workers.api_key}}."
                )
            update = {"url": server_url, "api_key": api_key, "api_key_id": None}
        elif launcher.store_is_remote:
            if api_key:
                update = {"api_key": api_key, "api_key_id": None}
            elif remote:
                raise ConfigurationError(
                    f"The Dask workers at {remote} need a service account's API key to report to the server; set "
                    f"worker_api_key of {where} to one, e.g. {{{{secret.dask-workers.api_key}}}}."
                )
        elif remote and launcher.store_url.startswith("sqlite"):
            raise ConfigurationError(
                f"The run's store is a SQLite file on this machine, which the Dask workers at {remote} cannot reach; "
                f"set server_url and worker_api_key of {where}, or use a PostgreSQL or MySQL store."
            )
        if remote and artifact_store.is_local:
            raise ConfigurationError(
                f"The run's artifact store ({artifact_store.uri}) is a folder on this machine, which the Dask "
                f"workers at {remote} cannot reach; give the stack an s3 (or other shared) artifact store."
            )
        if not update:
            return launcher
        return launcher.model_copy(update={"store": launcher.store.model_copy(update=update)})

    # -- the run -----------------------------------------------------------------------
    def _prepare(self, plan: ExecutionPlan) -> tuple[Any, dict[str, bytes] | StepOutcome, _Context]:
        """``distributed``, the steps' functions pickled (or the failed outcome of one that cannot be), and
        the context the workers get."""
        try:
            distributed = import_distributed()
        except ImportError as exc:
            raise ConfigurationError(str(exc)) from None
        runner = plan.runner
        context = _Context(
            settings=self.worker_settings(self.settings or _environment_settings(), runner.artifact_store),
            artifact_store=runner.artifact_store,
            run=runner.run,
            spec=plan.spec,
            model_version=runner.model_version,
            prefix=runner.prefix,
            redact=runner.redact,
            hooks=_pack_hooks(runner.functions),
        )
        # Every function is pickled before anything starts: one that cannot be fails its step, and the run.
        functions: dict[str, bytes] = {}
        for s in plan.spec.steps:
            packed = _pack(s.name, runner.functions[s.name])
            if isinstance(packed, str):
                return distributed, _fail(plan, s, packed), context
            functions[s.name] = packed
        return distributed, functions, context

    def execute(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
        distributed, functions, context = self._prepare(plan)
        if isinstance(functions, StepOutcome):
            return {functions.name: functions}
        client = self._connect(distributed)
        try:
            return self._run(plan, client, functions, context)
        finally:
            if self.config.scheduler_address is not None:  # this process's LocalCluster stays for its next run
                client.close()

    def detach(self, plan: ExecutionPlan) -> None:
        """Submit a supervising task that runs the whole plan on the cluster and records the run's end."""
        distributed, functions, context = self._prepare(plan)
        if isinstance(functions, StepOutcome):
            raise WaypostError(functions.error or f"Step '{functions.name}' cannot be sent to the Dask workers.")
        client = self._connect(distributed)
        try:
            future = client.submit(
                _supervise,
                context,
                functions,
                self.config,
                self.component,
                plan.max_parallel,
                key=_task_key(plan.runner.run.id, None),
                pure=False,
            )
            distributed.fire_and_forget(future)
        finally:
            client.close()

    def _run(
        self, plan: ExecutionPlan, client: Any, functions: dict[str, bytes], context: _Context
    ) -> dict[str, StepOutcome]:
        runner = plan.runner
        steps = {s.name: s for s in plan.spec.steps}
        done: dict[str, StepOutcome] = {}
        resources = _resources(client, plan.spec.steps, self.component)
        if isinstance(resources, tuple):  # checked before any step runs
            name, message = resources
            return {name: _fail(plan, steps[name], message)}
        # The context goes with each task as bytes (pickled once here, unpickled once per worker process):
        # scattered data is lost with a worker that dies, and its tasks with it.
        shared = _Packed(cloudpickle_dumps(context))
        waiting = {s.name: set(s.upstream) for s in plan.spec.steps}
        dependents: dict[str, list[str]] = {n: [] for n in steps}
        for s in plan.spec.steps:
            for up in s.upstream:
                dependents[up].append(s.name)
        ready = [n for n, ups in waiting.items() if not ups]
        running: dict[Any, str] = {}
        finished: queue.Queue[Any] = queue.Queue()  # tasks that ended, put there by the client's thread
        lost_since: float | None = None
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
                    key = _task_key(runner.run.id, name)
                    future = client.submit(
                        _run_step,
                        shared,
                        name,
                        functions[name],
                        upstream,
                        lookup,
                        key=key,
                        pure=False,
                        resources=resources.get(name) or None,
                    )
                    running[future] = name
                    future.add_done_callback(finished.put)
                if not running:
                    continue
                runner.flush()
                try:
                    ended = [finished.get(timeout=_POLL_S)]
                except queue.Empty:
                    lost_since = self._check_scheduler(client, lost_since)
                    continue
                while not finished.empty():
                    ended.append(finished.get_nowait())
                if client.status != "running" and any(f.status == "cancelled" for f in ended):
                    lost_since = self._check_scheduler(client, lost_since, wait=True)
                fetched = _gather(client, ended)
                for future in ended:
                    name = running.pop(future)
                    done[name] = _outcome(plan, steps[name], future, fetched.get(future))
                    plan.notify("end", steps[name], done[name])
                    ready.extend(_release(plan, name, steps, waiting, dependents, done))
        except BaseException:
            plan.stop_event.set()
            raise
        finally:
            if running and client.status == "running":  # stopped: queued tasks never start; running ones stop
                client.cancel(list(running), force=True)
        return done

    def _check_scheduler(self, client: Any, since: float | None, *, wait: bool = False) -> float | None:
        """Raise OrchestratorLostError once the client has been without its scheduler for a while."""
        import time

        if client.status == "running":
            return None
        now = time.monotonic()
        since = since if since is not None else now
        while wait and client.status != "running" and time.monotonic() - since < _LOST_AFTER_S:
            time.sleep(0.1)
        if client.status != "running" and (time.monotonic() - since >= _LOST_AFTER_S or client.status == "closed"):
            where = self.config.scheduler_address or "this process's LocalCluster"
            raise OrchestratorLostError(
                f"The Dask scheduler at {where} went away while the run was running and its steps were lost; "
                "restart the scheduler and run the pipeline again (finished steps come from the cache)."
            )
        return since


def _task_key(run_id: uuid.UUID, step: str | None) -> str:
    """The Dask key of a step's task (``None``: the supervising task of a detached run)."""
    return f"waypost-{run_id.hex}-{step}" if step is not None else f"waypost-{run_id.hex}-run"


def _fail(plan: ExecutionPlan, step: StepSpec, message: str) -> StepOutcome:
    """Record ``step`` failed before it ran (its function cannot be sent, no worker offers its resources)."""
    plan.runner.store.steps.set_status(plan.runner.run.id, [step.name], ExecutionStatus.FAILED, message)
    outcome = StepOutcome(step.name, ExecutionStatus.FAILED, error=message)
    plan.notify("end", step, outcome)
    return outcome


def _resources(client: Any, steps: list[StepSpec], component: str) -> dict[str, dict[str, float]] | tuple[str, str]:
    """The Dask resources each step asks for; ``(step, message)`` for a step no worker can take.

    A hint for a resource no worker offers: CPU and MEMORY are left to Dask's own placement (they
    are hints), GPU fails the step. One the workers offer, but none enough of, fails it too."""
    wanted: dict[str, dict[str, float]] = {}
    for step in steps:
        hints = step.settings.resources
        asked: dict[str, float] = {}
        for field, resource in _RESOURCES.items():
            value = getattr(hints, field)
            if value in (None, 0):
                continue
            if field == "memory":
                try:
                    from dask.utils import parse_bytes

                    value = parse_bytes(str(value))
                except ValueError:
                    return step.name, (
                        f"Step '{step.name}' asks for memory '{value}', which is not a size; write it like '4GiB'."
                    )
            asked[resource] = float(value)
        if asked:
            wanted[step.name] = asked
    if not wanted:
        return {}
    workers = list(client.scheduler_info().get("workers", {}).values())
    offers = [w.get("resources") or {} for w in workers]
    placed: dict[str, dict[str, float]] = {}
    for name, asked in wanted.items():
        kept: dict[str, float] = {}
        for resource, amount in asked.items():
            most = max((float(o.get(resource, 0)) for o in offers), default=0.0)
            if most == 0 and resource != "GPU":
                continue
            if most < amount:
                offered = "none offers it" if most == 0 else f"the largest offers {most:g}"
                return name, (
                    f"Step '{name}' asks for {amount:g} {resource} but no worker of the Dask cluster has that "
                    f'({offered}); start workers with --resources "{resource}={amount:g}" or set worker_resources '
                    f"of the orchestrator component '{component}'."
                )
            kept[resource] = amount
        if kept:
            placed[name] = kept
    return placed


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


def _pack_hooks(functions: dict[str, Any]) -> dict[str, bytes]:
    """The run's hook functions for the workers, as steps' are sent. One that cannot be pickled is left out: the
    worker imports it from its source, or logs in one line that it cannot (a hook never fails a step)."""
    packed: dict[str, bytes] = {}
    for key, function in functions.items():
        if key.startswith(HOOK_PREFIX):
            value = _pack(key, function)
            if isinstance(value, bytes):
                packed[key] = value
    return packed


def _unpack_hooks(context: _Context) -> dict[str, Any]:
    """The hook functions :func:`_pack_hooks` sent (those that load here; the others are imported when called)."""
    found: dict[str, Any] = {}
    for key, blob in (context.hooks or {}).items():
        try:
            found[key] = _unpack(blob)
        except Exception as exc:
            log.debug("Hook %s cannot be loaded here (%s); it is imported from its source when called.", key, exc)
    return found


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


def _gather(client: Any, futures: list[Any]) -> dict[Any, StepOutcome]:
    """The outcomes of finished tasks, fetched together (one round trip for the lot, not one each)."""
    done = [f for f in futures if f.status == "finished"]
    if len(done) < 2:
        return {}
    try:
        return dict(zip(done, client.gather(done), strict=True))
    except Exception as exc:  # fetched one by one instead, each failure on its own step
        log.debug("Gathering %d outcomes: %s", len(done), exc)
        return {}


def _outcome(plan: ExecutionPlan, step: StepSpec, future: Any, fetched: StepOutcome | None = None) -> StepOutcome:
    """The outcome a finished task returned; a task that failed outside the step (a worker lost) fails it."""
    if fetched is not None:
        return fetched
    if future.status == "finished":
        try:
            outcome: StepOutcome = future.result()
            return outcome
        except Exception as exc:  # the result could not be fetched or unpickled here
            error: BaseException = exc
    else:
        state = getattr(future, "_state", None)
        error = (
            future.exception()
            if future.status == "error"
            else getattr(state, "exception", None) or WaypostError(f"task {future.status}")
        )
    message = f"Step '{step.name}' failed on the Dask cluster: {type(error).__name__}: {' '.join(str(error).split())}"
    plan.runner.store.steps.set_status(plan.runner.run.id, [step.name], ExecutionStatus.FAILED, message)
    return StepOutcome(step.name, ExecutionStatus.FAILED, error=message, exception=error)


# -- on the worker ---------------------------------------------------------------------------


def _run_step(
    packed: _Packed,
    name: str,
    function: bytes,
    upstream: dict[str, dict[str, ArtifactVersionRead]],
    miss: CacheMiss,
) -> StepOutcome:
    """Run one step on a worker: open the store from the context's settings, run, record, return the outcome."""
    from waypost.execution import runtime

    context = packed.load()
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
    from distributed import get_client

    scheduler: Any = get_client()
    noted = _task_key(context.run.id, name)  # the scheduler drops a task's metadata when it forgets the task
    resume, failed = _after_lost_attempts(rt, context, step, scheduler.get_metadata(noted, default=None) or {})
    if failed is not None:
        return failed
    stop = threading.Event()
    runner = StepRunner(
        run=context.run,
        spec=context.spec,
        functions={name: fn, **_unpack_hooks(context)},
        store=rt.store,
        artifact_store=context.artifact_store,
        registry=rt.registry,
        settings=context.settings.execution,
        model_version=context.model_version,
        stop_event=stop,
        trust=context.settings.artifacts,
        prefix=context.prefix,
        locator=lambda: _locator(rt),
    )
    earlier = [a.model_dump(mode="json") for a in resume.attempts] if resume else []

    def started(s: StepSpec, step_run_id: uuid.UUID) -> None:
        worker = f"{socket.gethostname()} (pid {os.getpid()})"
        note = {"step_run_id": str(step_run_id), "started_at": _now().isoformat(), "worker": worker, "lost": earlier}
        # What the next attempt finds if this worker dies; sent without waiting for the answer.
        scheduler.loop.add_callback(scheduler.scheduler.set_metadata, keys=[noted], value=note)
        _record_worker(rt, context.run.id, step_run_id)

    runner.on_start = started
    runner.redact = context.redact

    _RunBeats.join(rt, context, stop)
    try:
        outcome = runner.execute(step, upstream, miss, resume)
    finally:
        _RunBeats.leave(context.run.id, stop)
    if outcome.exception is not None and not _round_trips(outcome.exception):
        outcome.exception = WaypostError(outcome.error or type(outcome.exception).__name__)
    return outcome


def _now() -> datetime:
    return datetime.now(UTC)


def _beat_key(run_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(run_id, "dask-worker")


class _RunBeats:
    """One heartbeat per run per worker process, however many of its steps run there (one update of the run's
    row per process and interval, not one per step: a thousand steps beating would queue on that row's lock).
    A beat that finds the run no longer active (stopped from the CLI or the dashboard) stops all its steps here."""

    _lock = threading.Lock()
    _stops: ClassVar[dict[uuid.UUID, set[threading.Event]]] = {}

    @classmethod
    def join(cls, rt: Any, context: _Context, stop: threading.Event) -> None:
        from waypost.execution.heartbeat import Heartbeats

        run_id = context.run.id
        with cls._lock:
            first = run_id not in cls._stops
            cls._stops.setdefault(run_id, set()).add(stop)
        if first:  # keyed apart from the launcher's beat of the run (a LocalCluster of threads shares its process)
            every = context.settings.execution.heartbeat_interval_s
            Heartbeats.shared().add(_beat_key(run_id), lambda: cls._beat(rt, run_id), every)

    @classmethod
    def leave(cls, run_id: uuid.UUID, stop: threading.Event) -> None:
        from waypost.execution.heartbeat import Heartbeats

        with cls._lock:
            stops = cls._stops.get(run_id, set())
            stops.discard(stop)
            if stops:
                return
            cls._stops.pop(run_id, None)
        Heartbeats.shared().remove(_beat_key(run_id))

    @classmethod
    def _beat(cls, rt: Any, run_id: uuid.UUID) -> None:
        try:
            active = rt.store.runs.heartbeat(run_id)
        except Exception as exc:  # a busy store: the next beat asks again
            log.debug("A worker's heartbeat failed: %s", exc)
            return
        if active is False:
            with cls._lock:
                stops = list(cls._stops.get(run_id, ()))
            for stop in stops:
                stop.set()


def _after_lost_attempts(
    rt: Any, context: _Context, step: StepSpec, state: dict[str, Any]
) -> tuple[Resume | None, StepOutcome | None]:
    """For a task run again after its worker died: the step run to go on with, or (no retries left) the
    step recorded failed. ``(None, None)`` for a first attempt."""
    if not state.get("step_run_id"):
        return None, None
    lost = [AttemptRead.model_validate(a) for a in state.get("lost", [])]
    started = datetime.fromisoformat(state["started_at"])
    worker = state.get("worker", "?")
    lost.append(
        AttemptRead(
            number=len(lost) + 1,
            status=ExecutionStatus.FAILED,
            started_at=started,
            ended_at=_now(),
            error=f"WorkerLost: the Dask worker {worker} running it died.",
        )
    )
    retry = step.settings.retry
    tries = 1 + (retry.max_retries if retry else 0)
    step_run_id = uuid.UUID(state["step_run_id"])
    first = datetime.fromisoformat(lost[0].started_at.isoformat()) if lost else started
    if len(lost) < tries:
        return Resume(step_run_id, first, lost), None
    message = (
        f"The Dask worker {worker} running step '{step.name}' died ({len(lost)} of {tries} attempts lost); check the "
        "worker's memory and logs, or give the step retries (retry max_retries) to run it on another worker."
    )
    rt.store.steps.finish(
        step_run_id,
        context.run.id,
        StepRunFinish(
            status=ExecutionStatus.FAILED,
            ended_at=_now(),
            error_type="WorkerLost",
            error_message=message,
            attempts=lost if len(lost) > 1 else [],
        ),
        {},
    )
    return None, StepOutcome(step.name, ExecutionStatus.FAILED, error=message)


def _supervise(
    context: _Context, functions: dict[str, bytes], config: DaskOrchestratorConfig, component: str, max_parallel: int
) -> None:
    """A detached run, on a worker: the launcher's loop and end of run, with a client of this worker."""
    from distributed import get_client, worker_client

    from waypost.execution import launcher, runtime

    rt = runtime.current(context.settings)
    stop = threading.Event()
    runner = StepRunner(
        run=context.run,
        spec=context.spec,
        functions=_unpack_hooks(context),
        store=rt.store,
        artifact_store=context.artifact_store,
        registry=rt.registry,
        settings=context.settings.execution,
        model_version=context.model_version,
        stop_event=stop,
        trust=context.settings.artifacts,
        prefix=context.prefix,
        locator=lambda: _locator(rt),
    )
    runner.redact = context.redact
    plan = ExecutionPlan(spec=context.spec, runner=runner, max_parallel=max_parallel, stop_event=stop)

    class _OnThisCluster(DaskOrchestrator):
        def execute(self, plan: ExecutionPlan) -> dict[str, StepOutcome]:
            with worker_client(separate_thread=True) as client:  # seceded: this task holds no worker slot
                return self._run(plan, client, functions, context)

    orchestrator = _OnThisCluster(config, component, context.settings)
    scheduler: Any = get_client()
    noted = _task_key(context.run.id, None)
    before = scheduler.get_metadata(noted, default=None)
    if before:  # the scheduler started this task again: the worker that supervised the run died
        reason = (
            f"The Dask worker {before} supervising the detached run died, and with it the run; run the pipeline "
            "again (finished steps come from the cache)."
        )
        launcher.finish_run(rt, context.run, context.spec, {}, ExecutionStatus.CRASHED, reason)
        return
    scheduler.set_metadata(noted, f"{socket.gethostname()} (pid {os.getpid()})")
    try:
        launcher.drive(rt, plan, orchestrator, model_version=context.model_version, raise_on_failure=False)
    except KeyboardInterrupt:  # stopped: drive recorded it
        return
    except Exception as exc:  # recorded by drive as the orchestrator's failure; nobody waits on this task
        log.warning("Detached run %s ended with %s: %s", context.run.name, type(exc).__name__, exc)


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
