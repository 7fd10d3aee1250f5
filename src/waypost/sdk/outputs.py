"""Reading a step's outputs off its return annotation (standard library only)."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin


@dataclass(frozen=True)
class OutputInfo:
    """A declared output: its name, type and, for ``Annotated`` ones, the artifact name."""

    name: str
    annotation: Any
    artifact_name: str | None = None


def _type_path(t: Any) -> str:
    if t is Any or t is None:
        return "typing.Any"
    if isinstance(t, type):
        return f"{t.__module__}.{t.__qualname__}"
    return repr(t)


def type_path(t: Any) -> str:
    """The dotted name of an annotation, e.g. ``pandas.core.frame.DataFrame``."""
    return _type_path(t)


def _one(annotation: Any, default_name: str) -> OutputInfo:
    if get_origin(annotation) is Annotated:
        base, *extras = get_args(annotation)
        names = [e for e in extras if isinstance(e, str)]
        if names:
            return OutputInfo(names[0], base, names[0])
        return OutputInfo(default_name, base)
    return OutputInfo(default_name, annotation)


def parse_outputs(func: Callable[..., Any]) -> list[OutputInfo]:
    """Outputs from ``func``'s return annotation: none for ``None``, several for a tuple."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:  # unresolved forward references: treat the output as untyped
        hints = {}
    if "return" not in func.__annotations__:
        return [OutputInfo("output", Any)]
    ret = hints.get("return", Any)
    if ret is None or ret is type(None):
        return []
    if get_origin(ret) is tuple:
        args = get_args(ret)
        if args and args[-1] is not Ellipsis:
            outs = [_one(a, f"output_{i}") for i, a in enumerate(args)]
            if len({o.name for o in outs}) != len(outs):
                raise TypeError(
                    f"Step '{func.__name__}' names two outputs alike; give each Annotated output its own name."
                )
            return outs
    return [_one(ret, "output")]
