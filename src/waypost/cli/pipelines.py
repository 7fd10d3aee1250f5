"""``waypost pipelines``: list pipelines with their run counts and latest status."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from waypost.cli._common import (
    client,
    join_query,
    new_table,
    out,
    page_footer,
    print_json,
    status_text,
    when_short,
)

app = typer.Typer(help="List pipelines.", no_args_is_help=True)


@app.command("list", context_settings={"ignore_unknown_options": True})
def list_pipelines(
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help="Filter terms, e.g. name:train* created>7d; a bare word searches names.",
            show_default=False,
            metavar="QUERY",
        ),
    ] = None,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Pipelines per page.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")] = False,
) -> None:
    """List pipelines with their run counts."""
    result = client().list_pipelines(join_query(query), page=page, size=size)
    if as_json:
        print_json(result)
        return
    console = out()
    if not result.items:
        console.print("No pipelines match." if result.total == 0 else f"Page {page} is past the last page.")
    else:
        table = new_table()
        table.add_column("name", style="bold", no_wrap=True)
        table.add_column("runs", justify="right")
        table.add_column("latest run")
        table.add_column("latest status")
        table.add_column("created")
        for p in result.items:
            table.add_row(
                p.name,
                str(p.run_count),
                when_short(p.latest_run_at),
                status_text(p.latest_run_status) if p.latest_run_status else Text(""),
                when_short(p.created_at),
            )
        console.print(table)
    console.print(page_footer(result, "pipeline" if result.total == 1 else "pipelines"))
