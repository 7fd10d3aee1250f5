"""``waypost model compare NAME V1 V2 [V3...]``: versions of a model side by side, a column per version."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from waypost.cli._common import client, new_table, out, print_json

if TYPE_CHECKING:
    from waypost.schemas.model_compare import ComparisonRow, ModelComparison

#: How a cell that differs from the baseline (the first version) looks, and the best value of a metric.
DIFFERS, BEST = "bold yellow", "bold green"


def cell(value: Any) -> str:
    """A value as a table cell: empty when missing, an artifact as ``vN type hash size``, JSON for structures."""
    if value is None:
        return "—"
    if isinstance(value, dict) and {"version", "content_hash", "size"} <= value.keys():
        return f"v{value['version']} {value['content_hash'][:10]} {value['size']} B"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _same(value: Any) -> str:
    """What a cell is compared to the baseline by: an artifact by its content, anything else by its text."""
    if isinstance(value, dict) and "content_hash" in value:
        return str(value["content_hash"])
    return cell(value)


def _cells(row: ComparisonRow) -> list[Text]:
    texts = [cell(v)[:16] if row.key == "structure hash" and v else cell(v) for v in row.values]
    same = [_same(v) for v in row.values]
    out_cells: list[Text] = []
    for i, text in enumerate(texts):
        style = DIFFERS if i and same[i] != same[0] else ""
        if row.best == i:
            out_cells.append(Text(f"{text} ★", style=BEST))
        else:
            out_cells.append(Text(text, style=style))
    return out_cells


def render(found: ModelComparison, *, diff_only: bool) -> None:
    """Print the comparison: a row per attribute (grouped by section), a column per version."""
    console = out()
    table = new_table()
    table.add_column("", style="bold", no_wrap=True)
    for v in found.versions:
        label = f"#{v.number}" if v.name == str(v.number) else f"{v.name} (#{v.number})"
        table.add_column(f"{label}\n{v.stage.value}")
    rows = [r for r in found.rows if r.differs or not diff_only]
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            table.add_row(Text(section, style="underline"), *["" for _ in found.versions])
        key = Text(f"  {row.key}", style=DIFFERS if row.differs else "")
        table.add_row(key, *_cells(row))
    console.print(table)
    if not rows:
        console.print("The versions do not differ." if diff_only else "The versions have nothing to compare.")
    if found.unknown:
        console.print(f"Not found (left out): {', '.join(found.unknown)}", style="yellow")


def compare(
    name: Annotated[str, typer.Argument(help="The model's name or id.", show_default=False)],
    versions: Annotated[
        list[str],
        typer.Argument(
            help="2 to 50 versions (numbers, names, latest or a stage); the first is the baseline.",
            show_default=False,
        ),
    ],
    diff_only: Annotated[bool, typer.Option("--diff-only", help="Show only the rows whose values differ.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison's JSON instead of a table.")] = False,
) -> None:
    """Compare versions side by side: metrics (the best marked ★), parameters, metadata, artifacts, snapshot."""
    found = client().compare_model_versions(name, versions)
    if as_json:
        print_json(found)
        return
    render(found, diff_only=diff_only)
