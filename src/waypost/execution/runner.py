"""The step runner: one step from cache check to recorded outputs.

cache check → inputs loaded → function called (logs captured, resources sampled, retried
with backoff) → outputs materialized → step finished and outputs registered in one
transaction. A failure at any point removes the files already written, so a failed step
registers nothing.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers.registry import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.artifacts.trust import Producer
from waypost.artifacts.unmaterialized_artifact import UnmaterializedArtifact, unmaterialized_inputs
from waypost.enums import ExecutionStatus
from waypost.exceptions import MaterializerError, WaypostError
from waypost.execution import artifacts as saved_artifacts
from waypost.execution import cache, hooks
from waypost.execution.artifact_trust import load_guard
from waypost.execution.context import CURRENT, StepContext
from waypost.execution.logs.sink import StepLogSink, capture
from waypost.execution.metadata import entries_for
from waypost.execution.naming import fill_date_time
from waypost.execution.resources import ResourceSampler
from waypost.schemas import (
    ArtifactVersionCreate,
    ArtifactVersionRead,
    AttemptRead,
    MetadataCreate,
    PipelineSpec,
    RunRead,
    StepRunCreate,
    StepRunFinish,
    StepSpec,
)
from waypost.settings import ArtifactSettings, ExecutionSettings
from waypost.store import Store

if TYPE_CHECKING:
    from waypost.artifacts.locate import ArtifactLocator
    from waypost.schemas import ModelVersionRead


@dataclass
class StepOutcome:
    """What became of one step."""

    name: str
    status: ExecutionStatus
    outputs: dict[str, ArtifactVersionRead] = field(default_factory=dict)
    error: str | None = None
    exception: BaseException | None = None
    duration_s: float = 0.0


#: Cache hits are recorded in batches of at most this many, or this old (seconds).
_MAX_PENDING = 500
_MAX_PENDING_S = 0.25


@dataclass
class Resume:
    """An earlier attempt of a step whose process died (a lost Dask worker): the step run it recorded,
    when it started, and the attempts before this one (the lost ones included)."""

    step_run_id: uuid.UUID
    started_at: datetime
    attempts: list[AttemptRead]


@dataclass
class CacheMiss:
    """Why a step must run: its cache key's parts, the key, and the reason in words."""

    parts: dict[str, Any]
    key: str
    reason: str


def _now() -> datetime:
    return datetime.now(UTC)


class StepRunner:
    """Runs the steps of one pipeline run against a Store and an ArtifactStore."""

    def __init__(
        self,
        *,
        run: RunRead,
        spec: PipelineSpec,
        functions: dict[str, Callable[..., Any]],
        store: Store,
        artifact_store: ArtifactStore,
        registry: MaterializerRegistry,
        settings: ExecutionSettings,
        model_version: ModelVersionRead | None = None,
        stop_event: threading.Event | None = None,
        trust: ArtifactSettings | None = None,
        prefix: str = "",
        locator: ArtifactLocator | Callable[[], ArtifactLocator] | None = None,
    ) -> None:
        """``prefix`` is the artifact prefix of the run's workspace: its artifact files and step
        logs go under ``<store>/<prefix>/`` ("" for the default workspace: the store's root).

        ``locator`` finds the store of an artifact this run did not write to its own store (a
        cached step's outputs from a run on another stack), or a function making it on first need
        (a run that reads only its own store never loads it); None: only ``artifact_store`` is read."""
        self.run = run
        self.spec = spec
        self.functions = functions
        self.store = store
        self.artifact_store = artifact_store
        self.registry = registry
        self.settings = settings
        self.model_version = model_version
        self.stop_event = stop_event or threading.Event()
        self.trust = trust or ArtifactSettings()
        self.prefix = prefix
        self._locator = locator
        self.redact: tuple[str, ...] = ()
        """Secret values the run's stack was resolved with: masked in every step log line."""
        self._producers: dict[uuid.UUID, Producer] = {}
        self._configs: dict[str, dict[str, Any]] = {}
        self._raw: dict[str, frozenset[str]] = {}
        """Per step, its inputs annotated ``UnmaterializedArtifact`` (given as records, not loaded)."""
        self._roles: dict[uuid.UUID, dict[str, str]] = {}
        """Per step run, the model roles of the versions its step saved with save_artifact()."""
        self._stored: dict[uuid.UUID, ArtifactVersionRead] = {}
        """Artifact versions stored before the run that steps take as inputs, looked up once each."""
        self._pending: list[StepRunCreate] = []
        self._pending_lock = threading.Lock()
        self._pending_since = 0.0
        self.on_start: Callable[[StepSpec, uuid.UUID], None] | None = None
        """Called with a step and its step run's id once it is recorded as running (before its function)."""

    # -- the cache --------------------------------------------------------------------
    def _try_cache(
        self, step: StepSpec, parts: dict[str, Any], key: str, inputs: dict[str, ArtifactVersionRead]
    ) -> tuple[StepOutcome | None, str]:
        hit = self.store.steps.find_cached(key)
        if hit is not None:
            outputs = hit.outputs
            # A step's outputs, and the versions it saved with save_artifact() (named after them).
            if {o.name for o in step.outputs} <= set(outputs) and all(
                self._still_there(av.uri) for av in outputs.values()
            ):
                now = _now()
                self._record_cached(
                    self._record(
                        step,
                        parts,
                        key,
                        inputs,
                        status=ExecutionStatus.CACHED,
                        cached_from_step_run_id=hit.step_run_id,
                        cached_from_run_id=hit.run_id,
                        copy_cached_metadata=hit.has_metadata,
                        log_uri=hit.log_uri,
                        started_at=now,
                        ended_at=now,
                        outputs={n: av.id for n, av in outputs.items()},
                    )
                )
                return StepOutcome(step.name, ExecutionStatus.CACHED, outputs), ""
            return None, "The cached outputs are missing from the artifact store."
        previous = self.store.steps.previous(self.run.pipeline_id, step.name, self.run.id)
        return None, cache.miss_reason(parts, previous.cache_components if previous else None)

    # -- one step ---------------------------------------------------------------------
    def run_step(self, step: StepSpec, upstream: dict[str, dict[str, ArtifactVersionRead]]) -> StepOutcome:
        """Run (or serve from cache) one step whose upstream steps have finished."""
        lookup = self.check_cache(step, upstream)
        return lookup if isinstance(lookup, StepOutcome) else self.execute(step, upstream, lookup)

    def check_cache(
        self, step: StepSpec, upstream: dict[str, dict[str, ArtifactVersionRead]]
    ) -> StepOutcome | CacheMiss:
        """Serve ``step`` from the cache (recording it as cached), or say why it cannot be."""
        inputs = self._inputs(step, upstream)
        # The names as written ({date}/{time} not filled in), so that a dated name still hits the cache.
        names = {o.name: self._artifact_name(step, o.name, filled=False) for o in step.outputs}
        parts = cache.components(step, {n: av.content_hash for n, av in inputs.items()}, names)
        key = cache.key(parts)
        use_cache = (
            step.settings.enable_cache if step.settings.enable_cache is not None else self.spec.settings.enable_cache
        )
        if not use_cache:
            return CacheMiss(parts, key, "Caching is disabled for this step.")
        hit, reason = self._try_cache(step, parts, key, inputs)
        return hit if hit is not None else CacheMiss(parts, key, reason)

    def execute(
        self,
        step: StepSpec,
        upstream: dict[str, dict[str, ArtifactVersionRead]],
        miss: CacheMiss,
        resume: Resume | None = None,
    ) -> StepOutcome:
        """Run ``step``'s function and record it, after :meth:`check_cache` missed.

        ``resume``: go on with the step run an earlier attempt recorded (its process died); the
        attempts it lost count against the step's retries."""
        self.flush()  # cached steps before this one are recorded before it
        inputs = self._inputs(step, upstream)
        parts, key, reason = miss.parts, miss.key, miss.reason
        logs_on = step.settings.enable_step_logs
        logs_enabled = self.spec.settings.enable_step_logs if logs_on is None else logs_on
        # No log location is recorded when nothing will be stored there.
        log_uri = self.artifact_store.log_uri(self.run.id, step.name, self.prefix) if logs_enabled else None
        if resume is not None:
            started, step_run_id, earlier = resume.started_at, resume.step_run_id, resume.attempts
        else:
            started, earlier = _now(), []
            step_run_id = self.store.steps.start(
                self._record(
                    step,
                    parts,
                    key,
                    inputs,
                    status=ExecutionStatus.RUNNING,
                    cache_miss_reason=reason,
                    log_uri=log_uri,
                    started_at=started,
                )
            )
        if self.on_start is not None:
            self.on_start(step, step_run_id)
        sink = StepLogSink(
            self.artifact_store,
            log_uri or self.artifact_store.log_uri(self.run.id, step.name, self.prefix),
            self.settings.log_flush_interval_s,
            enabled=logs_enabled,
            redact=self.redact,
        )
        tracker = ResourceSampler.shared(self.settings.resource_sample_interval_s).track()
        outcome, saved, attempts, ctx = self._attempts(step, step_run_id, inputs, sink, earlier)
        samples = tracker.stop()
        sink.close()
        ended = _now()
        if self.stop_event.is_set() and outcome.status == ExecutionStatus.COMPLETED:
            outcome = StepOutcome(step.name, ExecutionStatus.STOPPED, error="The run was stopped.")
        if outcome.status != ExecutionStatus.COMPLETED:
            self._discard(saved)
            saved = {}
        exc = outcome.exception
        result = StepRunFinish(
            status=outcome.status,
            ended_at=ended,
            error_type=type(exc).__name__ if exc else None,
            error_message=outcome.error,
            traceback="".join(traceback.format_exception(exc)) if exc else None,
            resource_samples=samples,
            attempts=attempts if len(attempts) > 1 else [],
        )
        try:
            outcome.outputs = self.store.steps.finish(step_run_id, self.run.id, result, saved)
        except BaseException:
            self._discard(saved)
            raise
        outcome.duration_s = (ended - started).total_seconds()
        if ctx is not None and outcome.outputs:
            self._output_metadata(ctx, step_run_id, outcome.outputs)
        roles = self._roles.pop(step_run_id, {})
        if roles and self.model_version is not None and outcome.outputs:
            linked = {outcome.outputs[n].id: r for n, r in roles.items() if n in outcome.outputs}
            self.store.models.link(self.model_version.id, roles=linked)
        return outcome

    def _attempts(
        self,
        step: StepSpec,
        step_run_id: uuid.UUID,
        inputs: dict[str, ArtifactVersionRead],
        sink: StepLogSink,
        earlier: list[AttemptRead],
    ) -> tuple[StepOutcome, dict[str, ArtifactVersionCreate], list[AttemptRead], StepContext | None]:
        retry = step.settings.retry
        tries = 1 + (retry.max_retries if retry else 0)
        attempts: list[AttemptRead] = list(earlier)
        ctx: StepContext | None = None
        for number in range(len(earlier) + 1, tries + 1):
            began = _now()
            version_ids = {o.name: uuid.uuid4() for o in step.outputs}
            names = {o.name: self._artifact_name(step, o.name) for o in step.outputs}
            ctx = StepContext(
                run=self.run,
                step=step,
                step_run_id=step_run_id,
                store=self.store,
                artifact_store=self.artifact_store,
                output_uris={
                    o: self.artifact_store.artifact_uri(names[o], v, self.prefix) for o, v in version_ids.items()
                },
                output_version_ids=version_ids,
                model_version=self.model_version,
            )
            saved: dict[str, ArtifactVersionCreate] = {}
            try:
                with capture(sink):
                    token = CURRENT.set(ctx)
                    try:
                        args = self._lists(step, self._arguments(step, inputs))
                        value = self.functions[step.name](**args, **step.parameters)
                        for out_name, out_value in self._split(step, value).items():
                            saved[out_name] = self._save(
                                step, out_name, out_value, names[out_name], version_ids[out_name], ctx
                            )
                    finally:
                        CURRENT.reset(token)
                        held = saved_artifacts.take_pending(step_run_id)
                    # save_artifact() inside the step: registered with its outputs, named after the artifact.
                    for p in held:
                        saved[p.created.name] = p.created
                        if p.metadata:
                            ctx.output_metadata.setdefault(p.created.name, {}).update(p.metadata)
                        if p.role is not None:
                            self._roles.setdefault(step_run_id, {})[p.created.name] = p.role
                    self._hook("on_success", step, ctx)
                attempts.append(
                    AttemptRead(
                        number=number, status=ExecutionStatus.COMPLETED, started_at=began, ended_at=_now(), error=None
                    )
                )
                return StepOutcome(step.name, ExecutionStatus.COMPLETED), saved, attempts, ctx
            except Exception as exc:  # the user's step failed: record it, maybe retry
                self._discard(saved)
                self._discard({p.created.name: p.created for p in saved_artifacts.take_pending(step_run_id)})
                message = f"{type(exc).__name__}: {exc}"
                attempts.append(
                    AttemptRead(
                        number=number, status=ExecutionStatus.FAILED, started_at=began, ended_at=_now(), error=message
                    )
                )
                if number < tries and retry is not None and not self.stop_event.is_set():
                    sink.write_line("stderr", f"Attempt {number} of {tries} failed ({message}); retrying.", "WARNING")
                    if self.stop_event.wait(retry.delay * retry.backoff ** (number - 1)):
                        break
                    continue
                # The failure hint sends users to the step's logs: the traceback belongs there.
                sink.write_line("stderr", "".join(traceback.format_exception(exc)).rstrip("\n"), "ERROR")
                with capture(sink):
                    self._hook("on_failure", step, ctx, exc)
                return StepOutcome(step.name, ExecutionStatus.FAILED, error=message, exception=exc), {}, attempts, ctx
            except KeyboardInterrupt as exc:  # Ctrl-C while the step runs in the main thread
                self._discard(saved)
                self.stop_event.set()
                return (
                    StepOutcome(step.name, ExecutionStatus.STOPPED, error="The run was stopped.", exception=exc),
                    {},
                    attempts,
                    ctx,
                )
        return StepOutcome(step.name, ExecutionStatus.STOPPED, error="The run was stopped."), {}, attempts, ctx

    def _hook(self, kind: str, step: StepSpec, ctx: StepContext, exception: BaseException | None = None) -> None:
        """The step's ``kind`` hook, if it has one, with the step's context set (the caller captures its logs)."""
        if getattr(step.settings, kind) is None:
            return
        token = CURRENT.set(ctx)
        try:
            hooks.after_step(kind, step, self.functions, exception)
        finally:
            CURRENT.reset(token)

    # -- batched cache hits ------------------------------------------------------------
    def _record_cached(self, step: StepRunCreate) -> None:
        """Queue a cache hit's record; hits are written together (one transaction, not one each)."""
        with self._pending_lock:
            self._pending.append(step)
            if len(self._pending) == 1:
                self._pending_since = time.monotonic()
            due = len(self._pending) >= _MAX_PENDING or time.monotonic() - self._pending_since >= _MAX_PENDING_S
        if due:
            self.flush()

    def flush(self) -> None:
        """Write queued cache-hit records now (before a step runs, and when the run ends)."""
        with self._pending_lock:
            pending, self._pending = self._pending, []
        if pending:
            self.store.steps.start_many(pending)

    # -- helpers ----------------------------------------------------------------------
    def _record(
        self,
        step: StepSpec,
        parts: dict[str, Any],
        key: str,
        inputs: dict[str, ArtifactVersionRead],
        **fields: Any,
    ) -> StepRunCreate:
        """A step run record from already-validated parts (no re-validation: a hot path)."""
        return StepRunCreate.model_construct(
            run_id=self.run.id,
            name=step.name,
            step_name=step.step_name,
            cache_key=key,
            cache_components=parts,
            parameters=step.parameters,
            config=self._config(step),
            source_code=step.source_code,
            source_hash=step.source_hash,
            docstring=step.docstring,
            upstream=step.upstream,
            inputs={n: av.id for n, av in inputs.items()},
            **fields,
        )

    def _inputs(
        self, step: StepSpec, upstream: dict[str, dict[str, ArtifactVersionRead]]
    ) -> dict[str, ArtifactVersionRead]:
        """The step's input versions: upstream steps' outputs, and versions stored before the run."""
        inputs = {name: upstream[i.step][i.output] for name, i in step.inputs.items()}
        for name, version_id in step.artifact_inputs.items():
            known = self._stored.get(version_id)
            if known is None:
                known = self._stored[version_id] = self.store.artifacts.get_version(version_id)
            inputs[name] = known
        return inputs

    def _lists(self, step: StepSpec, values: dict[str, Any]) -> dict[str, Any]:
        """The inputs' values by argument: the items of a list of outputs (inputs ``NAME[i]``) as one list."""
        args: dict[str, Any] = {}
        items: dict[str, list[tuple[int, Any]]] = {}
        for name, value in values.items():
            spec = step.inputs.get(name)
            if spec is not None and spec.list_input is not None:
                items.setdefault(spec.list_input, []).append((spec.index or 0, value))
            else:
                args[name] = value
        for name, found in items.items():
            args[name] = [value for _, value in sorted(found, key=lambda item: item[0])]
        return args

    def _config(self, step: StepSpec) -> dict[str, Any]:
        """The step's settings as JSON, computed once per step."""
        cfg = self._configs.get(step.name)
        if cfg is None:
            cfg = self._configs[step.name] = step.settings.model_dump(mode="json")
        return cfg

    def _artifact_name(self, step: StepSpec, output: str, *, filled: bool = True) -> str:
        """An output's artifact name: its ``Annotated`` name (``{date}``/``{time}`` filled in with the
        run's start, ``{KEY}`` with the substitutions, unless ``filled`` is False), else ``pipeline::step::output``."""
        spec = next(o for o in step.outputs if o.name == output)
        if not spec.artifact_name:
            return f"{self.spec.name}::{step.name}::{output}"
        if not filled or "{" not in spec.artifact_name:
            return spec.artifact_name
        substitutions = {**self.spec.settings.substitutions, **step.settings.substitutions}
        return fill_date_time(spec.artifact_name, self.run.started_at or self.run.created_at, substitutions)

    def _split(self, step: StepSpec, value: Any) -> dict[str, Any]:
        outs = [o.name for o in step.outputs]
        if not outs:
            return {}
        if len(outs) == 1:
            return {outs[0]: value}
        if not isinstance(value, tuple | list) or len(value) != len(outs):
            got = f"{len(value)} values" if isinstance(value, tuple | list) else f"one {type(value).__name__}"
            raise WaypostError(
                f"Step '{step.name}' declares {len(outs)} outputs {outs} but returned {got}; "
                f"return a tuple of {len(outs)}."
            )
        return dict(zip(outs, value, strict=True))

    def _save(
        self, step: StepSpec, output: str, value: Any, name: str, version_id: uuid.UUID, ctx: StepContext
    ) -> ArtifactVersionCreate:
        spec = next(o for o in step.outputs if o.name == output)
        materializer = self.registry.load_class(spec.materializer) if spec.materializer else None
        try:
            created = save_artifact(
                self.artifact_store,
                value,
                name=name,
                version_id=version_id,
                registry=self.registry,
                materializer=materializer,
                prefix=self.prefix,
                extract_metadata=self._enabled(step, "enable_artifact_metadata"),
                include_visualizations=self._enabled(step, "enable_artifact_visualization"),
            )
        except MaterializerError as exc:
            raise MaterializerError(f"Step '{step.name}': {exc}") from exc
        extracted = saved_artifacts.logged_metadata(self.registry, created)
        if extracted:  # what the step logged on this output itself wins
            ctx.output_metadata[output] = {**extracted, **ctx.output_metadata.get(output, {})}
        tags = list(dict.fromkeys([*spec.tags, *ctx.output_tags.get(output, [])]))
        return created.model_copy(update={"tags": tags}) if tags else created

    def _enabled(self, step: StepSpec, flag: str) -> bool:
        """A step's ``enable_artifact_metadata``/``enable_artifact_visualization``, else the pipeline's."""
        value = getattr(step.settings, flag)
        return bool(getattr(self.spec.settings, flag) if value is None else value)

    def _files_for(self, uri: str) -> ArtifactStore:
        """The store holding ``uri``: the run's own, else (a cached output of a run on another stack) the
        store the locator finds; ArtifactStoreError in one line when none holds it."""
        if self.artifact_store.contains(uri) or self.locator is None:
            return self.artifact_store
        return self.locator.store_for(uri)

    @property
    def locator(self) -> ArtifactLocator | None:
        """The locator, made on first use when a function was given."""
        if callable(self._locator):
            self._locator = self._locator()
        return self._locator

    def _still_there(self, uri: str) -> bool:
        """Whether a cached output's files still exist (in whichever store holds them; unreachable: no)."""
        if self.artifact_store.contains(uri) or self.locator is None:
            return self.artifact_store.exists(uri)
        try:
            return self._files_for(uri).exists(uri)
        except Exception:  # no store holds it here, or it does not answer: run the step instead
            return False

    def _arguments(self, step: StepSpec, inputs: dict[str, ArtifactVersionRead]) -> dict[str, Any]:
        """The step's inputs as it takes them: loaded values, or (annotated ``UnmaterializedArtifact``) records."""
        raw = self._raw.get(step.name)
        if raw is None:
            raw = self._raw[step.name] = unmaterialized_inputs(self.functions[step.name])
        return {
            n: UnmaterializedArtifact.model_validate(av.model_dump()) if n in raw else self._load(av)
            for n, av in inputs.items()
        }

    def _load(self, av: ArtifactVersionRead) -> Any:
        guard = None  # what this run produced is trusted; pickles from other runs need a trusted producer
        if av.producer_run_id != self.run.id:
            guard = load_guard(self.store, av, loader_id=self.run.user_id, settings=self.trust, known=self._producers)
        return load_artifact(
            self._files_for(av.uri),
            uri=av.uri,
            materializer=av.materializer,
            data_type=av.data_type,
            registry=self.registry,
            guard=guard,
        )

    def _discard(self, saved: dict[str, ArtifactVersionCreate]) -> None:
        for av in saved.values():
            self.artifact_store.remove(av.uri)

    def _output_metadata(
        self, ctx: StepContext, step_run_id: uuid.UUID, outputs: dict[str, ArtifactVersionRead]
    ) -> None:
        entries: list[MetadataCreate] = []
        declared = {o.name for o in ctx.step.outputs}
        for spec in ctx.step.outputs:  # what ArtifactConfig says, then what the step logged (which wins)
            av = outputs.get(spec.name)
            values = {**spec.run_metadata, **ctx.output_metadata.get(spec.name, {})}
            if spec.version_name is not None:
                values.setdefault("version_name", spec.version_name)
            if spec.artifact_type is not None:
                values.setdefault("artifact_type", spec.artifact_type)
            if av is not None and values:
                entries.extend(entries_for(values, run_id=self.run.id, artifact_version_id=av.id))
        for name, values in ctx.output_metadata.items():  # versions the step saved with save_artifact()
            av = outputs.get(name)
            if name not in declared and av is not None and values:
                entries.extend(entries_for(values, run_id=self.run.id, artifact_version_id=av.id))
        self.store.metadata.add(entries)
