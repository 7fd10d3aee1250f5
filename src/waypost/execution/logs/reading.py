"""Reading stored step logs: from an offset, the tail, the first error and follow (search is in :mod:`.searching`).

Logs can be huge (a million lines, hundreds of MB), so readers work on raw chunk bytes and
decode JSON only for the lines they return: a chunk's first line number is in its name and
its lines are numbered consecutively, so a line is found by position, not by parsing.
"""

from __future__ import annotations

import bisect
import json
import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from waypost.artifacts.store import ArtifactStore

LogLine = dict[str, Any]
"""One stored line: ``{"n", "t", "s", "l", "m"}``."""

_CHUNK_RE = re.compile(r"^(\d{12})\.jsonl$")
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


# Search lives in its own module, which builds on the helpers above; re-exported for callers
# that look it up here, on first use (importing it from here at load time would be a cycle).
_SEARCH_NAMES = ("COUNT_CAP", "SearchResult", "search", "search_log")

if TYPE_CHECKING:
    from waypost.execution.logs.searching import COUNT_CAP, SearchResult, search, search_log


def __getattr__(name: str) -> Any:
    if name not in _SEARCH_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from waypost.execution.logs import searching  # here, not at the top: see above

    return getattr(searching, name)


__all__ = [
    "COUNT_CAP",
    "LogLine",
    "SearchResult",
    "count_lines",
    "first_error",
    "follow",
    "iter_text",
    "read_lines",
    "search",
    "search_log",
    "tail",
]
