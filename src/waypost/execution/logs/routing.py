"""Routing of ``sys.stdout``, ``sys.stderr`` and ``logging`` to the sink bound to each thread."""

from __future__ import annotations

import io
import logging
import sys
import threading
from typing import Any, Protocol, TextIO, cast

_FORMATTER = logging.Formatter()


class LineSink(Protocol):
    """What the routing needs of a sink."""

    def write(self, source: str, text: str) -> None: ...
    def write_line(self, source: str, text: str, level: str | None = None) -> None: ...


# -- routing ---------------------------------------------------------------------------
class _ThreadState(threading.local):
    sink: LineSink | None = None
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
