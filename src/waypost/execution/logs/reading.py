"""Reading stored step logs: from an offset, the tail, search, the first error and follow.

Logs can be huge (a million lines, hundreds of MB), so readers work on raw chunk bytes and
decode JSON only for the lines they return: a chunk's first line number is in its name and
its lines are numbered consecutively, so a line is found by position, not by parsing; search
looks for the JSON-escaped needle in the raw bytes and only checks the lines that contain it.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from waypost.artifacts.store import ArtifactStore
from waypost.execution.logs.patterns import compile_regex, required_literal

LogLine = dict[str, Any]
"""One stored line: ``{"n", "t", "s", "l", "m"}``."""

COUNT_CAP = 10_000
"""Search counts matching lines exactly up to this many, then only says there are more."""

_CHUNK_RE = re.compile(r"^(\d{12})\.jsonl$")
_ENCODER = json.JSONEncoder(ensure_ascii=False)
# The sink writes the message last, after this marker; a '"' inside a JSON string is always
# escaped, so the first unescaped marker of a line is where its message starts.
_MSG = b',"m":"'
_ERROR_MARKS = (b'"s":"stderr"', b'"l":"ERROR"', b'"l":"CRITICAL"', b'"l":"FATAL"')
_SOURCES = frozenset({"stdout", "stderr", "logging"})


# -- reading ---------------------------------------------------------------------------
def _chunks(store: ArtifactStore, uri: str) -> list[tuple[int, str]]:
    uri = uri.rstrip("/")
    found = ((_CHUNK_RE.match(name), name) for name in store.listdir(uri))
    return sorted((int(m.group(1)), f"{uri}/{name}") for m, name in found if m)


def _read(store: ArtifactStore, path: str) -> bytes:
    return store.read_bytes(path)


def _split(data: bytes) -> list[bytes]:
    # Split on "\n" only: unescaped U+2028 or U+0085 inside a message are not line ends.
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def _decode(raw: bytes | str, n: int = -1) -> LogLine:
    """A stored line; a damaged one (not a JSON log line, bad UTF-8) becomes a marked stand-in numbered ``n``."""
    try:
        line = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        line = None
    if (
        isinstance(line, dict)
        and isinstance(line.get("n"), int)
        and isinstance(line.get("t"), int | float)
        and line.get("s") in _SOURCES
        and isinstance(line.get("m"), str)
    ):
        return line
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return {"n": n, "t": 0.0, "s": "stderr", "l": None, "m": f"[unreadable log line] {text[:1000]}"}


def _iter_raw(store: ArtifactStore, uri: str) -> Iterator[bytes]:
    for _, path in _chunks(store, uri):
        yield from _split(_read(store, path))


def read_lines(store: ArtifactStore, uri: str, offset: int = 0, limit: int = 1000) -> list[LogLine]:
    """Up to ``limit`` lines starting at line number ``offset``."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    chunks = _chunks(store, uri)
    first = max(bisect.bisect_right([start for start, _ in chunks], offset) - 1, 0)
    out: list[LogLine] = []
    for start, path in chunks[first:]:
        if len(out) >= limit:
            break
        # Lines of a chunk are numbered from its start, so the wanted ones are found by
        # position; only they are decoded.
        skip = max(offset - start, 0)
        for i, raw in enumerate(_split(_read(store, path))[skip:]):
            if not raw:
                continue
            line = _decode(raw, start + skip + i)
            if line["n"] >= offset:
                out.append(line)
                if len(out) >= limit:
                    break
    return out


def count_lines(store: ArtifactStore, uri: str) -> int:
    """How many lines are stored (the number of the last one, plus one)."""
    for start, path in reversed(_chunks(store, uri)):
        lines = _split(_read(store, path))
        last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i]), None)
        if last is not None:
            return int(_decode(lines[last], start + last)["n"]) + 1
    return 0


def tail(store: ArtifactStore, uri: str, n: int = 100) -> list[LogLine]:
    """The last ``n`` stored lines, oldest first."""
    numbered: list[tuple[int, bytes]] = []
    for start, path in reversed(_chunks(store, uri)):
        if len(numbered) >= n:
            break
        numbered[:0] = [(start + i, r) for i, r in enumerate(_split(_read(store, path))) if r]
    return [_decode(raw, i) for i, raw in numbered[-n:]] if n > 0 else []


def first_error(store: ArtifactStore, uri: str) -> LogLine | None:
    """The first line written to stderr or logged at ERROR or above, if any.

    Found on raw bytes: the source and level fields precede the message, and their quotes
    cannot occur unescaped inside a message.
    """
    for _, path in _chunks(store, uri):
        data = _read(store, path)
        found = [p for p in (data.find(mark) for mark in _ERROR_MARKS) if p != -1]
        if found:
            pos = min(found)
            start = data.rfind(b"\n", 0, pos) + 1
            end = data.find(b"\n", pos)
            return _decode(data[start : end if end != -1 else len(data)])
    return None


def iter_text(store: ArtifactStore, uri: str) -> Iterator[bytes]:
    """The whole log as plain text, one chunk's messages at a time (for a download)."""
    for _, path in _chunks(store, uri):
        yield "".join(_message(raw) + "\n" for raw in _split(store.read_bytes(path)) if raw).encode()


# -- search ----------------------------------------------------------------------------
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


def _message(raw: bytes) -> str:
    """A line's message; sliced from the raw JSON when nothing in it is escaped."""
    body = raw.find(_MSG)
    if body != -1 and raw.endswith(b'"}'):
        text = raw[body + len(_MSG) : -2]
        if b"\\" not in text:
            return text.decode("utf-8", "replace")
    return str(_decode(raw)["m"])


def follow(
    store: ArtifactStore,
    uri: str,
    offset: int,
    poll_interval: float,
    is_finished: Callable[[], bool],
) -> Iterator[LogLine]:
    """Yield lines from ``offset`` on as they are stored, until the step is finished.

    ``is_finished`` is asked before each read, so lines stored before the step finished
    are always yielded.
    """
    while True:
        finished = is_finished()
        lines = read_lines(store, uri, offset)
        for line in lines:
            offset = int(line["n"]) + 1
            yield line
        if not lines:
            if finished:
                return
            time.sleep(poll_interval)
