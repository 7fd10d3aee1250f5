"""The filter language shared by the API, the CLI and the dashboard's search box.

    status:failed pipeline:train tag:prod metadata.accuracy>0.9 created>2026-11-01

A query is whitespace-separated terms, all of which must hold. A term is
``[-]key OP value`` with OP one of ``:`` (equals / is one of), ``=``, ``!=``, ``>``,
``>=``, ``<``, ``<=``, or ``~`` (contains). ``a,b`` after ``:`` means either. A leading
``-`` negates. Values may be double-quoted to hold spaces. A bare word searches names.
The parser only produces :class:`Term` objects; the store turns them into bound SQL
parameters, never into SQL text. A query's cost grows with its terms, so its length and
its number of terms (each value of a list counts) are bounded: :data:`LIMITS`, which the
server sets from its settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from waypost.exceptions import FilterSyntaxError
from waypost.schemas.common import MAX_PAGE_SIZE

OPERATORS = (">=", "<=", "!=", ":", "=", ">", "<", "~")
_TERM = re.compile(r'\s*(-?)([A-Za-z_][\w.\-]*)(>=|<=|!=|:|=|>|<|~)("(?:[^"\\]|\\.)*"?|\S*)')
_BARE = re.compile(r'\s*(-?)("(?:[^"\\]|\\.)*"?|\S+)')


@dataclass
class Limits:
    """The largest query :func:`parse` accepts."""

    max_chars: int = 1000
    max_terms: int = 30


LIMITS = Limits()
"""The limits in force (``waypost up`` sets them from ``server.filter_max_chars``/``_terms``)."""


def set_limits(max_chars: int, max_terms: int) -> None:
    """Change the largest query :func:`parse` accepts, for this process."""
    LIMITS.max_chars, LIMITS.max_terms = max_chars, max_terms


@dataclass(frozen=True)
class Term:
    """One condition of a filter query."""

    key: str
    op: str
    values: tuple[str, ...]
    negate: bool = False

    def __str__(self) -> str:
        return f"{'-' if self.negate else ''}{self.key}{self.op}{','.join(self.values)}"


def parse(query: str) -> list[Term]:
    """Parse ``query`` into terms; raise FilterSyntaxError with a one-line fix.

    A query longer than :data:`LIMITS` allows, or with more terms, is refused before any
    of it reaches a database.
    """
    terms: list[Term] = []
    pos, text = 0, query.strip()
    if len(text) > LIMITS.max_chars:
        raise FilterSyntaxError(
            f"The filter is {len(text)} characters long, over the limit of {LIMITS.max_chars}; "
            "shorten it (the server's filter_max_chars setting sets the limit)."
        )
    while pos < len(text):
        m = _TERM.match(text, pos)
        if m and m.group(2) and m.group(3):
            negate, key, op, raw = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
            if not raw:
                raise FilterSyntaxError(f"Filter term '{key}{op}' has no value; write it like {key}{op}VALUE.")
            values = _split(raw, key, op)
            terms.append(Term(key.lower() if not key.startswith("metadata.") else key, op, values, negate))
            pos = m.end()
            continue
        b = _BARE.match(text, pos)
        if b is None:  # only whitespace left
            break
        word = b.group(2)
        if any(word.startswith(o) for o in OPERATORS):
            raise FilterSyntaxError(
                f"Filter term '{word}' starts with an operator; put a key before it, like status:failed."
            )
        terms.append(Term("name", "~", (_unquote(word),), b.group(1) == "-"))
        pos = b.end()
    if sum(len(t.values) for t in terms) > LIMITS.max_terms:
        raise FilterSyntaxError(
            f"The filter has more than {LIMITS.max_terms} terms (each value of a list counts); "
            "use fewer (the server's filter_max_terms setting sets the limit)."
        )
    return terms


def _split(raw: str, key: str, op: str) -> tuple[str, ...]:
    if raw.startswith('"'):
        return (_unquote(raw),)
    parts = tuple(p for p in raw.split(",")) if op == ":" else (raw,)
    if any(not p for p in parts):
        raise FilterSyntaxError(f"Filter term '{key}{op}{raw}' has an empty value in its list; remove the extra comma.")
    return parts


def _unquote(word: str) -> str:
    if not word.startswith('"'):
        return word
    if len(word) < 2 or not word.endswith('"'):
        raise FilterSyntaxError(f'Filter value {word} has no closing quote; add a " at its end.')
    return re.sub(r"\\(.)", r"\1", word[1:-1])


_RELATIVE = re.compile(r"^-?(\d+)([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_time(value: str, key: str) -> datetime:
    """A date, an ISO 8601 time, or a relative age like ``7d`` (seven days ago), in UTC."""
    rel = _RELATIVE.match(value)
    try:
        if rel:
            return datetime.now(UTC) - timedelta(**{_UNITS[rel.group(2)]: int(rel.group(1))})
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise FilterSyntaxError(
            f"'{value}' in '{key}' is not a time; use a date (2026-11-01), an ISO time or an age like 7d."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_number(value: str, key: str) -> float:
    """A number for a comparison."""
    try:
        return float(value)
    except ValueError:
        raise FilterSyntaxError(
            f"'{value}' in '{key}' is not a number; compare {key} with a number like 0.9."
        ) from None


def check_page(page: int, size: int) -> None:
    """Reject paging outside the allowed range with a one-line fix."""
    if page < 1:
        raise FilterSyntaxError(f"Page {page} does not exist; pages start at 1.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise FilterSyntaxError(f"Page size {size} is out of range; use 1 to {MAX_PAGE_SIZE}.")
