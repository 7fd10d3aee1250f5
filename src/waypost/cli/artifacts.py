"""``waypost artifacts``: list artifacts and show one version with its lineage and files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from waypost.cli._common import (
    client,
    human_size,
    join_query,
    new_table,
    out,
    page_footer,
    print_json,
    quote,
    when,
    when_short,
)
from waypost.exceptions import NotFoundError

if TYPE_CHECKING:
    from waypost.client import Client
    from waypost.schemas import ArtifactVersionRead

app = typer.Typer(help="List artifacts and show their versions.", no_args_is_help=True)

VERSIONS_SHOWN = 20


@app.command("list", context_settings={"ignore_unknown_options": True})
def list_artifacts(
    query: Annotated[
        list[str] | None,
        typer.Argument(help="Filter terms, e.g. name:model* tag:prod created>7d.", show_default=False, metavar="QUERY"),
    ] = None,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Artifacts per page.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")] = False,
) -> None:
    """List artifacts and their latest versions."""
    result = client().list_artifacts(join_query(query), page=page, size=size)
    if as_json:
        print_json(result)
        return
    console = out()
    if not result.items:
        console.print("No artifacts match." if result.total == 0 else f"Page {page} is past the last page.")
    else:
        table = new_table()
        table.add_column("name", style="bold", overflow="fold")
        table.add_column("latest", justify="right")
        table.add_column("type", overflow="fold")
        table.add_column("size", justify="right", no_wrap=True)
        table.add_column("pipeline", overflow="fold")
        table.add_column("created", no_wrap=True)
        table.add_column("tags", overflow="fold")
        for a in result.items:
            table.add_row(
                a.name,
                f"v{a.latest_version}",
                a.data_type or "",
                human_size(a.size),
                a.pipeline_name or "",
                when_short(a.created_at),
                ", ".join(a.tags),
            )
        console.print(table)
    console.print(page_footer(result, "artifact" if result.total == 1 else "artifacts"))


@app.command("show")
def show_artifact(
    ref: Annotated[
        str,
        typer.Argument(metavar="NAME[:VERSION]|ID", help="An artifact version: its id, NAME (latest) or NAME:VERSION."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the version's JSON instead of text.")] = False,
) -> None:
    """Show an artifact version.

    Where it lives, its size, hash, materializer, the run and step that made it, its
    visualizations and the artifact's other versions.
    """
    c = client()
    av = _get_version(c, ref)
    if as_json:
        print_json(av)
        return
    console = out()
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("artifact", Text(f"{av.name}:{av.version}", style="bold"))
    grid.add_row("id", str(av.id))
    grid.add_row("uri", av.uri)
    grid.add_row("type", av.data_type)
    grid.add_row("size", f"{human_size(av.size)} ({av.size} bytes)" if av.size >= 1024 else human_size(av.size))
    grid.add_row("content hash", av.content_hash)
    grid.add_row("materializer", f"{av.materializer} (v{av.materializer_version})")
    grid.add_row("produced by", _producer(c, av))
    grid.add_row("created", when(av.created_at))
    if av.tags:
        grid.add_row("tags", ", ".join(av.tags))
    console.print(grid)
    if av.visualizations:
        console.print(Text("\nVisualizations", style="bold"))
        viz = new_table()
        viz.add_column("type")
        viz.add_column("title")
        viz.add_column("path", overflow="fold")
        viz.add_column("size", justify="right")
        for z in av.visualizations:
            viz.add_row(z.type.value, z.title or "", z.path, human_size(z.size))
        console.print(viz)
    versions = c.list_artifact_versions(f"name:{quote(av.name)}", size=VERSIONS_SHOWN)
    console.print(Text("\nVersions", style="bold"))
    table = new_table()
    table.add_column("version", justify="right")
    table.add_column("created", no_wrap=True)
    table.add_column("size", justify="right")
    table.add_column("content hash")
    for v in versions.items:
        style = "bold" if v.id == av.id else ""
        table.add_row(f"v{v.version}", when(v.created_at), human_size(v.size), v.content_hash[:12], style=style)
    console.print(table)
    if versions.total > len(versions.items):
        console.print(Text(f"… and {versions.total - len(versions.items)} older versions", style="dim"))


def _get_version(c: Client, ref: str) -> ArtifactVersionRead:
    try:
        return c.get_artifact_version(ref)
    except NotFoundError:
        # Default artifact names ("pipeline::step::output") hold colons, which the store reads
        # as NAME:VERSION; look the whole reference up as a name before giving up.
        if ":" not in ref:
            raise
        latest = c.list_artifact_versions(f"name:{quote(ref)}", size=1).items
        if not latest:
            raise
        return c.get_artifact_version(latest[0].id)


def _producer(c: Client, av: ArtifactVersionRead) -> Text:
    if av.producer_run_id is None:
        return Text("registered outside a run", style="dim")
    run = c.get_pipeline_run(av.producer_run_id)
    step = next((s.name for s in c.list_step_runs(run.id) if s.id == av.producer_step_run_id), None)
    return Text.assemble(("run ", "dim"), run.name, *((("  step ", "dim"), step) if step else ()))
