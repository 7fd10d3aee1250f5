"""Reading a step's outputs off its return annotation (standard library only)."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

from waypost.sdk.artifacts import ArtifactConfig


@dataclass(frozen=True)
class OutputInfo:
    """A declared output: its name, type and, for ``Annotated`` ones, the artifact name and config."""

    name: str
    annotation: Any
    artifact_name: str | None = None
    config: ArtifactConfig | None = None


def _type_path(t: Any) -> str:
    if t is Any or t is None:
        return "typing.Any"
    if isinstance(t, type):
        return f"{t.__module__}.{t.__qualname__}"
    return repr(t)


def type_path(t: Any) -> str:
    """The dotted name of an annotation, e.g. ``pandas.core.frame.DataFrame``."""
    return _type_path(t)


def _one(annotation: Any, default_name: str, step: str) -> OutputInfo:
    if isinstance(annotation, ArtifactConfig):
        raise TypeError(
            f"Step '{step}' puts an ArtifactConfig on an output without a type; "
            "write -> Annotated[TYPE, ArtifactConfig(...)]."
        )
    if get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        configs = [e for e in extras if isinstance(e, ArtifactConfig)]
        if len(configs) > 1:
            raise TypeError(f"Step '{step}' gives one output two ArtifactConfigs; keep one.")
        config = configs[0] if configs else None
        names = [e for e in extras if isinstance(e, str)]
        if config is not None and config.name is not None:
            if names and names[0] != config.name:
                raise TypeError(
                    f"Step '{step}' names one output both '{names[0]}' and ArtifactConfig(name='{config.name}'); "
                    "keep one."
                )
            names = [config.name]
        if names:
            return OutputInfo(names[0], base, names[0], config)
        return OutputInfo(default_name, base, None, config)
    return OutputInfo(default_name, annotation)


def parse_outputs(func: Callable[..., Any]) -> list[OutputInfo]:
    """Outputs from ``func``'s return annotation: none for ``None``, several for a tuple."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except NameError:  # a type only imported for type checkers: treat the outputs as untyped
        hints = {}
    except Exception as exc:  # ArtifactConfig(bad=...) in Annotated: say so rather than drop the name silently
        raise TypeError(f"Step '{func.__name__}': its type annotations do not evaluate: {exc}") from None
    if "return" not in func.__annotations__:
        return [OutputInfo("output", Any)]
    ret = hints.get("return", Any)
    if ret is None or ret is type(None):
        return []
    if get_origin(ret) is tuple:
        args = get_args(ret)
        if args and args[-1] is not Ellipsis:
            outs = [_one(a, f"output_{i}", func.__name__) for i, a in enumerate(args)]
            if len({o.name for o in outs}) != len(outs):
                raise TypeError(
                    f"Step '{func.__name__}' names two outputs alike; give each Annotated output its own name."
                )
            return outs
    return [_one(ret, "output", func.__name__)]
