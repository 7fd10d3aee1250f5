"""Per-step log capture: each step's stdout, stderr and ``logging``, stored in chunks.

Several steps may run at once in threads of one process. :func:`install_capture` puts
proxies in ``sys.stdout``/``sys.stderr`` that route every write by thread: a thread bound to
a :class:`StepLogSink` writes to that sink *and* to the real stream, any other thread only
to the real stream. One handler on the root logger routes ``logging`` records the same way.
Threads that a step starts itself are not bound, so their output reaches only the terminal.

A step's log folder holds JSON-lines chunk files named by their first line number::

    000000000000.jsonl   lines 0 .. 9999
    000000010000.jsonl   lines 10000 ..     (the growing chunk, atomically rewritten)

Each line is ``{"n": number, "t": unix time, "s": "stdout" | "stderr" | "logging",
"l": level name or null, "m": text}``; a ``logging`` line is one record, its text
``"<logger name>: <message>"`` followed by any traceback. Readers find the chunk holding an
offset by listing the folder, so a read never loads more than the chunks it returns.
"""

from __future__ import annotations

import atexit
import bisect
import heapq
import io
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

from waypost.artifacts.store import ArtifactStore

__all__ = [
    "LogLine",
    "StepLogSink",
    "capture",
    "count_lines",
    "follow",
    "install_capture",
    "read_lines",
    "search",
    "tail",
    "uninstall_capture",
]

LogLine = dict[str, Any]
"""One stored line: ``{"n", "t", "s", "l", "m"}``."""

_CHUNK_RE = re.compile(r"^(\d{12})\.jsonl$")
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_FORMATTER = logging.Formatter()
_MAX_BACKLOG = 8  # full chunks kept in memory while the store refuses writes


# -- routing ---------------------------------------------------------------------------
class _ThreadState(threading.local):
    sink: StepLogSink | None = None
    # True while a write is being routed: nested proxies and our own echoes pass straight
    # through instead of being captured twice.
    busy: bool = False


_thread = _ThreadState()


class _RoutingStream(io.TextIOBase):
    """Stands in for ``sys.stdout``/``sys.stderr`` and copies bound threads' writes to sinks."""

    def __init__(self, target: TextIO, source: str) -> None:
        super().__init__()
        self.target = target
        self.source = source

    def write(self, s: str) -> int:
        state = _thread
        sink = state.sink
        if sink is None or state.busy or not isinstance(s, str):
            return self.target.write(s)
        state.busy = True
        try:
            sink.write(self.source, s)
            return self.target.write(s)
        finally:
            state.busy = False

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.target.flush()

    def close(self) -> None:
        """Do nothing: the real stream beneath belongs to the interpreter."""

    @property
    def closed(self) -> bool:
        return self.target.closed

    @property
    def encoding(self) -> str:  # type: ignore[override]  # mirrors the real stream
        return self.target.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]  # mirrors the real stream
        return self.target.errors

    def fileno(self) -> int:
        return self.target.fileno()

    def isatty(self) -> bool:
        return self.target.isatty()

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name == "target":  # not yet set (copy, unpickling): do not recurse
            raise AttributeError(name)
        return getattr(self.target, name)


class _RoutingHandler(logging.Handler):
    """Sends each record of a bound thread to its sink as one ``logging`` line."""

    def emit(self, record: logging.LogRecord) -> None:
        state = _thread
        sink = state.sink
        if sink is not None and not state.busy:
            try:
                text = f"{record.name}: {_record_text(record)}"
            except Exception:  # a bad format must not break the step
                self.handleError(record)  # logging's own report of it
                return
            state.busy = True
            try:
                sink.write_line("logging", text, record.levelname)
            finally:
                state.busy = False
        last_resort = logging.lastResort
        if last_resort and record.levelno >= last_resort.level and not self._others(record):
            # Before we were installed, a warning with no handler anywhere reached stderr
            # through logging.lastResort; our handler counts as one, so do it ourselves.
            state.busy = True
            try:
                last_resort.handle(record)
            finally:
                state.busy = False

    def _others(self, record: logging.LogRecord) -> bool:
        logger: logging.Logger | None = logging.getLogger(record.name)
        while logger is not None:
            if any(h is not self for h in logger.handlers):
                return True
            logger = logger.parent if logger.propagate else None
        return False


def _record_text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        text = f"{text}\n{record.exc_text}"
    if record.stack_info:
        text = f"{text}\n{_FORMATTER.formatStack(record.stack_info)}"
    return text


_install_lock = threading.Lock()
_handler = _RoutingHandler()
_lowered_root = False


def install_capture() -> None:
    """Route stdout, stderr and ``logging`` by thread to bound sinks; cheap when already done.

    The root logger's level is lowered from the stdlib default WARNING to INFO, because
    ``logger.info`` in step code is what users expect to see in the step's logs; a level the
    user chose otherwise is kept. Records of threads without a sink behave as before.
    """
    if (
        isinstance(sys.stdout, _RoutingStream)
        and isinstance(sys.stderr, _RoutingStream)
        and _handler in logging.root.handlers
    ):
        return
    global _lowered_root
    with _install_lock:
        # Re-checked each time: test runners and basicConfig(force=True) swap these back.
        if sys.stdout is not None and not isinstance(sys.stdout, _RoutingStream):
            sys.stdout = cast(TextIO, _RoutingStream(sys.stdout, "stdout"))
        if sys.stderr is not None and not isinstance(sys.stderr, _RoutingStream):
            sys.stderr = cast(TextIO, _RoutingStream(sys.stderr, "stderr"))
        root = logging.getLogger()
        if _handler not in root.handlers:
            root.addHandler(_handler)
            if root.level == logging.WARNING:
                root.setLevel(logging.INFO)
                _lowered_root = True


def uninstall_capture() -> None:
    """Undo :func:`install_capture`: restore the real streams, handler and root level."""
    global _lowered_root
    with _install_lock:
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if isinstance(stream, _RoutingStream):
                setattr(sys, name, stream.target)
        root = logging.getLogger()
        root.removeHandler(_handler)
        if _lowered_root and root.level == logging.INFO:
            root.setLevel(logging.WARNING)
        _lowered_root = False


@contextmanager
def capture(sink: StepLogSink) -> Iterator[StepLogSink]:
    """Bind ``sink`` to the current thread for the block, then restore what was bound."""
    previous = _thread.sink
    sink.activate()
    try:
        yield sink
    finally:
        _thread.sink = previous


# -- writing ---------------------------------------------------------------------------
class StepLogSink:
    """Collects one step run's lines and stores them as chunk files under ``uri``.

    Args:
        store: The artifact store holding ``uri``.
        uri: The step run's log folder (see :meth:`ArtifactStore.log_uri`).
        flush_interval: Seconds within which a written line becomes readable.
        max_chunk_lines: Lines after which a chunk is full and the next one starts.
        max_chunk_bytes: Encoded bytes after which a chunk is full.
        enabled: When False (``enable_step_logs`` off) output still reaches the terminal
            but nothing is stored.

    A sink that receives no line writes nothing, not even its folder. Errors of the store
    never reach the step: the first is kept in :attr:`error` and reported on stderr.
    """

    def __init__(
        self,
        store: ArtifactStore,
        uri: str,
        flush_interval: float = 1.0,
        max_chunk_lines: int = 10_000,
        max_chunk_bytes: int = 1_000_000,
        *,
        enabled: bool = True,
    ) -> None:
        if flush_interval <= 0 or max_chunk_lines < 1 or max_chunk_bytes < 1:
            raise ValueError("flush interval and chunk limits must be positive")
        self.store = store
        self.uri = uri.rstrip("/")
        self.flush_interval = flush_interval
        self.max_chunk_lines = max_chunk_lines
        self.max_chunk_bytes = max_chunk_bytes
        self.enabled = enabled
        self.error: Exception | None = None
        self._lock = threading.Lock()  # guards the state below
        # Orders writes, so the newest body of a growing chunk always lands last.
        self._io_lock = threading.Lock()
        self._partial: dict[str, str] = {}
        self._next_n = 0
        self._start = 0
        self._parts: list[bytes] = []
        self._bytes = 0
        self._dirty = False
        self._sealed: list[tuple[int, bytes]] = []
        self._scheduled = False
        self._closed = False

    def activate(self) -> None:
        """Bind this sink to the current thread (installing the capture if needed)."""
        if self.enabled:
            install_capture()
        _thread.sink = self

    def deactivate(self) -> None:
        """Unbind this sink from the current thread."""
        if _thread.sink is self:
            _thread.sink = None

    def write(self, source: str, text: str) -> None:
        """Add raw text of ``source``; complete lines are kept, a trailing fragment waits."""
        if not self.enabled or not text:
            return
        with self._lock:
            if self._closed:
                return
            pending = self._partial.pop(source, "") + text
            if "\n" not in text and "\r" not in text and len(pending) < self.max_chunk_bytes:
                self._partial[source] = pending  # the common case: part of a print()
                return
            *lines, pending = pending.split("\n")
            for line in lines:
                self._add(source, None, _last_segment(line))
            if "\r" in pending:  # keep only what a terminal would still show
                pending = _last_segment(pending) + ("\r" if pending[-1] == "\r" else "")
            if len(pending) >= self.max_chunk_bytes:  # a runaway line without newline
                self._add(source, None, pending)
            elif pending:
                self._partial[source] = pending
            rotated = bool(self._sealed)
        if rotated:
            self._flush(current=False)

    def write_line(self, source: str, text: str, level: str | None = None) -> None:
        """Add one whole line (a ``logging`` record may span several text lines)."""
        if not self.enabled:
            return
        with self._lock:
            if self._closed:
                return
            self._add(source, level, text)
            rotated = bool(self._sealed)
        if rotated:
            self._flush(current=False)

    def close(self) -> None:
        """Store what is left, including unfinished lines; later writes are ignored."""
        self.deactivate()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for source, pending in self._partial.items():
                if line := _last_segment(pending):
                    self._add(source, None, line)
            self._partial.clear()
            if not self._dirty and not self._sealed:
                return
        self._flush(current=True)

    def _add(self, source: str, level: str | None, text: str) -> None:
        n = self._next_n
        self._next_n = n + 1
        if not self._parts:
            self._start = n
        lvl = "null" if level is None else _ENCODER.encode(level)
        src, msg = _ENCODER.encode(source), _ENCODER.encode(text)
        line = f'{{"n":{n},"t":{time.time()},"s":{src},"l":{lvl},"m":{msg}}}\n'
        try:
            data = line.encode()
        except UnicodeEncodeError:  # lone surrogates from undecodable bytes
            data = line.encode("utf-8", "replace")
        self._parts.append(data)
        self._bytes += len(data)
        if len(self._parts) >= self.max_chunk_lines or self._bytes >= self.max_chunk_bytes:
            self._sealed.append((self._start, b"".join(self._parts)))
            self._parts = []
            self._bytes = 0
            self._dirty = False
        else:
            self._dirty = True
        if not self._scheduled and not self._closed:
            self._scheduled = True
            _FLUSHER.schedule(self, time.monotonic() + self.flush_interval)

    def _flush(self, *, current: bool) -> None:
        """Write full chunks, and with ``current`` the growing one; never raises."""
        with self._io_lock:
            with self._lock:
                sealed, self._sealed = self._sealed, []
                growing: tuple[int, bytes] | None = None
                if current:
                    self._scheduled = False
                    if self._dirty:
                        growing = (self._start, b"".join(self._parts))
                        self._dirty = False
            batch = [*sealed, growing] if growing else sealed
            for i, (start, data) in enumerate(batch):
                try:
                    self.store.write_bytes(f"{self.uri}/{start:012d}.jsonl", data)
                except Exception as exc:  # a log write must not fail a step
                    self._requeue(sealed[i:], exc)
                    return

    def _requeue(self, sealed: list[tuple[int, bytes]], exc: Exception) -> None:
        """Keep unwritten chunks for the next flush (a bounded backlog) and report once."""
        with self._lock:
            self._sealed[:0] = sealed
            del self._sealed[: max(0, len(self._sealed) - _MAX_BACKLOG)]
            # The growing chunk is re-snapshotted whole; if it was sealed meanwhile, the
            # sealed copy already holds every line of it.
            self._dirty = self._dirty or bool(self._parts)
            first = self.error is None
            self.error = exc
        if first and sys.__stderr__ is not None:
            print(
                f"waypost: step logs at {self.uri} are not being stored: {exc}",
                file=sys.__stderr__,
            )


def _last_segment(text: str) -> str:
    """What a terminal shows of a line after carriage returns (progress bars) overwrote it."""
    return text.rstrip("\r").rpartition("\r")[2] if "\r" in text else text


class _Flusher:
    """One thread for all sinks: flushes each sink ``flush_interval`` after its first unstored line."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, StepLogSink]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def schedule(self, sink: StepLogSink, due: float) -> None:
        with self._cond:
            heapq.heappush(self._heap, (due, next(self._seq), sink))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="waypost-log-flusher", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is sink:
                self._cond.notify()

    def flush_all(self) -> None:
        with self._cond:
            sinks = [entry[2] for entry in self._heap]
            self._heap.clear()
        for sink in sinks:
            sink._flush(current=True)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._cond.wait(max(0.0, self._heap[0][0] - time.monotonic()) if self._heap else None)
                now = time.monotonic()
                due: list[StepLogSink] = []
                while self._heap and self._heap[0][0] <= now:
                    due.append(heapq.heappop(self._heap)[2])
            for sink in due:
                sink._flush(current=True)


_FLUSHER = _Flusher()


def _after_fork() -> None:
    global _FLUSHER
    _FLUSHER = _Flusher()  # the parent's thread and sinks are not the child's to flush


def _flush_at_exit() -> None:
    _FLUSHER.flush_all()


os.register_at_fork(after_in_child=_after_fork)
atexit.register(_flush_at_exit)


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
