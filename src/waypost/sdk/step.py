"""The ``@step`` decorator."""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, overload

from waypost.sdk import _settings
from waypost.sdk._compiling import ACTIVE, Invocation, StepArtifact
from waypost.sdk.outputs import parse_outputs

F = TypeVar("F", bound=Callable[..., Any])


class BaseStep:
    """A step: a Python function whose calls inside a pipeline become DAG nodes."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        enable_cache: bool | None = None,
        enable_step_logs: bool | None = None,
        enable_artifact_metadata: bool | None = None,
        enable_artifact_visualization: bool | None = None,
        retry: dict[str, Any] | Any | None = None,
        resources: dict[str, Any] | Any | None = None,
        settings: dict[str, Any] | None = None,
        substitutions: dict[str, str] | None = None,
        output_materializers: dict[str, Any] | Any | None = None,
        experiment_tracker: str | None = None,
        extra: dict[str, Any] | None = None,
        on_failure: Callable[..., Any] | str | None = None,
        on_success: Callable[..., Any] | str | None = None,
    ) -> None:
        self.entrypoint = func
        self.name = name or func.__name__
        self.settings: dict[str, Any] = {
            "enable_cache": enable_cache,
            "enable_step_logs": enable_step_logs,
            "enable_artifact_metadata": enable_artifact_metadata,
            "enable_artifact_visualization": enable_artifact_visualization,
            "retry": retry,
            "resources": resources,
            "experiment_tracker": experiment_tracker,
            "on_failure": on_failure,
            "on_success": on_success,
            "extra": dict(extra or {}),
            "settings": _settings.normalize_settings(settings),
            "substitutions": _settings.as_dict(substitutions, "substitutions="),
        }
        self.output_materializers = output_materializers
        self.signature = inspect.signature(func)
        self.outputs = parse_outputs(func)
        self._source: tuple[str, str] | None = None
        functools.update_wrapper(self, func)

    @property
    def source_path(self) -> str:
        """``module:qualname`` of the function, for loading it in another process."""
        return f"{self.entrypoint.__module__}:{self.entrypoint.__qualname__}"

    def source(self) -> tuple[str, str]:
        """The function's source text and its SHA-256 (computed once)."""
        if self._source is None:
            try:
                text = inspect.getsource(self.entrypoint)
            except (OSError, TypeError):  # defined in a REPL: fall back to the bytecode
                text = repr(self.entrypoint.__code__.co_code)
            self._source = (text, hashlib.sha256(text.encode()).hexdigest())
        return self._source

    def configure(self, *, merge: bool = True, **settings: Any) -> BaseStep:
        """Change settings in place and return this step (same names as the decorator's keywords).

        With ``merge=True`` (the default) ``settings`` are merged key by key and field by field, ``extra``
        and ``substitutions`` key by key; ``merge=False`` replaces them. A ``None`` leaves a setting as it is.
        """
        for key in settings:
            if key not in self.settings and key not in {"name", "output_materializers"}:
                raise TypeError(f"Unknown step setting '{key}'; use one of {sorted(self.settings)}.")
        for key, value in settings.items():
            if value is None:
                continue
            if key == "name":
                self.name = value
            elif key == "output_materializers":
                self.output_materializers = value
            else:
                self.settings[key] = _settings.merge_option(key, self.settings[key], value, merge=merge)
        return self

    def with_options(self, **settings: Any) -> BaseStep:
        """A copy of this step with changed settings."""
        self.source()  # computed once here, so copies made per pipeline call share it
        clone = BaseStep.__new__(BaseStep)
        clone.__dict__.update(self.__dict__)
        clone.settings = dict(self.settings)  # configure() replaces values, never changes them in place
        return clone.configure(**settings)

    def __call__(self, *args: Any, id: str | None = None, after: Any = None, **kwargs: Any) -> Any:
        ctx = ACTIVE.get()
        if ctx is None:  # outside a pipeline a step is its plain function
            return self.entrypoint(*args, **kwargs)
        try:
            bound = self.signature.bind_partial(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"Step '{self.name}' was called with wrong arguments: {exc}.") from None
        name = ctx.unique_name(self.name, id)
        after_names = [a.invocation if isinstance(a, StepArtifact) else str(a) for a in _as_list(after)]
        inv = Invocation(name=name, step=self, arguments=dict(bound.arguments), after=after_names)
        inv.outputs = [
            StepArtifact(name, o.name, o.artifact_name or f"{ctx.pipeline_name}::{name}::{o.name}")
            for o in self.outputs
        ]
        ctx.invocations[name] = inv
        if not inv.outputs:
            return None
        if len(inv.outputs) == 1:
            return inv.outputs[0]
        return tuple(inv.outputs)

    def __repr__(self) -> str:
        return f"<step {self.name}>"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [v for item in value for v in _as_list(item)]
    return [value]


@overload
def step(_func: F) -> BaseStep: ...
@overload
def step(
    _func: None = None,
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    enable_step_logs: bool | None = None,
    enable_artifact_metadata: bool | None = None,
    enable_artifact_visualization: bool | None = None,
    retry: Any = None,
    resources: Any = None,
    settings: dict[str, Any] | None = None,
    substitutions: dict[str, str] | None = None,
    output_materializers: Any = None,
    experiment_tracker: str | None = None,
    extra: dict[str, Any] | None = None,
    on_failure: Callable[..., Any] | str | None = None,
    on_success: Callable[..., Any] | str | None = None,
) -> Callable[[F], BaseStep]: ...
def step(_func: F | None = None, **settings: Any) -> BaseStep | Callable[[F], BaseStep]:
    """Make a function a pipeline step.

    Args:
        name: The step's name (default: the function's name).
        enable_cache: Reuse outputs of an identical earlier call (default: the pipeline's setting).
        enable_step_logs: Store the step's stdout, stderr and logging output.
        enable_artifact_metadata: False records no metadata extracted from the outputs.
        enable_artifact_visualization: False saves no visualizations of the outputs.
        retry: ``StepRetryConfig(max_retries=3, delay=1, backoff=2)`` (or that dict): retries with backoff.
        resources: Resource hints ``{"cpu_count": 2, "gpu_count": 1, "memory": "4GB"}``.
        settings: ``{"resources": ResourceSettings(...)}`` (applied), ``{"docker": DockerSettings(...)}``
            and ``{"orchestrator.<flavor>": {...}}`` (recorded); see :mod:`waypost.config`.
        substitutions: Values for ``{KEY}`` in the output artifact names, over the pipeline's.
        output_materializers: A Materializer class, or one per output name.
        extra: Free-form settings recorded with the step.
        on_failure: A function (or ``"package.module.function"``) called in the step's process after it fails
            for good (retries spent), with ``get_step_context()`` available; given the exception when it takes
            an argument. Its own exception is logged in one line and changes nothing.
        on_success: The same, called with no arguments after the step succeeds (not when served from the cache).

    Example:
        >>> @step(enable_cache=False)
        ... def train(df: pd.DataFrame, lr: float = 0.1) -> Annotated[object, "model"]: ...
    """
    if _func is not None:
        return BaseStep(_func, **settings)

    def decorate(func: F) -> BaseStep:
        return BaseStep(func, **settings)

    return decorate
