"""``waypost logs RUN STEP``: print, search, tail and follow a step's captured output."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from waypost.cli._common import CliError, client, err, out

if TYPE_CHECKING:
    from waypost.client import Client

LEVEL_STYLES = {
    "DEBUG": "dim",
    "INFO": "blue",
    "WARNING": "yellow",
    "ERROR": "red",
    "CRITICAL": "bold white on red",
}
PAGE = 1000
MAX_HITS = 1000


def logs_command(
    run: Annotated[str, typer.Argument(metavar="RUN", help="The run's name or id.")],
    step: Annotated[str, typer.Argument(metavar="STEP", help="The step's name in that run.")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines until the step ends.")
    ] = False,
    grep: Annotated[
        str | None, typer.Option("--grep", "-g", help="Only lines containing this text (case-insensitive).")
    ] = None,
    context: Annotated[int, typer.Option("--context", "-C", help="With --grep: lines of context around hits.")] = 0,
    tail: Annotated[int | None, typer.Option("--tail", "-n", help="Only the last N lines.")] = None,
    offset: Annotated[int, typer.Option(help="Start at this line number (0 is the first line).")] = 0,
    numbers: Annotated[bool, typer.Option("--numbers", help="Prefix each line with its number.")] = False,
) -> None:
    """Print, search or follow a step's logs.

    Prints the step's stdout, its stderr in red and its logging records with their level.
    """
    if tail is not None and tail < 0:
        raise CliError(f"--tail {tail} is negative; give a number of lines, like --tail 50.")
    if offset < 0:
        raise CliError(f"--offset {offset} is negative; line numbers start at 0.")
    c = client()
    console = out(soft_wrap=True)  # log lines come from other programs: no control characters reach the terminal
    if grep is not None and not follow:
        _search(c, console, run, step, grep, context)
        return
    if tail is not None:
        lines = c.tail_step_logs(run, step, tail)
        lines = [line for line in lines if int(line["n"]) >= offset]
    elif follow:
        lines = []
    else:
        lines = _read_all(c, run, step, offset)
    for line in lines:
        if grep is None or grep.casefold() in line["m"].casefold():
            console.print(render(line, grep, numbers=numbers))
    if follow:
        start = int(lines[-1]["n"]) + 1 if lines else offset
        for line in c.follow_step_logs(run, step, offset=start):
            if grep is None or grep.casefold() in line["m"].casefold():
                console.print(render(line, grep, numbers=numbers))
    elif not lines and tail != 0:
        err().print(Text(f"No log lines from line {offset} on." if offset else "The step logged nothing.", style="dim"))


def _read_all(c: Client, run: str, step: str, offset: int) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    while True:
        chunk = c.get_step_logs(run, step, offset=offset, limit=PAGE)
        lines.extend(chunk)
        if len(chunk) < PAGE:
            return lines
        offset = int(chunk[-1]["n"]) + 1


def _search(c: Client, console: Console, run: str, step: str, text: str, context: int) -> None:
    if not text:
        raise CliError("--grep needs some text to search for.")
    hits = c.search_step_logs(run, step, text, limit=MAX_HITS, context=max(context, 0))
    hit_numbers = {int(hit["line"]["n"]) for hit in hits}
    printed = -1
    for hit in hits:
        group = [*hit["before"], hit["line"], *hit["after"]]
        if context and printed >= 0 and int(group[0]["n"]) > printed + 1:
            console.print(Text("--", style="dim"))
        for line in group:
            n = int(line["n"])
            if n <= printed:
                continue
            is_hit = n in hit_numbers
            console.print(render(line, text if is_hit else None, numbers=True, sep=":" if is_hit else "-"))
            printed = n
    if not hits:
        err().print(Text(f"No lines contain '{text}'.", style="dim"))
    elif len(hits) >= MAX_HITS:
        err().print(Text(f"Showing the first {MAX_HITS} matches.", style="dim"))


def render(line: dict[str, Any], needle: str | None = None, *, numbers: bool = False, sep: str = ":") -> Text:
    """One stored log line: stderr red, ``logging`` records led by their coloured level."""
    text = Text()
    if numbers:
        text.append(f"{line['n']}{sep} ", style="dim")
    level = line.get("l")
    if line.get("s") == "logging" and level:
        text.append(f"{level:<8} ", style=LEVEL_STYLES.get(level, "bold"))
    body = Text(str(line.get("m", "")), style="red" if line.get("s") == "stderr" else "")
    if needle:
        body.highlight_words([needle], style="bold black on yellow", case_sensitive=False)
    text.append_text(body)
    return text
