"""``on_failure`` / ``on_success`` hooks of steps and pipelines, as the compiler records them.

A hook is given as a function or as its source, ``"package.module.function"``. The spec records the
source (where a worker imports it from); the functions themselves go to the launcher beside the steps'
(see :func:`callables`), so a hook defined in a script or inside a function works too: called as it is
where the step runs in this process, sent by value to Dask workers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from waypost.execution.hooks import KEY_PREFIX, load

KINDS = ("on_failure", "on_success")


def key(source: str) -> str:
    """The key of the hook ``source`` among a compiled pipeline's functions."""
    return KEY_PREFIX + source


def source_of(hook: Any, kind: str, owner: str) -> tuple[str, Callable[..., Any]]:
    """The source of ``hook`` (a function, or a source string imported here) and the function, checked.

    Raises:
        TypeError: not a function or a source, or one that takes arguments the hook is not given.
        ValueError: a source that cannot be imported.
    """
    if isinstance(hook, str):
        source, function = hook, load(hook, f"The {kind} hook of {owner}")
    elif callable(hook):
        function = getattr(hook, "entrypoint", hook)
        module, qualname = getattr(function, "__module__", None), getattr(function, "__qualname__", None)
        if not module or not qualname:
            raise TypeError(
                f"The {kind} hook of {owner} is a {type(hook).__name__}; pass a function or 'module.function'."
            )
        source = f"{module}.{qualname}"
    else:
        raise TypeError(f"The {kind} hook of {owner} is a {type(hook).__name__}; pass a function or 'module.function'.")
    _check_signature(function, kind, owner)
    return source, function


def _check_signature(function: Callable[..., Any], kind: str, owner: str) -> None:
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # a builtin without a signature: called as it is
        return
    required = [
        p for p in params if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    allowed = 1 if kind == "on_failure" else 0
    if len(required) > allowed:
        takes = "nothing or the exception (def hook(exception: BaseException))" if allowed else "no arguments"
        raise TypeError(
            f"The {kind} hook of {owner}, {getattr(function, '__name__', function)!r}, needs "
            f"{', '.join(p.name for p in required)}; an {kind} hook takes {takes}."
        )


#: A run config's names of the hooks (ZenML's), by the option they set.
CONFIG_KEYS = {"on_failure": "failure_hook_source", "on_success": "success_hook_source"}


def sources(settings: dict[str, Any], owner: str) -> dict[str, str]:
    """The hooks among ``settings`` (``on_failure`` / ``on_success``, or a run config's ``failure_hook_source`` /
    ``success_hook_source``, which win) as their sources."""
    found: dict[str, str] = {}
    for kind in KINDS:
        hook = settings.get(CONFIG_KEYS[kind])
        if isinstance(hook, dict) and {"module", "attribute"} <= hook.keys():  # ZenML's Source, written out
            hook = f"{hook['module']}.{hook['attribute']}"
        hook = hook if hook is not None else settings.get(kind)
        if hook is not None:
            found[kind] = source_of(hook, kind, owner)[0]
    return found


def with_sources(settings: dict[str, Any], owner: str) -> dict[str, Any]:
    """``settings`` with its hooks as sources under ``on_failure`` / ``on_success`` (a run config's names gone)."""
    merged = {k: v for k, v in settings.items() if k not in CONFIG_KEYS.values()}
    merged.update(sources(settings, owner))
    return merged


def callables(pipeline: Any, steps: Iterable[Any]) -> dict[str, Callable[..., Any]]:
    """The hook functions of a pipeline and its steps, keyed by :func:`key` of their sources."""
    found: dict[str, Callable[..., Any]] = {}
    given = [(kind, getattr(pipeline, kind, None)) for kind in KINDS]
    given += [(kind, s.settings.get(kind)) for s in steps for kind in KINDS]
    for kind, hook in given:
        if hook is not None:
            source, function = source_of(hook, kind, "it")
            found[key(source)] = function
    return found
