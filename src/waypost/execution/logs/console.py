"""A console handler whose lines reach the terminal but are not captured a second time.

Inside a step, ``sys.stdout`` routes what is written to the step's log (see
:mod:`waypost.execution.logs.routing`), and the root logger's handler stores each record as
one ``logging`` line. A handler that printed a record through ``sys.stdout`` would store it
twice: once as the record, once as stdout text. :class:`ConsoleHandler` prints with the
routing paused for its own write, so the terminal shows the line and the log keeps the record.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from waypost.execution.logs.routing import _thread

__all__ = ["ConsoleHandler"]

_PRINTED = "_waypost_printed"


class ConsoleHandler(logging.StreamHandler[TextIO]):
    """Prints records to the current ``sys.stdout`` (only once each, however many loggers up the chain have one).

    INFO and below print as the message alone; WARNING and above start with the level name.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)
        self.setFormatter(_Formatter())

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, _PRINTED, False):
            return  # a parent logger's ConsoleHandler printed it already
        setattr(record, _PRINTED, True)
        # The stream of the moment: test runners and contextlib.redirect_stdout swap sys.stdout.
        self.stream = sys.stdout
        state = _thread
        was_busy = state.busy
        state.busy = True  # the routing stream passes this write straight to the terminal
        try:
            super().emit(record)
        finally:
            state.busy = was_busy


class _Formatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(message)s")
        self._loud = logging.Formatter("%(levelname)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return self._loud.format(record) if record.levelno >= logging.WARNING else super().format(record)
