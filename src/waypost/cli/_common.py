"""What every command shares: consoles, the error boundary, the Client, and value formatting."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich import box
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from waypost.enums import ExecutionStatus
from waypost.exceptions import WaypostError
from waypost.execution.status_styles import STATUS_STYLES

if TYPE_CHECKING:
    from pydantic import BaseModel

    from waypost.client import Client
    from waypost.schemas import Page


class CliError(Exception):
    """A mistake in the command line itself (a bad target or option value): one line, exit 1."""


# -- output ------------------------------------------------------------------------------
PIPED_WIDTH = 1000
# Escape sequences whole (CSI "ESC [ … final", OSC "ESC ] … BEL or ST", two-byte ones), then
# any other C0 or C1 control but tab and newline, and the bidirectional overrides that make a
# terminal show text in another order than it is stored.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` safe to print on a terminal: escape sequences and control characters but tab and newline removed.

    Stored text (run and step names, log lines, metadata, error messages) comes from other
    people's programs; printed raw, an escape sequence could recolour, retitle or rewrite
    the user's terminal.
    """
    if text.isprintable():  # the usual case, at C speed
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


class SafeConsole(Console):
    """A Rich console that prints no control characters from its content (its own styling stays)."""

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterator[Segment]:
        """The segments of ``renderable``, their text cleaned (see :func:`clean`)."""
        for segment in super().render(renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(clean(segment.text), segment.style)


def out(**options: Any) -> Console:
    """A console on stdout (made per call, so it writes to the current ``sys.stdout``) that prints no controls."""
    console = SafeConsole(highlight=False, **options)
    if not console.is_terminal:
        # Piped or captured: keep table rows whole instead of squeezing them into 80 columns,
        # so `waypost runs list | grep failed` sees full names.
        console.width = PIPED_WIDTH
    return console


def err() -> Console:
    """A console on stderr whose lines are never wrapped; it prints no control characters."""
    return SafeConsole(stderr=True, highlight=False, soft_wrap=True)


def print_error(message: str) -> None:
    """Print ``Error: message`` in red on stderr, as one line."""
    lines = message.strip().splitlines() or ["unknown error"]
    err().print(Text.assemble(("Error: ", "bold red"), (lines[0], "red")))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print the error line and exit with ``code``."""
    print_error(message)
    raise typer.Exit(code)


def error_message(exc: BaseException) -> str | None:
    """The one-line message for an error the CLI reports without a traceback, else None."""
    if isinstance(exc, WaypostError | CliError):
        return str(exc)
    # Only pydantic raises these, and it is loaded only if something used it.
    pydantic_core = sys.modules.get("pydantic_core")
    if pydantic_core is not None and isinstance(exc, pydantic_core.ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "value"
        return f"Invalid {where}: {first['msg']}."
    return None


class WaypostGroup(TyperGroup):
    """The root command group: known errors become one red line and exit code 1."""

    def invoke(self, ctx: Any) -> Any:  # Any: the Context type lives in Typer's private click copy
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = error_message(exc)
            if message is None:
                raise
            fail(message)


def print_json(value: BaseModel | Any) -> None:
    """Print a pydantic model (or plain JSON data) as indented JSON on stdout."""
    if hasattr(value, "model_dump_json"):
        text = value.model_dump_json(indent=2)
    else:
        text = json.dumps(value, indent=2, default=str)
    typer.echo(text)


# -- the client --------------------------------------------------------------------------
def client() -> Client:
    """The Client for the configured store."""
    # Imported here, not at the top: it loads pydantic, SQLAlchemy and fsspec (~0.6 s) that
    # `waypost --help` and `waypost version` do not need.
    from waypost.client import Client

    return Client()


def join_query(words: Iterable[str] | None) -> str:
    """The filter query from the command line's words; a leftover ``--option`` is a typo."""
    words = list(words or [])
    for word in words:
        if word.startswith("--"):
            raise CliError(f"No such option '{word}'; see --help (quote filter values that start with '--').")
    return " ".join(words)


def quote(value: str) -> str:
    """``value`` as a filter-language value (quoted when it holds spaces, quotes or commas)."""
    if any(c in value for c in ' ",'):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def new_table() -> Table:
    """A plain table: a rule under the headers, two spaces between columns, no borders."""
    return Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), show_edge=False, pad_edge=False)


def page_footer(page: Page[Any], noun: str) -> Text:
    """``page X of Y (N things)``."""
    return Text(f"page {page.page} of {page.pages} ({page.total} {noun})", style="dim")


# -- values ------------------------------------------------------------------------------
def status_text(status: ExecutionStatus) -> Text:
    """A status in its colour."""
    return Text(status.value, style=STATUS_STYLES.get(status, ("", ""))[1])


def step_counts(counts: dict[str, int]) -> Text:
    """Step counts per status, e.g. ``✓3 ↺1 ✗1``, each in its status colour."""
    text = Text()
    for status, (mark, style) in STATUS_STYLES.items():
        n = counts.get(status.value, 0)
        if n:
            if text:
                text.append(" ")
            text.append(f"{mark}{n}", style=style)
    return text


def when(value: datetime | None) -> str:
    """A time in the local zone, to the second."""
    if value is None:
        return ""
    return _aware(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def when_short(value: datetime | None) -> str:
    """A compact local time for tables: ``17:44:57`` today, ``Nov 28 17:44`` this year, else the date."""
    if value is None:
        return ""
    local, now = _aware(value).astimezone(), datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%b %d %H:%M") if local.year == now.year else local.strftime("%Y-%m-%d")


def duration(seconds: float | None) -> str:
    """``0.25s``, ``3m 05s`` or ``2h 03m``."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def elapsed(started: datetime | None, ended: datetime | None, status: ExecutionStatus) -> str:
    """How long something ran; for one still running, how long so far."""
    if started is None:
        return ""
    if ended is None:
        if status.is_finished:
            return ""
        return duration((datetime.now(UTC) - _aware(started)).total_seconds()) + "…"
    return duration((_aware(ended) - _aware(started)).total_seconds())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def human_size(n: int | None) -> str:
    """Bytes in binary units: ``7 B``, ``1.5 KiB``, ``3.2 GiB``."""
    if n is None:
        return ""
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    size, i = float(n), 0
    while size >= 1024 and i < len(units) - 1:
        size, i = size / 1024, i + 1
    return f"{n} B" if i == 0 else f"{size:.1f} {units[i]}"


def short_value(value: Any, limit: int = 80) -> str:
    """A parameter or metadata value on one line, shortened past ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
