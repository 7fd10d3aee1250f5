"""Calling ``on_failure`` / ``on_success`` hooks: a step's after the step, in its process and context; a
pipeline's once when its run ends.

A hook's source (``package.module.function``) is in the spec; the function itself, when the launcher
has it, is among the runner's functions under ``"<hook> " + source`` (a hook defined in a script or a
function), else it is imported from its source. A hook that raises, or cannot be loaded, is logged as one
line; the step's or the run's status stays what it was.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger("waypost.hooks")

#: Prefix of a hook's key among the runner's functions (step names never start so).
KEY_PREFIX = "<hook> "


def load(source: str, what: str) -> Callable[..., Any]:
    """Import ``package.module.function`` (``module:function`` too; a class's function as ``module.Class.f``).

    Raises:
        ValueError: in one line, when it cannot be imported or is not callable.
    """
    parts = source.replace(":", ".").split(".")
    for cut in range(len(parts) - 1, 0, -1):  # the longest importable module, then attributes
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                found = getattr(found, attr)
        except AttributeError:
            break
        if callable(found):
            return found  # type: ignore[no-any-return]
        break
    raise ValueError(
        f"{what}, '{source}', cannot be imported; give 'package.module.function' of an importable function."
    )


def call(
    kind: str, source: str, functions: Mapping[str, Callable[..., Any]], exception: BaseException | None, owner: str
) -> str | None:
    """Call the ``kind`` hook ``source`` of ``owner`` (``step 'x'``, ``pipeline 'p'``); on_failure with the
    exception when it takes an argument. Returns the one line logged when the hook failed, else None."""
    try:
        hook = functions.get(KEY_PREFIX + source) or load(source, f"The {kind} hook of {owner}")
        if exception is not None and _takes_an_argument(hook):
            hook(exception)
        else:
            hook()
    except Exception as exc:  # the hook's own failure never changes the step's or the run's status
        detail = " ".join(str(exc).split())[:300]
        line = f"The {kind} hook '{source}' of {owner} raised {type(exc).__name__}: {detail}; the status is unchanged."
        log.warning(line)
        return line
    return None


def _takes_an_argument(hook: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(hook).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def after_step(
    kind: str,
    step: Any,
    functions: Mapping[str, Callable[..., Any]],
    exception: BaseException | None = None,
) -> None:
    """Call ``step``'s ``kind`` hook, if it has one (the caller has its log capture and context set)."""
    source = getattr(step.settings, kind, None)
    if source is not None:
        call(kind, source, functions, exception, f"step '{step.name}'")


def after_run(
    spec: Any, functions: Mapping[str, Callable[..., Any]], succeeded: bool, exception: BaseException | None
) -> None:
    """Call the pipeline's on_success (``succeeded``) or on_failure hook once, as its run ends."""
    kind = "on_success" if succeeded else "on_failure"
    source = getattr(spec.settings, kind, None)
    if source is not None:
        call(kind, source, functions, None if succeeded else exception, f"pipeline '{spec.name}'")
