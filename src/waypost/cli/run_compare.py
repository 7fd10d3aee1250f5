"""``waypost runs compare RUN RUN...``: runs side by side, a row per attribute and a column per run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from waypost.cli._common import client, fail, new_table, out, print_json
from waypost.cli.model_compare import BEST, DIFFERS, cell

if TYPE_CHECKING:
    from waypost.schemas.run_compare import RunComparison, RunComparisonRow

#: How many characters of a hash a cell shows.
_HASH = 10


def run_cell(value: Any, kind: str) -> str:
    """A value as a table cell: an output as ``artifact vN hash size``, a hash shortened, the rest as for models."""
    if kind == "artifact" and isinstance(value, dict) and "hash" in value:
        return f"{value['artifact']} v{value['version']} {str(value['hash'])[:_HASH]} {value['size']} B"
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:_HASH]
    if isinstance(value, float):
        return f"{value:.6g}"
    return cell(value)


def _same(value: Any) -> str:
    """What a cell is compared to the baseline by: an output by its content, anything else by its text."""
    if isinstance(value, dict) and "hash" in value:
        return str(value["hash"])
    return cell(value)


def _cells(row: RunComparisonRow) -> list[Text]:
    same = [_same(v) for v in row.values]
    cells: list[Text] = []
    for i, value in enumerate(row.values):
        text = run_cell(value, row.kind)
        if row.best == i:
            cells.append(Text(f"{text} ★", style=BEST))
        else:
            cells.append(Text(text, style=DIFFERS if i and same[i] != same[0] else ""))
    return cells


def render(found: RunComparison, *, diff_only: bool) -> None:
    """Print the comparison: a row per attribute (grouped by section), a column per run, the first the baseline."""
    console = out()
    table = new_table()
    table.add_column("", style="bold", no_wrap=True)
    for run in found.runs:
        table.add_column(f"{run.name}\n{run.status.value}")
    rows = [r for r in found.rows if r.differs or not diff_only]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            table.add_row(Text(section, style="underline"), *["" for _ in found.runs])
        label = f"  {row.key}" + (" (mixed)" if row.kind == "mixed" else "")
        table.add_row(Text(label, style=DIFFERS if row.differs else ""), *_cells(row))
    console.print(table)
    if len(found.runs) == 1:
        console.print("Only one run to show; name two or more to compare them.")
    elif not rows:
        console.print("The runs do not differ." if diff_only else "The runs have nothing to compare.")
    if found.missing:
        console.print(f"Not found or not readable (left out): {', '.join(found.missing)}", style="yellow")


def compare(
    runs: Annotated[
        list[str],
        typer.Argument(help="1 to 100 run ids or names; the first is the baseline.", show_default=False),
    ],
    differences_only: Annotated[
        bool, typer.Option("--differences-only", "--diff-only", help="Show only the rows whose values differ.")
    ] = False,
    lower: Annotated[
        list[str] | None, typer.Option("--lower", help="A metric whose lower value is the better (repeatable).")
    ] = None,
    higher: Annotated[
        list[str] | None, typer.Option("--higher", help="A metric whose higher value is the better (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison's JSON instead of a table.")] = False,
) -> None:
    """Compare runs side by side: run facts, parameters, metrics (the best marked ★), metadata, steps, outputs."""
    found = client().compare_runs(runs, lower=lower or [], higher=higher or [])
    if as_json:
        print_json(found)
        return
    if not found.runs:
        fail(
            f"No run to compare: {', '.join(found.missing)} not found or not readable; "
            "`waypost runs list` shows the runs."
        )
    render(found, diff_only=differences_only)
