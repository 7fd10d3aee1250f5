"""The per-step sink: buffers a step's lines and stores them as JSON-lines chunks."""

from __future__ import annotations

import atexit
import heapq
import itertools
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from waypost.artifacts.store import ArtifactStore
from waypost.execution.logs.routing import _thread, install_capture

_ENCODER = json.JSONEncoder(ensure_ascii=False)
_MAX_BACKLOG = 8  # full chunks kept in memory while the store refuses writes


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
        redact: Secret values (of the run's stack) replaced by ``********`` in every stored line.

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
        redact: tuple[str, ...] = (),
    ) -> None:
        if flush_interval <= 0 or max_chunk_lines < 1 or max_chunk_bytes < 1:
            raise ValueError("flush interval and chunk limits must be positive")
        self.store = store
        self.uri = uri.rstrip("/")
        self.flush_interval = flush_interval
        self.max_chunk_lines = max_chunk_lines
        self.max_chunk_bytes = max_chunk_bytes
        self.enabled = enabled
        # Secret values to mask in every line (longest first, so a value containing another goes whole).
        self._redact = tuple(sorted({v for v in redact if len(v) >= 4}, key=len, reverse=True))
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
        for value in self._redact:
            if value in text:
                text = text.replace(value, "********")
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
