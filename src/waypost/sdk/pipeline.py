"""The ``@pipeline`` decorator."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar, overload

from waypost import _lazy
from waypost.sdk import _settings
from waypost.sdk._compiling import ACTIVE
from waypost.sdk.model import Model
from waypost.sdk.tags import Tag, tag_names

F = TypeVar("F", bound=Callable[..., Any])

_COMPOSING: ContextVar[Pipeline | None] = ContextVar("waypost_composing_pipeline", default=None)


class PipelineContext:
    """The pipeline whose function is running to compose its steps: its name, model and options."""

    def __init__(self, p: Pipeline) -> None:
        self.name = p.name
        self.model = p.model
        self.enable_cache = p.enable_cache
        self.enable_step_logs = p.enable_step_logs
        self.enable_artifact_metadata = p.enable_artifact_metadata is not False
        self.enable_artifact_visualization = p.enable_artifact_visualization is not False
        self.extra = dict(p.extra)
        self.tags = list(p.tags)
        self.run_name = p.run_name
        self.settings: dict[str, Any] = dict(p.settings)
        self.substitutions = dict(p.substitutions)

    def __repr__(self) -> str:
        return f"<pipeline context {self.name}>"


def get_pipeline_context() -> PipelineContext:
    """The pipeline being composed: call it in a ``@pipeline`` function (``.name``, ``.model``, ``.extra`` …).

    Raises:
        RuntimeError: called outside a pipeline function while it composes its steps.
    """
    p = _COMPOSING.get()
    if p is None:
        raise RuntimeError(
            "get_pipeline_context() works only inside a @pipeline function; in a step, use get_step_context()."
        )
    return PipelineContext(p)


@contextmanager
def _composing(p: Pipeline) -> Iterator[None]:
    token = _COMPOSING.set(p)
    try:
        yield
    finally:
        _COMPOSING.reset(token)


class Pipeline:
    """A pipeline: a function whose step calls form a DAG; calling it runs the DAG."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        enable_cache: bool = True,
        enable_step_logs: bool = True,
        enable_artifact_metadata: bool | None = None,
        enable_artifact_visualization: bool | None = None,
        settings: dict[str, Any] | None = None,
        substitutions: dict[str, str] | None = None,
        tags: list[str | Tag] | None = None,
        model: Model | None = None,
        max_parallel_steps: int | None = None,
        run_name: str | None = None,
        config_path: str | Path | None = None,
        extra: dict[str, Any] | None = None,
        detach: bool = False,
        on_failure: Callable[..., Any] | str | None = None,
        on_success: Callable[..., Any] | str | None = None,
    ) -> None:
        self.entrypoint = func
        self.name = name or func.__name__
        self.enable_cache = enable_cache
        self.enable_step_logs = enable_step_logs
        self.enable_artifact_metadata = enable_artifact_metadata
        self.enable_artifact_visualization = enable_artifact_visualization
        self.settings = _settings.normalize_settings(settings)
        self.substitutions = _settings.as_dict(substitutions, "substitutions=")
        self.tags = tag_names(tags)
        self.model = model
        self.max_parallel_steps = max_parallel_steps
        self.run_name = run_name
        self.config_path = Path(config_path) if config_path else None
        self.extra = dict(extra or {})
        self.detach = detach
        self.on_failure = on_failure
        self.on_success = on_success

    def configure(self, *, merge: bool = True, **options: Any) -> Pipeline:
        """Change options in place and return this pipeline (ZenML's ``Pipeline.configure``).

        Takes the decorator's keywords (``enable_cache``, ``enable_artifact_metadata``,
        ``enable_artifact_visualization``, ``enable_step_logs``, ``settings``, ``substitutions``, ``tags``,
        ``extra``, ``model`` …). A ``None`` leaves an option as it is. With ``merge=True`` (the default)
        ``settings`` are merged key by key and field by field, ``extra`` and ``substitutions`` key by key,
        and ``tags`` are added; ``merge=False`` replaces them.

        Raises:
            TypeError: an option pipelines do not have.
        """
        for key in options:
            if not hasattr(self, key) or key in {"entrypoint", "name"}:
                raise TypeError(f"Unknown pipeline option '{key}'; use one of {sorted(_options(self))}.")
        for key, value in options.items():
            if value is None:
                continue
            if key == "config_path":
                value = Path(value)
            elif key == "tags":
                value = tag_names(value)
            setattr(self, key, _settings.merge_option(key, getattr(self, key), value, merge=merge))
        return self

    def with_options(self, **options: Any) -> Pipeline:
        """A copy with changed options (``config_path=``, ``run_name=``, ``settings=`` …), merged as by
        :meth:`configure`; ``config_path=None`` drops a run config."""
        clone = copy.copy(self)
        if "config_path" in options and options["config_path"] is None:
            clone.config_path = None
        return clone.configure(**options)

    def compile(self, *args: Any, **kwargs: Any) -> Any:
        """Build the PipelineSpec for these arguments without running it."""
        with _composing(self):
            return _compiler().compile_pipeline(self, args, kwargs).spec

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Compile and run on the active stack; return the finished run (a ``PipelineRun``: a ``RunRead``
        with ``steps`` by name), or with ``detach=True`` the run as submitted (still running).

        Called inside another pipeline's function, it runs nothing: its steps join that pipeline's run
        (see :meth:`_inline`) and it returns what its function returns.

        The model's card sections given on its :class:`Model` are written to the model when the run
        attaches to it (before the run when the model exists, else once the run has made it).
        """
        if ACTIVE.get() is not None:
            return self._inline(args, kwargs)
        with _lazy.collector_paused(), _composing(self):  # the first call imports and builds the schemas
            compiled = _compiler().compile_pipeline(self, args, kwargs)
            launcher = _lazy.load("waypost.execution.launcher")
        card = self.model.card() if self.model is not None else {}
        written = bool(card) and _write_card(self.model, card, missing_ok=True)
        try:
            run = launcher.launch(compiled.spec, compiled.functions, detach=self.detach)
        finally:
            if card and not written:
                _write_card(self.model, card, missing_ok=True)
        results = _lazy.load("waypost.sdk.results")
        runtime = _lazy.load("waypost.execution.runtime")
        return results.PipelineRun.bound(run, runtime.current())

    def _inline(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run this pipeline's function inside the pipeline being compiled: its step calls become that
        pipeline's steps (named as any other call: ``step``, then ``step_2`` …) and its return value, step
        outputs included, goes back to the caller. This pipeline's own options (cache, tags, model, hooks)
        are not used: the outer pipeline's apply to the whole run."""
        ctx = ACTIVE.get()
        assert ctx is not None
        if self.name == ctx.pipeline_name or self.name in ctx.inlining:
            chain = " -> ".join([ctx.pipeline_name, *ctx.inlining, self.name])
            raise TypeError(f"Pipeline '{self.name}' calls itself ({chain}); a pipeline cannot contain itself.")
        try:
            bound = inspect.signature(self.entrypoint).bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(
                f"Pipeline '{self.name}', called inside pipeline '{ctx.pipeline_name}', got wrong arguments: {exc}."
            ) from None
        bound.apply_defaults()
        ctx.inlining.append(self.name)
        try:
            return self.entrypoint(*bound.args, **bound.kwargs)
        finally:
            ctx.inlining.pop()

    @property
    def runs(self) -> list[Any]:
        """This pipeline's 50 newest runs (``PipelineRun``), newest first."""
        results = _lazy.load("waypost.sdk.results")
        runtime = _lazy.load("waypost.execution.runtime")
        return results.runs_of(runtime.current(), self.name)  # type: ignore[no-any-return]

    @property
    def last_run(self) -> Any:
        """This pipeline's newest run (a ``PipelineRun``).

        Raises:
            NotFoundError: the pipeline has not run yet.
        """
        results = _lazy.load("waypost.sdk.results")
        runtime = _lazy.load("waypost.execution.runtime")
        return results.last_run_of(runtime.current(), self.name)

    def __repr__(self) -> str:
        return f"<pipeline {self.name}>"


def _options(p: Pipeline) -> list[str]:
    return [key for key in vars(p) if key not in {"entrypoint", "name"}]


def _write_card(model: Model | None, card: dict[str, str], *, missing_ok: bool) -> bool:
    """Write ``card`` to ``model``'s model; False when the model does not exist yet (and ``missing_ok``)."""
    if model is None:
        return False
    runtime = _lazy.load("waypost.execution.runtime")
    schemas = _lazy.load("waypost.schemas.models")
    exceptions = _lazy.load("waypost.exceptions")
    try:
        runtime.current().store.models.update(model.name, schemas.ModelUpdate(**card))
    except exceptions.NotFoundError:
        if not missing_ok:
            raise
        return False
    return True


def _compiler() -> Any:
    # The compiler needs pydantic (~0.2 s to import here); loading it on the first call keeps
    # `import waypost` within its budget (benchmarks/bench_import.py).
    return _lazy.load("waypost.sdk.compiler")


@overload
def pipeline(_func: F) -> Pipeline: ...
@overload
def pipeline(
    _func: None = None,
    *,
    name: str | None = None,
    enable_cache: bool = True,
    enable_step_logs: bool = True,
    enable_artifact_metadata: bool | None = None,
    enable_artifact_visualization: bool | None = None,
    settings: dict[str, Any] | None = None,
    substitutions: dict[str, str] | None = None,
    tags: list[str | Tag] | None = None,
    model: Model | None = None,
    max_parallel_steps: int | None = None,
    run_name: str | None = None,
    config_path: str | Path | None = None,
    extra: dict[str, Any] | None = None,
    detach: bool = False,
    on_failure: Callable[..., Any] | str | None = None,
    on_success: Callable[..., Any] | str | None = None,
) -> Callable[[F], Pipeline]: ...
def pipeline(_func: F | None = None, **options: Any) -> Pipeline | Callable[[F], Pipeline]:
    """Make a function a pipeline.

    Args:
        name: The pipeline's name (default: the function's name).
        enable_cache: Default for every step's ``enable_cache``.
        enable_step_logs: Default for every step's ``enable_step_logs``.
        enable_artifact_metadata: Default for every step's: False records no metadata extracted from outputs.
        enable_artifact_visualization: Default for every step's: False saves no visualizations of outputs.
        settings: ``{"resources": ResourceSettings(...)}`` (every step's default), ``{"docker": ...}`` and
            ``{"orchestrator.<flavor>": {...}}`` (recorded); see :mod:`waypost.config`.
        substitutions: Values for ``{KEY}`` in the run name and artifact names, besides ``{date}``/``{time}``.
        tags: Tags recorded on every run.
        model: A :class:`Model` the runs and their artifacts are linked to.
        max_parallel_steps: How many independent steps run at once (default: cores).
        run_name: A name for the run; ``{date}``, ``{time}`` and ``substitutions`` are filled in.
        config_path: A YAML run config with ``parameters``, ``steps`` and settings.
        detach: Submit the run to the stack's orchestrator and return without waiting (a dask
            orchestrator with a scheduler_address runs and records it without this process).
        on_failure: A function (or ``"package.module.function"``) called once when a run fails, where the
            run is driven, given the first failed step's exception when it takes an argument. Steps' own hooks
            are set on the steps. Its own exception is logged in one line and changes nothing.
        on_success: The same, called with no arguments once when a run completes.
    """
    if _func is not None:
        return Pipeline(_func, **options)

    def decorate(func: F) -> Pipeline:
        return Pipeline(func, **options)

    return decorate
