"""``{{secret.NAME.KEY}}`` in component configurations: found, resolved in memory, and masked for display.

A reference is the whole value or part of a string (``https://{{secret.hook.host}}/x``). Names and
keys follow the component naming rule. Resolution happens only where a component is used (a run
on its stack, a verify); what is stored and shown keeps the reference, and values of fields a
flavor marks secret are replaced by :data:`MASK`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["MASK", "REFERENCE", "UnresolvedSecretError", "mask_config", "mask_text", "references", "resolve"]

MASK = "********"
REFERENCE = re.compile(r"\{\{\s*secret\.([A-Za-z0-9][A-Za-z0-9_.-]{0,99}?)\.([A-Za-z0-9_][A-Za-z0-9_-]{0,99})\s*\}\}")


class UnresolvedSecretError(LookupError):
    """A ``{{secret.NAME.KEY}}`` whose secret or key does not exist; the message names which and the fix."""


def _walk(value: Any, fn: Callable[[str], Any]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {k: _walk(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v, fn) for v in value]
    return value


def references(config: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Every (secret name, key) that ``config`` refers to."""
    found: set[tuple[str, str]] = set()

    def collect(text: str) -> str:
        found.update((m.group(1), m.group(2)) for m in REFERENCE.finditer(text))
        return text

    _walk(config, collect)
    return found


def resolve(config: Mapping[str, Any], lookup: Callable[[str], Mapping[str, str] | None]) -> dict[str, Any]:
    """``config`` with each reference replaced by its value; ``lookup(name)`` gives a secret's values (or None).

    Raises :class:`UnresolvedSecretError` naming the first reference that does not resolve.
    """
    cache: dict[str, Mapping[str, str] | None] = {}

    def value_of(match: re.Match[str]) -> str:
        name, key = match.group(1), match.group(2)
        if name not in cache:
            cache[name] = lookup(name)
        values = cache[name]
        if values is None:
            raise UnresolvedSecretError(
                f"{match.group(0)} does not resolve: there is no secret '{name}'; "
                f"create it with `waypost secret create {name} --{key}=...`."
            )
        if key not in values:
            keys = ", ".join(sorted(values)) or "none"
            raise UnresolvedSecretError(
                f"{match.group(0)} does not resolve: secret '{name}' has no key '{key}' (its keys: {keys}); "
                f"add it with `waypost secret update {name} --{key}=...`."
            )
        return values[key]

    resolved = _walk(config, lambda text: REFERENCE.sub(value_of, text) if "{{" in text else text)
    assert isinstance(resolved, dict)
    return resolved


def mask_config(config: Mapping[str, Any], secret_fields: Iterable[str]) -> dict[str, Any]:
    """``config`` for display: secret-marked fields given literally become :data:`MASK` (references stay)."""
    hidden = set(secret_fields)
    out: dict[str, Any] = {}
    for key, value in config.items():
        is_reference = isinstance(value, str) and REFERENCE.fullmatch(value.strip()) is not None
        if key in hidden and value not in (None, "") and not is_reference:
            out[key] = MASK
        else:
            out[key] = value
    return out


def mask_text(text: str, values: Iterable[str]) -> str:
    """``text`` with every secret value in ``values`` replaced by :data:`MASK` (longest first; short ones kept)."""
    for value in sorted({v for v in values if v and len(v) >= 4}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
