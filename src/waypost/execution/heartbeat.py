"""Heartbeats of active runs: one daemon thread per process beats for every run it runs.

A run whose heartbeat stops is marked crashed by the next process that opens the store.
One shared thread, started on first use, instead of one per run: starting a thread costs
about half a millisecond, which a short all-cached run notices.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from waypost.exceptions import StoreError


class Heartbeats:
    """Calls each registered run's ``beat`` every ``interval`` seconds until it is removed."""

    _shared: Heartbeats | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._runs: dict[uuid.UUID, tuple[Callable[[], None], float, float]] = {}
        self._thread: threading.Thread | None = None

    @classmethod
    def shared(cls) -> Heartbeats:
        """The process's heartbeat service."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def add(self, run_id: uuid.UUID, beat: Callable[[], None], interval: float) -> None:
        """Start beating for ``run_id`` (the first beat comes after ``interval``)."""
        with self._lock:
            self._runs[run_id] = (beat, interval, time.monotonic() + interval)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="waypost-heartbeat", daemon=True)
                self._thread.start()
        self._wake.set()

    def remove(self, run_id: uuid.UUID) -> None:
        """Stop beating for ``run_id``."""
        with self._lock:
            self._runs.pop(run_id, None)

    def _loop(self) -> None:
        while True:
            now = time.monotonic()
            with self._lock:
                due = [(rid, beat, interval) for rid, (beat, interval, at) in self._runs.items() if at <= now]
                for rid, beat, interval in due:
                    self._runs[rid] = (beat, interval, now + interval)
                next_at = min((at for _, _, at in self._runs.values()), default=now + 1.0)
            for _, beat, _ in due:
                try:
                    beat()
                except StoreError:  # a busy store must not stop the beats; the next one retries
                    continue
            self._wake.wait(max(0.0, next_at - time.monotonic()))
            self._wake.clear()
