"""Start a pipeline run: record it, keep it heartbeating, orchestrate it, record the end."""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, RunStoppedError, StepFailedError, WaypostError
from waypost.execution import hooks, model_versions
from waypost.execution import runtime as runtime_mod
from waypost.execution import stacks as stacks_mod
from waypost.execution.heartbeat import Heartbeats
from waypost.execution.naming import fill_date_time
from waypost.execution.orchestrators.base import ExecutionPlan, Listener, Orchestrator, OrchestratorLostError
from waypost.execution.orchestrators.local import LocalOrchestrator
from waypost.execution.reporting import LiveReporter, Reporter
from waypost.execution.runner import StepOutcome, StepRunner
from waypost.execution.unapplied import warn_unapplied
from waypost.schemas import PipelineSpec, RunCreate, RunRead
from waypost.schemas.stack_snapshot import ComponentType
from waypost.store.model_stages import is_stage_name

if TYPE_CHECKING:
    from waypost.schemas import ModelVersionRead


def run_name(spec: PipelineSpec, now: datetime) -> str:
    """The configured run name with ``{date}``/``{time}`` and the substitutions filled in, or a timestamped one."""
    template = spec.settings.run_name
    if template:
        return fill_date_time(template, now, spec.settings.substitutions)
    return f"{spec.name}-{now.strftime('%Y_%m_%d-%H_%M_%S_%f')}"


def launch(
    spec: PipelineSpec,
    functions: dict[str, Callable[..., Any]],
    *,
    rt: runtime_mod.Runtime | None = None,
    orchestrator: Orchestrator | None = None,
    listeners: list[Listener] | None = None,
    raise_on_failure: bool = True,
    stack: str | None = None,
    detach: bool = False,
) -> RunRead:
    """Run ``spec`` to the end, on ``stack`` (default: the active stack), and return the finished run.

    ``detach``: submit the run to the stack's orchestrator and return the running run at once (an
    orchestrator that outlives this process: dask with a scheduler_address); it records the end.

    Raises:
        StepFailedError: a step failed (unless ``raise_on_failure`` is False).
        KeyboardInterrupt: Ctrl-C; the run is recorded as stopped first.
    """
    rt = rt or runtime_mod.current()
    store, settings = rt.store, rt.settings.execution
    # The stack and its artifact store are looked up, and the store checked, before anything is
    # recorded: a run that cannot start leaves no pipeline or run behind. The stack is the active
    # project's workspace's (the project a local store records into; a server decides by header).
    project_of = getattr(store, "project_id", None)  # a local SQL store's (a look-up once); None on a server
    used = stacks_mod.for_run(rt, project_of() if callable(project_of) else None, stack)
    if used.artifact_store is None:
        rt.check_artifact_store()
    pipeline, snapshot = rt.snapshot_for(spec)
    # The run is recorded in its pipeline's project: its files go under that workspace's prefix.
    prefix = rt.artifact_prefix(pipeline.project_id)
    artifact_store = used.artifact_store or rt.artifact_store
    orchestrator = orchestrator or _orchestrator_for(used, rt)
    if detach and not orchestrator.can_detach:
        raise ConfigurationError(
            f"Stack '{used.name}' cannot run a pipeline detached: its orchestrator ({orchestrator.name}) stops with "
            "this process; use a dask orchestrator with a scheduler_address, or run without --detach."
        )
    warn_unapplied(spec, used.snapshot, orchestrator.name)
    mv = None
    if spec.model is not None:  # a stage (Model(version=ModelStages.PRODUCTION)) is the version holding it
        mv = model_versions.resolve(store, spec.model)
    now = datetime.now(UTC)
    name = run_name(spec, now)
    if spec.settings.run_name and store.runs.list(f'name:"{name}"', size=1).total:
        raise ConfigurationError(f"A run named '{name}' already exists; add {{date}} and {{time}} to run_name.")
    run = store.runs.create(
        RunCreate(
            name=name,
            pipeline_id=pipeline.id,
            snapshot_id=snapshot.id,
            status=ExecutionStatus.RUNNING,
            config=spec.settings.model_dump(mode="json"),
            parameters=spec.parameters,
            orchestrator=orchestrator.name,
            orchestrator_run_id=uuid.uuid4().hex,
            stack_id=used.stack_id,
            stack_snapshot=used.snapshot,
            tags=spec.settings.tags,
            model_version_id=mv.id if mv else None,
            model_stage=str(spec.model.version) if spec.model and is_stage_name(spec.model.version) else None,
            started_at=now,
        )
    )
    stop = threading.Event()
    runner = StepRunner(
        run=run,
        spec=spec,
        functions=functions,
        store=store,
        artifact_store=artifact_store,
        registry=rt.registry,
        settings=settings,
        model_version=mv,
        stop_event=stop,
        trust=rt.settings.artifacts,
        prefix=prefix,
        locator=lambda: _locator(rt),
    )
    runner.redact = used.secrets
    plan = ExecutionPlan(
        spec=spec,
        runner=runner,
        max_parallel=spec.settings.max_parallel_steps or used.max_parallel_steps or settings.max_parallel_steps,
        stop_event=stop,
        listeners=list(listeners or []),
    )
    if detach:
        try:
            orchestrator.detach(plan)
        except BaseException as exc:
            finish_run(rt, run, spec, {}, ExecutionStatus.FAILED, f"The run could not be submitted: {exc}")
            raise
        store.runs.hand_over(run.id)  # this process may exit now: the run's heartbeat comes from the cluster
        return run
    reporter: Reporter | None = None
    if settings.show_progress:
        out = sys.__stdout__
        reporter = (LiveReporter if out is not None and out.isatty() else Reporter)(spec)
        plan.listeners.append(reporter)
    return drive(rt, plan, orchestrator, model_version=mv, reporter=reporter, raise_on_failure=raise_on_failure)


def drive(
    rt: runtime_mod.Runtime,
    plan: ExecutionPlan,
    orchestrator: Orchestrator,
    *,
    model_version: ModelVersionRead | None = None,
    reporter: Reporter | None = None,
    raise_on_failure: bool = True,
) -> RunRead:
    """Run a recorded run's plan to its end: heartbeats, the orchestrator, the run's final status.

    The launching process calls it, or (a detached run) whatever the orchestrator hands the run to.
    A heartbeat that finds the run no longer active (stopped from the CLI or the dashboard) stops it.
    """
    store, settings = rt.store, rt.settings.execution
    runner, spec, stop = plan.runner, plan.spec, plan.stop_event
    run = runner.run
    stopped_elsewhere = threading.Event()

    def beat() -> None:
        if store.runs.heartbeat(run.id) is False:  # stopped from the CLI or the dashboard
            stopped_elsewhere.set()
            stop.set()

    beats = Heartbeats.shared()
    beats.add(run.id, beat, settings.heartbeat_interval_s)
    if reporter:
        reporter.start(run)
    outcomes: dict[str, StepOutcome] = {}
    try:
        try:
            outcomes = orchestrator.execute(plan)
        finally:
            runner.flush()
    except KeyboardInterrupt:
        stop.set()
        final = finish_run(rt, run, spec, outcomes, ExecutionStatus.STOPPED, "Stopped by the user (Ctrl-C).")
        if reporter:
            reporter.stop(final)
        raise
    except OrchestratorLostError as exc:
        stop.set()
        final = finish_run(rt, run, spec, outcomes, ExecutionStatus.CRASHED, str(exc))
        if reporter:
            reporter.stop(final)
        raise
    except BaseException as exc:
        final = finish_run(rt, run, spec, outcomes, ExecutionStatus.FAILED, f"The orchestrator failed: {exc}")
        if reporter:
            reporter.stop(final)
        if isinstance(exc, Exception):
            hooks.after_run(spec, runner.functions, False, exc)
        raise
    finally:
        beats.remove(run.id)
    if stopped_elsewhere.is_set():
        now = store.runs.get(run.id)
        ended_as = (ExecutionStatus.STOPPED, ExecutionStatus.CRASHED)
        status = now.status if now.status in ended_as else ExecutionStatus.STOPPED
        why = now.status_reason or "Stopped."
        final = finish_run(rt, run, spec, outcomes, status, why)
        if reporter:
            reporter.stop(final)
        if raise_on_failure:
            raise RunStoppedError(f"Run '{run.name}' was stopped ({why.rstrip('.')}); the finished steps are recorded.")
        return final
    if stop.is_set():
        status, reason = ExecutionStatus.STOPPED, "Stopped by the user (Ctrl-C)."
    elif all(o.status.is_successful for o in outcomes.values()) and len(outcomes) == len(spec.steps):
        status, reason = ExecutionStatus.COMPLETED, None
    else:
        failed = [o for o in outcomes.values() if o.status == ExecutionStatus.FAILED]
        reason = f"Step '{failed[0].name}' failed: {_first_line(failed[0].error)}" if failed else None
        status = ExecutionStatus.FAILED
    final = finish_run(rt, run, spec, outcomes, status, reason)
    if model_version is not None:
        produced = [av.id for o in outcomes.values() for av in o.outputs.values()]
        store.models.link(model_version.id, artifact_version_ids=produced, roles=_output_roles(spec, outcomes))
        made = spec.model is not None and not is_stage_name(spec.model.version)  # not one it consumed
        if status == ExecutionStatus.COMPLETED and made:
            model_versions.apply_rules(store, model_version)
    if reporter:
        reporter.stop(final)
    if status in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED):  # the pipeline's hook, once
        failed_first = next((o for o in outcomes.values() if o.status == ExecutionStatus.FAILED), None)
        error = failed_first.exception if failed_first and failed_first.exception else WaypostError(reason or "")
        hooks.after_run(spec, runner.functions, status == ExecutionStatus.COMPLETED, error)
    if status == ExecutionStatus.STOPPED:
        raise KeyboardInterrupt
    if status == ExecutionStatus.FAILED and raise_on_failure:
        failed = [o for o in outcomes.values() if o.status == ExecutionStatus.FAILED]
        first = failed[0] if failed else None
        err = StepFailedError(
            f"Run '{run.name}' failed: {(reason or 'a step failed').rstrip('.')}; "
            f"see `waypost runs show {run.name}` for the traceback.",
            step_name=first.name if first else "",
            run_name=run.name,
        )
        raise err from (first.exception if first else None)
    return final


def _output_roles(spec: PipelineSpec, outcomes: dict[str, StepOutcome]) -> dict[uuid.UUID, str]:
    """The roles outputs' ArtifactConfigs give them for the run's model version (the others' types decide)."""
    roles: dict[uuid.UUID, str] = {}
    for name, outcome in outcomes.items():
        step = next((s for s in spec.steps if s.name == name), None)
        if step is None:
            continue
        for out in step.outputs:
            av = outcome.outputs.get(out.name)
            if av is not None and out.model_role is not None:
                roles[av.id] = out.model_role
    return roles


def _orchestrator_for(used: stacks_mod.RunStack, rt: runtime_mod.Runtime) -> Orchestrator:
    """The orchestrator of the run's stack: ``dask`` (its module and ``distributed`` loaded only then), else local."""
    component = used.snapshot.components.get(ComponentType.ORCHESTRATOR)
    if component is None or component.flavor != "dask":
        return LocalOrchestrator()
    from waypost.execution.orchestrators.dask import DaskOrchestrator
    from waypost.stacks.builtin.orchestrators import DaskOrchestratorConfig

    resolved = getattr(used, "orchestrator_config", None)  # secret references resolved (a local store, or asked)
    try:
        config = DaskOrchestratorConfig.model_validate(resolved if resolved is not None else component.config)
    except ValueError as exc:
        first = str(exc).splitlines()
        raise ConfigurationError(
            f"The orchestrator component '{component.name}' of stack '{used.name}' is not valid "
            f"({' '.join(first[1:3]).strip() or first[0]}); fix it with `waypost component update orchestrator "
            f"{component.name}`."
        ) from None
    return DaskOrchestrator(config, component=component.name, settings=rt.settings)


def finish_run(
    rt: runtime_mod.Runtime,
    run: RunRead,
    spec: PipelineSpec,
    outcomes: dict[str, StepOutcome],
    status: ExecutionStatus,
    reason: str | None,
) -> RunRead:
    store = rt.store
    leftover = [s.name for s in spec.steps if s.name not in outcomes]
    if leftover and status in (ExecutionStatus.STOPPED, ExecutionStatus.FAILED, ExecutionStatus.CRASHED):
        left = ExecutionStatus.CRASHED if status == ExecutionStatus.CRASHED else ExecutionStatus.STOPPED
        store.steps.set_status(run.id, leftover, left, reason)
    ended = datetime.now(UTC)
    store.runs.set_status(run.id, status, reason=reason, ended_at=ended)
    if status != ExecutionStatus.COMPLETED or len(outcomes) != len(spec.steps):
        return store.runs.get(run.id)
    counts: dict[str, int] = {}
    for o in outcomes.values():
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    # Everything a completed run's record holds is known here: skip the read-back.
    return run.model_copy(update={"status": status, "ended_at": ended, "step_counts": counts})


def _first_line(text: str | None) -> str:
    """The first line of a step's error: run reasons and StepFailedError stay one line."""
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""


def _locator(rt: runtime_mod.Runtime) -> Any:
    """Where a run finds artifacts outside its own store: the settings' store, then (a local database)
    the artifact store components of every workspace (see :mod:`waypost.artifacts.locate`)."""
    from waypost.artifacts import locate  # only when a run reads outside its own store

    stacks = getattr(rt.store, "stacks", None) if rt.store.capabilities.local_database else None
    return locate.locator(rt.artifact_store, stacks)
