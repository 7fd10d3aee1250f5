"""Two JSON-like mappings compared key by key, nested values as dotted keys (for run diffs)."""

from __future__ import annotations

from typing import Any

from waypost.schemas.run_diff import ValueChange

__all__ = ["changes", "flatten"]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys (``retry.max_retries``); anything else, lists included, is a leaf."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(flatten(inner, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: value} if prefix else {}


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[ValueChange]:
    """The keys whose values differ, alphabetically (a key one side lacks reads as null there)."""
    return [
        ValueChange(key=k, before=before.get(k), after=after.get(k))
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k) or (k in before) != (k in after)
    ]
