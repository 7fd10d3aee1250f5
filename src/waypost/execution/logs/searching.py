"""Searching stored step logs: matching lines with context, their count, and a deadline.

Search looks for the JSON-escaped needle in each chunk's raw bytes and decodes only the lines
that contain it; a regex is tried only on lines holding a text every match must contain,
when it has one (see :mod:`.patterns`).
"""

from __future__ import annotations

import bisect
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from waypost.artifacts.store import ArtifactStore
from waypost.execution.logs.patterns import compile_regex, required_literal
from waypost.execution.logs.reading import _MSG, _chunks, _decode, _message, _read, _split, read_lines

COUNT_CAP = 10_000
"""Search counts matching lines exactly up to this many, then only says there are more."""

_ENCODER = json.JSONEncoder(ensure_ascii=False)


@dataclass
class SearchResult:
    """Hits (each ``{"line", "before", "after"}``) and how many lines match in all.

    ``total`` counts matching lines from the search's offset on, exactly up to
    :data:`COUNT_CAP`; ``more`` is True when the count stopped there. ``cut_at`` is the
    line number a search stopped at when its deadline passed (search on from there), and
    None when it finished.
    """

    hits: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    more: bool = False
    cut_at: int | None = None


class _OutOfTimeError(Exception):
    """The deadline passed; ``index`` is the first line of the chunk not searched."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def search(
    store: ArtifactStore,
    uri: str,
    text: str,
    *,
    limit: int = 100,
    context: int = 0,
    case_sensitive: bool = False,
    regex: bool = False,
) -> list[dict[str, Any]]:
    """Lines whose message matches, each as ``{"line", "before", "after"}``.

    ``before``/``after`` hold up to ``context`` neighbouring lines.
    """
    return search_log(
        store, uri, text, limit=limit, context=context, case_sensitive=case_sensitive, regex=regex, count=False
    ).hits


def search_log(
    store: ArtifactStore,
    uri: str,
    text: str,
    *,
    offset: int = 0,
    limit: int = 100,
    context: int = 0,
    case_sensitive: bool = False,
    regex: bool = False,
    count: bool = True,
    count_cap: int = COUNT_CAP,
    deadline: float | None = None,
    require_re2: bool = False,
) -> SearchResult:
    """Matching lines from line ``offset`` on, with ``context`` lines around each, and their count.

    Without ``count`` the search stops at ``limit`` hits. A plain-text search looks for the
    JSON-escaped needle in each chunk's raw bytes (lowered for a case-insensitive one) and
    decodes a line only where the raw match is not plainly inside its message.

    Past ``deadline`` (a :func:`time.monotonic` time) the search stops and says where in
    ``cut_at``; the time it overruns is that of one line (with RE2, linear in its length).

    Raises:
        PatternError: ``regex`` and ``text`` does not compile (or, with ``require_re2``,
            the RE2 engine is missing).
    """
    if offset < 0 or limit < 0 or context < 0:
        raise ValueError("offset, limit and context must not be negative")
    until = math.inf if deadline is None else deadline
    find = _regex_finder(text, case_sensitive, require_re2) if regex else _text_finder(text, case_sensitive)
    result = SearchResult()
    chunks = _chunks(store, uri)
    first = max(bisect.bisect_right([start for start, _ in chunks], offset) - 1, 0)
    cap = max(count_cap, limit) if count else limit
    for start, path in chunks[first:]:
        if time.monotonic() > until:
            result.cut_at = max(start, offset)
            break
        data = _read(store, path)
        skip = _byte_offset(data, offset - start) if offset > start else 0
        kept: list[int] = []
        try:
            for index in find(data, skip, cap - result.total + 1, until):
                if result.total >= cap:
                    result.more = True
                    break
                result.total += 1
                if len(result.hits) + len(kept) < limit:
                    kept.append(index)
        except _OutOfTimeError as cut:
            result.cut_at = max(start + cut.index, offset)
        if kept:
            raws = _split(data)
            result.hits.extend(_hit(store, uri, raws, start, i, context) for i in kept)
        if result.more or result.cut_at is not None or (not count and len(result.hits) >= limit):
            break
    return result


def _hit(store: ArtifactStore, uri: str, raws: list[bytes], start: int, i: int, context: int) -> dict[str, Any]:
    """Line ``i`` of a chunk starting at line ``start``, with up to ``context`` lines each side."""
    before = [_decode(r) for r in raws[max(i - context, 0) : i]]
    after = [_decode(r) for r in raws[i + 1 : i + 1 + context]]
    if context and i - context < 0 < start:  # the context reaches into the previous chunk
        lo = max(start + i - context, 0)
        before[:0] = [x for x in read_lines(store, uri, lo, start - lo) if x["n"] < start]
    if context and len(after) < context and i + 1 + context > len(raws):
        after += read_lines(store, uri, start + len(raws), context - len(after))
    return {"line": _decode(raws[i]), "before": before, "after": after}


def _byte_offset(data: bytes, lines: int) -> int:
    """Where line ``lines`` (from 0) of a chunk starts."""
    pos = 0
    for _ in range(lines):
        pos = data.find(b"\n", pos) + 1
        if pos == 0:
            return len(data)
    return pos


Finder = Callable[[bytes, int, int, float], Iterator[int]]
"""(chunk bytes, byte offset to start at, most hits wanted, deadline) -> indexes of matching lines.

Past the deadline (:func:`time.monotonic`) a finder raises :class:`_OutOfTimeError`."""


def _text_finder(text: str, case_sensitive: bool, also: Callable[[str], bool] | None = None) -> Finder:
    """Lines whose message holds ``text`` (and, with ``also``, passes that test too)."""
    needle = text if case_sensitive else text.casefold()
    # JSON escaping (and casefolding) map character by character, so the escaped needle
    # appears in the raw line whenever the needle appears in the message.
    escaped = _ENCODER.encode(needle)[1:-1]
    ascii_fold = not case_sensitive and text.isascii()

    def matches(raw: bytes | str) -> bool:
        try:
            m = str(_decode(raw)["m"])
        except (ValueError, KeyError, TypeError):
            return False
        return needle in (m if case_sensitive else m.casefold()) and (also is None or also(m))

    always = also is not None

    def find(data: bytes, skip: int, most: int, until: float) -> Iterator[int]:
        hay: bytes | str
        if case_sensitive or ascii_fold:
            # bytes.lower() keeps every offset; lowering only ASCII is enough for an ASCII needle.
            hay = data if case_sensitive or escaped.lower() == escaped.upper() else data.lower()
            yield from _scan(hay, data, escaped.encode(), b"\n", _MSG, b"\\", skip, most, matches, always, until)
        else:
            base = data.decode("utf-8", "replace")
            folded = base.casefold()
            if len(folded) == len(base):  # offsets still agree, so lines can be sliced from base
                skip_chars = len(data[:skip].decode("utf-8", "replace"))
                yield from _scan(
                    folded, base, escaped, "\n", _MSG.decode(), "\\", skip_chars, most, matches, always, until
                )
            else:
                yield from _each_line(data, skip, most, until, matches)

    return find


def _scan(
    hay: Any,
    base: Any,
    needle: Any,
    nl: Any,
    msg: Any,
    backslash: Any,
    skip: int,
    most: int,
    matches: Callable[[Any], bool],
    always: bool = False,
    until: float = math.inf,
) -> Iterator[int]:
    """Indexes of lines of ``base`` whose message holds ``needle``, found in ``hay`` (same offsets).

    ``matches`` decides on a decoded line where the raw bytes cannot tell, and on every
    candidate when ``always``. Generic over bytes and str: both have the same find/rfind/count.
    """
    line_index, counted_to, found = hay.count(nl, 0, skip), skip, 0
    pos = hay.find(needle, skip)
    size = len(hay)
    while pos != -1 and found < most:
        start = hay.rfind(nl, 0, pos) + 1
        if time.monotonic() > until:  # each candidate costs at most one decoded line
            raise _OutOfTimeError(line_index + hay.count(nl, counted_to, start))
        end = hay.find(nl, pos)
        end = size if end == -1 else end
        body = hay.find(msg, start, end)
        if body == -1:  # not a line as the sink writes it: decide on the decoded line
            ok = matches(base[start:end])
        else:
            body += len(msg)
            pos = max(pos, body)
            pos = hay.find(needle, pos, end - 2)  # the message ends with '"}'
            checked = False
            while pos != -1 and backslash in hay[max(body, pos - 5) : pos]:
                # Possibly inside an escape sequence (\n, \uXXXX): only the decoded line can tell.
                checked = matches(base[start:end])
                if not checked:
                    pos = -1
                break
            ok = pos != -1 and (checked or not always or matches(base[start:end]))
        if ok:
            line_index += hay.count(nl, counted_to, start)
            counted_to = start
            found += 1
            yield line_index
        pos = hay.find(needle, end + 1)


def _regex_finder(text: str, case_sensitive: bool, require_re2: bool) -> Finder:
    matches = compile_regex(text, case_sensitive, require_re2=require_re2)
    literal, folded = required_literal(text, case_sensitive)
    if literal and (not folded or literal.isascii()):
        # Only lines holding a text every match must contain are tried: a raw-byte search
        # finds those, so most lines are never decoded.
        return _text_finder(literal, not folded, also=matches)

    def find(data: bytes, skip: int, most: int, until: float) -> Iterator[int]:
        yield from _each_line(data, skip, most, until, lambda raw: matches(_message(raw)))

    return find


_CHECK_EVERY = 64
"""Lines tried between two looks at the clock."""


def _each_line(data: bytes, skip: int, most: int, until: float, matches: Callable[[bytes], bool]) -> Iterator[int]:
    """Indexes of the lines from byte ``skip`` on that ``matches``, checking the deadline as it goes."""
    first = data[:skip].count(b"\n")
    found = 0
    for i, raw in enumerate(_split(data)[first:]):
        if found >= most:
            return
        if i % _CHECK_EVERY == 0 and time.monotonic() > until:
            raise _OutOfTimeError(first + i)
        if raw and matches(raw):
            found += 1
            yield first + i
