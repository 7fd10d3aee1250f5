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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waypost.execution.logs.reading import LogLine, count_lines, first_error, follow, iter_text, read_lines, tail
    from waypost.execution.logs.routing import install_capture, uninstall_capture
    from waypost.execution.logs.searching import SearchResult, search, search_log
    from waypost.execution.logs.sink import StepLogSink, capture

__all__ = [
    "LogLine",
    "SearchResult",
    "StepLogSink",
    "capture",
    "count_lines",
    "first_error",
    "follow",
    "install_capture",
    "iter_text",
    "read_lines",
    "search",
    "search_log",
    "tail",
    "uninstall_capture",
]

# Each name is imported from its module on first use: a pipeline run writes logs but never
# reads or searches them, and the readers cost it about a millisecond of start-up.
_HOMES = {
    **dict.fromkeys(("LogLine", "count_lines", "first_error", "follow", "iter_text", "read_lines", "tail"), "reading"),
    **dict.fromkeys(("install_capture", "uninstall_capture"), "routing"),
    **dict.fromkeys(("SearchResult", "search", "search_log"), "searching"),
    **dict.fromkeys(("StepLogSink", "capture"), "sink"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
