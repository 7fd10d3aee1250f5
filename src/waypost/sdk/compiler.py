"""Compile a pipeline function and its arguments into a PipelineSpec."""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from waypost.exceptions import ConfigurationError, MissingInputError, ParameterError
from waypost.schemas import (
    ArtifactVersionRead,
    InputSpec,
    ModelSpec,
    OutputSpec,
    PipelineSettings,
    PipelineSpec,
    StepSettings,
    StepSpec,
)
from waypost.sdk import _settings, run_settings
from waypost.sdk import hooks as step_hooks
from waypost.sdk._compiling import ACTIVE, CompilationContext, Invocation, StepArtifact
from waypost.sdk.artifacts import ExternalArtifact, save_artifact
from waypost.sdk.outputs import OutputInfo, type_path
from waypost.sdk.pipeline import Pipeline
from waypost.sdk.tags import tag_names

_FLAGS = {"enable_cache", "enable_step_logs", "enable_artifact_metadata", "enable_artifact_visualization"}
_CONFIG_KEYS = {
    "parameters",
    "steps",
    *_FLAGS,
    "tags",
    "run_name",
    "model",
    "max_parallel_steps",
    "extra",
    "settings",
    "substitutions",
}
_STEP_KEYS = {"parameters", *_FLAGS, "retry", "resources", "experiment_tracker", "extra", "settings", "substitutions"}
_STEP_KEYS |= set(step_hooks.CONFIG_KEYS.values())  # failure_hook_source, success_hook_source
_CONFIG_KEYS |= set(step_hooks.CONFIG_KEYS.values())


@dataclass
class Compiled:
    """A spec plus the in-process functions that implement its steps."""

    spec: PipelineSpec
    functions: dict[str, Callable[..., Any]]


def load_run_config(path: Path) -> dict[str, Any]:
    """Read and check a YAML run config."""
    import yaml  # here: most runs have no config file, and PyYAML costs ~10 ms of a script's start

    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigurationError(f"Run config {path} does not exist; check the path.") from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"Run config {path} is not valid YAML ({str(exc).splitlines()[0]}).") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"Run config {path} must be a mapping with keys like 'parameters' and 'steps'.")
    run_settings.warn_unknown(path, "", set(data) - _CONFIG_KEYS, _CONFIG_KEYS)
    data = {k: v for k, v in data.items() if k in _CONFIG_KEYS}
    steps = data.get("steps") or {}
    if not isinstance(steps, dict):
        raise ConfigurationError(f"Run config {path}: 'steps' must be a mapping of step names to their settings.")
    for name, cfg in list(steps.items()):
        if cfg is not None and not isinstance(cfg, dict):
            raise ConfigurationError(f"Run config {path}: steps.{name} must be a mapping like 'parameters: {{...}}'.")
        run_settings.warn_unknown(path, f" under steps.{name}", set(cfg or {}) - _STEP_KEYS, _STEP_KEYS)
        steps[name] = {k: v for k, v in (cfg or {}).items() if k in _STEP_KEYS}
    for key in ("settings", "substitutions", "extra"):
        if not isinstance(data.get(key) or {}, dict):
            raise ConfigurationError(f"Run config {path}: '{key}' must be a mapping.")
    return data


def _json_param(value: Any, what: str) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{what} is a {type(value).__name__}, which cannot be stored as a JSON parameter; "
            "pass it as the output of a step, or pass a JSON value (number, string, list, dict)."
        ) from None
    return value


def _merge_param(current: dict[str, Any], key: str, value: Any, where: str) -> None:
    if key in current and current[key] != value:
        raise ParameterError(
            f"{where} gets '{key}' both in code ({current[key]!r}) and in the run config ({value!r}); keep one."
        )
    current[key] = value


def compile_pipeline(p: Pipeline, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Compiled:
    """Run ``p``'s function in compilation mode and build its spec."""
    config = load_run_config(p.config_path) if p.config_path else {}
    sig = inspect.signature(p.entrypoint)
    try:
        bound = sig.bind_partial(*args, **kwargs)
    except TypeError as exc:
        raise ParameterError(f"Pipeline '{p.name}' was called with wrong arguments: {exc}.") from None
    params = dict(bound.arguments)
    for key, value in (config.get("parameters") or {}).items():
        if key not in sig.parameters:
            raise ParameterError(
                f"Run config sets parameter '{key}', which pipeline '{p.name}' does not take; "
                f"use one of {list(sig.parameters)}."
            )
        _merge_param(params, key, value, f"Pipeline '{p.name}'")
    for name, prm in sig.parameters.items():
        if name not in params:
            if prm.default is inspect.Parameter.empty:
                raise ParameterError(
                    f"Pipeline '{p.name}' needs parameter '{name}'; pass it in the call or the run config."
                )
            params[name] = prm.default
        _json_param(params[name], f"Pipeline parameter '{name}'")

    ctx = CompilationContext(p.name)
    token = ACTIVE.set(ctx)
    try:
        p.entrypoint(**params)
    finally:
        ACTIVE.reset(token)
    if not ctx.invocations:
        raise ParameterError(f"Pipeline '{p.name}' calls no steps; call at least one @step function in it.")

    step_configs: dict[str, Any] = config.get("steps") or {}
    for name in step_configs:
        if name not in ctx.invocations:
            raise ConfigurationError(
                f"Run config configures step '{name}', which pipeline '{p.name}' does not call; "
                f"use one of {list(ctx.invocations)}."
            )
    where = f"Pipeline '{p.name}'"
    run_cfg = run_settings.check_settings(
        _settings.merge_settings(p.settings, _settings.normalize_settings(config.get("settings"))), where
    )
    substitutions = {str(k): str(v) for k, v in {**p.substitutions, **(config.get("substitutions") or {})}.items()}
    shared = _Shared(run_cfg.get("resources", {}), substitutions)
    steps = [_step_spec(inv, step_configs.get(inv.name) or {}, shared) for inv in ctx.invocations.values()]
    model_cfg = config.get("model")
    model = ModelSpec(**model_cfg) if model_cfg else (ModelSpec(**p.model.as_spec()) if p.model else None)
    run_name = config.get("run_name", p.run_name)
    run_settings.check_template(run_name, substitutions, "run_name")
    flags = {
        flag: config[flag] if config.get(flag) is not None else getattr(p, flag)
        for flag in sorted(_FLAGS)
        if config.get(flag) is not None or getattr(p, flag) is not None
    }
    try:
        settings = PipelineSettings(
            **step_hooks.sources({**vars(p), **config}, f"pipeline '{p.name}'"),
            **flags,
            tags=sorted({*p.tags, *tag_names(config.get("tags"))}),
            max_parallel_steps=config.get("max_parallel_steps", p.max_parallel_steps),
            run_name=run_name,
            extra={**p.extra, **(config.get("extra") or {})},
            substitutions=substitutions,
            settings=run_cfg,
        )
    except ValidationError as exc:
        raise ConfigurationError(f"{where} has an invalid setting: {exc.errors()[0]['msg']}.") from None
    spec = PipelineSpec(
        name=p.name,
        steps=steps,
        parameters=params,
        settings=settings,
        model=model,
        source=f"{p.entrypoint.__module__}:{p.entrypoint.__qualname__}",
    )
    functions = {inv.name: inv.step.entrypoint for inv in ctx.invocations.values()}
    functions.update(step_hooks.callables(p, [inv.step for inv in ctx.invocations.values()]))
    return Compiled(spec=spec, functions=functions)


@dataclass
class _Shared:
    """What every step of the pipeline gets unless it says otherwise."""

    resources: dict[str, Any]
    substitutions: dict[str, str]


def _step_spec(inv: Invocation, cfg: dict[str, Any], shared: _Shared) -> StepSpec:
    step = inv.step
    where = f"Step '{inv.name}'"
    inputs: dict[str, InputSpec] = {}
    artifact_inputs: dict[str, uuid.UUID] = {}
    parameters: dict[str, Any] = {}
    cfg_params: dict[str, Any] = dict(cfg.get("parameters") or {})
    for key in cfg_params:
        if key not in step.signature.parameters:
            raise ParameterError(f"Run config sets parameter '{key}' of {where}, which it does not take.")
    arguments = dict(inv.arguments)
    params_in_order: list[tuple[str, inspect.Parameter | None]] = []
    for name, prm in step.signature.parameters.items():
        if prm.kind == inspect.Parameter.VAR_POSITIONAL:
            if arguments.pop(name, ()):
                raise ParameterError(f"{where} takes *{name}; pass those values by keyword instead.")
        elif prm.kind == inspect.Parameter.VAR_KEYWORD:
            extra = arguments.pop(name, {})
            arguments.update(extra)
            params_in_order.extend((k, None) for k in extra)
        else:
            params_in_order.append((name, prm))
    for name, maybe_prm in params_in_order:
        if name in arguments:
            value = arguments[name]
            if isinstance(value, StepArtifact):
                if name in cfg_params:
                    raise ParameterError(
                        f"Run config sets '{name}' of {where}, but it is an input from step '{value.invocation}'."
                    )
                inputs[name] = InputSpec(step=value.invocation, output=value.output)
                continue
            stored = _stored_version(value, inv, name)
            if stored is not None:
                if name in cfg_params:
                    raise ParameterError(
                        f"Run config sets '{name}' of {where}, but it is an input from artifact version {stored}."
                    )
                artifact_inputs[name] = stored
                continue
            items = _list_of_outputs(value, where, name)
            if items is not None:
                if name in cfg_params:
                    raise ParameterError(f"Run config sets '{name}' of {where}, but it is a list of step outputs.")
                for i, item in enumerate(items):
                    inputs[f"{name}[{i}]"] = InputSpec(
                        step=item.invocation, output=item.output, list_input=name, index=i
                    )
                continue
            parameters[name] = _json_param(value, f"Parameter '{name}' of step '{inv.name}'")
            if name in cfg_params:
                _merge_param(parameters, name, cfg_params[name], where)
        elif name in cfg_params:
            parameters[name] = _json_param(cfg_params[name], f"Parameter '{name}' of step '{inv.name}'")
        elif maybe_prm is not None and maybe_prm.default is not inspect.Parameter.empty:
            parameters[name] = _json_param(maybe_prm.default, f"Default of parameter '{name}' of step '{inv.name}'")
        else:
            raise MissingInputError(
                f"{where} is missing input '{name}'; pass a step's output or a value for it in the pipeline "
                f"(e.g. {step.name}({name}=...)) or set it under steps.{inv.name}.parameters in the run config."
            )
    merged = {k: v for k, v in step.settings.items() if v is not None}
    for key in _STEP_KEYS - {"parameters", "settings", "substitutions"}:
        if key in cfg:
            merged[key] = cfg[key]
    if merged.get("retry") is not None and hasattr(merged["retry"], "model_dump"):  # StepRetryConfig, all fields
        merged["retry"] = merged["retry"].model_dump(mode="json")
    given = run_settings.check_settings(
        _settings.merge_settings(step.settings["settings"], _settings.normalize_settings(cfg.get("settings"))), where
    )
    merged["resources"] = {
        **shared.resources,
        **_settings.as_dict(merged.get("resources"), f"{where} resources="),
        **given.pop("resources", {}),
    }
    merged["settings"] = given
    merged["substitutions"] = {
        str(k): str(v) for k, v in {**step.settings["substitutions"], **(cfg.get("substitutions") or {})}.items()
    }
    substitutions = {**shared.substitutions, **merged["substitutions"]}
    for output in step.outputs:
        run_settings.check_template(output.artifact_name, substitutions, f"{where}: the name of output '{output.name}'")
    merged = step_hooks.with_sources(merged, where.replace("Step", "step", 1))
    try:
        settings = StepSettings(**merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigurationError(
            f"{where} has an invalid setting '{'.'.join(str(x) for x in err['loc'])}': {err['msg']}."
        ) from None
    materializers = _materializers(step.output_materializers, [o.name for o in step.outputs], where)
    text, digest = step.source()
    return StepSpec(
        name=inv.name,
        step_name=step.name,
        source=step.source_path,
        source_hash=digest,
        source_code=text,
        docstring=inspect.getdoc(step.entrypoint),
        parameters=parameters,
        inputs=inputs,
        artifact_inputs=artifact_inputs,
        outputs=[_output_spec(o, materializers.get(o.name), inv.name) for o in step.outputs],
        after=inv.after,
        settings=settings,
    )


def _list_of_outputs(value: Any, where: str, name: str) -> list[StepArtifact] | None:
    """The step outputs in a list or tuple passed as one argument (the step gets a list of their values, in
    order); None for any other value. A list mixing outputs with other values is refused in one line."""
    if not isinstance(value, list | tuple) or not value:
        return None
    outputs = [v for v in value if isinstance(v, StepArtifact)]
    if not outputs:
        return None
    if len(outputs) != len(value):
        other = next(v for v in value if not isinstance(v, StepArtifact))
        raise ParameterError(
            f"{where} got a list for '{name}' mixing step outputs with a {type(other).__name__}; pass only step "
            "outputs in it (make the other values a step's output), or pass them as separate arguments."
        )
    return outputs


def _stored_version(value: Any, inv: Invocation, name: str) -> uuid.UUID | None:
    """The id of the artifact version ``value`` stands for: a stored version (``ArtifactVersionRead``), or an
    ``ExternalArtifact`` (its value saved now, once per object), else None."""
    if isinstance(value, ArtifactVersionRead):
        return value.id
    if isinstance(value, ExternalArtifact):
        if value.id is None:
            saved = save_artifact(
                value.value,
                value.name or f"external::{inv.name}::{name}",
                extract_metadata=value.store_artifact_metadata,
                include_visualizations=value.store_artifact_visualizations,
            )
            value.id = saved.id
        return value.id
    return None


def _output_spec(o: OutputInfo, materializer: str | None, step_name: str) -> OutputSpec:
    config = o.config
    if config is None:
        return OutputSpec(
            name=o.name, data_type=type_path(o.annotation), materializer=materializer, artifact_name=o.artifact_name
        )
    metadata = dict(config.run_metadata or {})
    for key, value in metadata.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise ParameterError(
                f"ArtifactConfig(run_metadata=...) of output '{o.name}' of step '{step_name}' has '{key}' of type "
                f"{type(value).__name__}, which cannot be stored; log numbers, strings, booleans, or lists and dicts."
            ) from None
    return OutputSpec(
        name=o.name,
        data_type=type_path(o.annotation),
        materializer=materializer,
        artifact_name=o.artifact_name,
        version_name=None if config.version is None else str(config.version),
        tags=tag_names(config.tags),
        run_metadata=metadata,
        model_role=config.model_role,
        artifact_type=config.artifact_type.name if config.artifact_type is not None else None,
    )


def _materializers(value: Any, outputs: list[str], where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        unknown = set(value) - set(outputs)
        if unknown:
            raise ConfigurationError(f"{where} sets a materializer for unknown output '{sorted(unknown)[0]}'.")
        return {k: _dotted(v) for k, v in value.items()}
    return {o: _dotted(value) for o in outputs}


def _dotted(cls: Any) -> str:
    return cls if isinstance(cls, str) else f"{cls.__module__}.{cls.__qualname__}"
