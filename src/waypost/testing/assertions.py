"""Small assertions shared by the contract suites."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["assert_one_line", "ids", "names"]


def assert_one_line(error: BaseException, *fragments: str) -> str:
    """Assert ``error``'s message is one non-empty line holding every fragment; return it."""
    message = str(error)
    assert message.strip(), f"{type(error).__name__} has an empty message"
    assert "\n" not in message, f"{type(error).__name__} message spans lines: {message!r}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def names(items: Iterable[Any]) -> list[str]:
    """The ``name`` of each item, in order."""
    return [item.name for item in items]


def ids(items: Iterable[Any]) -> list[Any]:
    """The ``id`` of each item, in order."""
    return [item.id for item in items]
