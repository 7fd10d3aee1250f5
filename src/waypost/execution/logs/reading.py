"""Reading stored step logs: from an offset, the tail, search and follow."""

from __future__ import annotations

import bisect
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from waypost.artifacts.store import ArtifactStore

LogLine = dict[str, Any]
"""One stored line: ``{"n", "t", "s", "l", "m"}``."""

_CHUNK_RE = re.compile(r"^(\d{12})\.jsonl$")
_ENCODER = json.JSONEncoder(ensure_ascii=False)


# -- reading ---------------------------------------------------------------------------
def _chunks(store: ArtifactStore, uri: str) -> list[tuple[int, str]]:
    uri = uri.rstrip("/")
    found = ((_CHUNK_RE.match(name), name) for name in store.listdir(uri))
    return sorted((int(m.group(1)), f"{uri}/{name}") for m, name in found if m)


def _raw_lines(store: ArtifactStore, path: str) -> list[str]:
    # Split on "\n" only: unescaped U+2028 or U+0085 inside a message are not line ends.
    text = store.read_bytes(path).decode("utf-8", "replace")
    return text.split("\n")[:-1]


def _iter_raw(store: ArtifactStore, uri: str) -> Iterator[str]:
    for _, path in _chunks(store, uri):
        yield from _raw_lines(store, path)


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
        for raw in _raw_lines(store, path)[max(offset - start, 0) :]:
            line = json.loads(raw)
            if line["n"] >= offset:
                out.append(line)
                if len(out) >= limit:
                    break
    return out


def count_lines(store: ArtifactStore, uri: str) -> int:
    """How many lines are stored (the number of the last one, plus one)."""
    for _, path in reversed(_chunks(store, uri)):
        if raws := _raw_lines(store, path):
            return int(json.loads(raws[-1])["n"]) + 1
    return 0


def tail(store: ArtifactStore, uri: str, n: int = 100) -> list[LogLine]:
    """The last ``n`` stored lines, oldest first."""
    raws: list[str] = []
    for _, path in reversed(_chunks(store, uri)):
        if len(raws) >= n:
            break
        raws[:0] = _raw_lines(store, path)
    return [json.loads(raw) for raw in raws[-n:]] if n > 0 else []


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

    ``before``/``after`` hold up to ``context`` neighbouring lines. Chunks are read one at
    a time; in a plain-text search a line is only parsed when its raw JSON could match.
    """
    matches, quick = _matcher(text, case_sensitive, regex)
    hits: list[dict[str, Any]] = []
    filling: list[dict[str, Any]] = []  # hits still collecting "after" lines
    before: deque[str] = deque(maxlen=max(context, 0))
    for raw in _iter_raw(store, uri):
        if len(hits) >= limit and not filling:
            break
        line: LogLine | None = None
        if filling:
            line = json.loads(raw)
            for hit in filling:
                hit["after"].append(line)
            filling = [hit for hit in filling if len(hit["after"]) < context]
        if len(hits) < limit and quick(raw):
            line = line or json.loads(raw)
            if matches(line["m"]):
                hit = {
                    "line": line,
                    "before": [json.loads(r) for r in before],
                    "after": [],
                }
                hits.append(hit)
                if context > 0:
                    filling.append(hit)
        before.append(raw)
    return hits


def _matcher(text: str, case_sensitive: bool, regex: bool) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    """A test on a message, and a cheap necessary test on its raw JSON line."""
    if regex:
        pattern = re.compile(text, 0 if case_sensitive else re.IGNORECASE)
        return (lambda m: pattern.search(m) is not None), (lambda raw: True)
    # JSON escaping and casefolding both map character by character, so the escaped needle
    # appears in the (casefolded) raw line whenever the needle appears in the message.
    needle = text if case_sensitive else text.casefold()
    escaped = _ENCODER.encode(needle)[1:-1]
    if case_sensitive:
        return (lambda m: needle in m), (lambda raw: escaped in raw)
    return (lambda m: needle in m.casefold()), (lambda raw: escaped in raw.casefold())


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
