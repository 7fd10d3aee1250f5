"""``waypost runs``: list pipeline runs, show one in detail, stop one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from waypost.cli._common import (
    client,
    elapsed,
    join_query,
    new_table,
    out,
    page_footer,
    print_json,
    short_value,
    status_text,
    step_counts,
    when,
    when_short,
)
from waypost.enums import ExecutionStatus
from waypost.execution.status_styles import STATUS_STYLES

if TYPE_CHECKING:
    from waypost.client import Client
    from waypost.schemas import MetadataRead, RunRead, StepRunRead

app = typer.Typer(help="List pipeline runs, show one in detail, stop one.", no_args_is_help=True)

TRACEBACK_LINES = 12

QueryArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Filter terms, all of which must hold, e.g. status:failed tag:prod metadata.accuracy>0.9 created>7d.",
        show_default=False,
        metavar="QUERY",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")]


@app.command("list", context_settings={"ignore_unknown_options": True})
def list_runs(
    query: QueryArg = None,
    pipeline: Annotated[str | None, typer.Option("--pipeline", help="Only runs of this pipeline.")] = None,
    sort: Annotated[
        str,
        typer.Option(
            help=(
                "Sort by created, started, ended, name, status, pipeline or duration (runs not finished come "
                "last); a leading '-' sorts descending."
            )
        ),
    ] = "-created",
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Runs per page.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List runs, filtered, sorted and paged."""
    result = client().list_pipeline_runs(pipeline, query=join_query(query), sort=sort, page=page, size=size)
    if as_json:
        print_json(result)
        return
    console = out()
    if result.items:
        console.print(runs_table(result.items))
    else:
        console.print("No runs match." if result.total == 0 else f"Page {page} is past the last page.")
    console.print(page_footer(result, "run" if result.total == 1 else "runs"))


def runs_table(runs: list[RunRead]) -> Table:
    """One row per run: name, pipeline, status, started, duration, step counts, tags."""
    table = new_table()
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("pipeline", overflow="fold", min_width=8)
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("started", no_wrap=True)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("steps", no_wrap=True)
    table.add_column("tags", overflow="fold")
    for run in runs:
        table.add_row(
            run.name,
            run.pipeline_name,
            status_text(run.status),
            when_short(run.started_at or run.created_at),
            elapsed(run.started_at, run.ended_at, run.status),
            step_counts(run.step_counts),
            ", ".join(run.tags),
        )
    return table


@app.command("show")
def show_run(
    run: Annotated[str, typer.Argument(metavar="RUN", help="The run's name or id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a run with its steps and metadata.

    Lists the run's facts, parameters, steps (with why each hit or missed the cache),
    metadata and, for a failed step, its error and the end of its traceback.
    """
    c = client()
    record = c.get_pipeline_run(run)
    steps = c.list_step_runs(record.id)
    metadata = c.get_metadata(record.id)
    if as_json:
        print_json(
            record.model_dump(mode="json")
            | {
                "steps": [s.model_dump(mode="json") for s in steps],
                "metadata": [m.model_dump(mode="json") for m in metadata],
            }
        )
        return
    console = out()
    console.print(_facts(record))
    if record.parameters:
        console.print(Text("\nParameters", style="bold"))
        console.print(_key_values(record.parameters))
    console.print(Text("\nSteps", style="bold"))
    console.print(_steps_table(c, steps))
    if metadata:
        console.print(Text("\nMetadata", style="bold"))
        console.print(_metadata_table(metadata, {s.id: s.name for s in steps}))
    for step in steps:
        if step.status == ExecutionStatus.FAILED:
            console.print(_failure(step))


@app.command("stop")
def stop_run(
    run: Annotated[str, typer.Argument(metavar="RUN", help="The run's name or id.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why, recorded with the run (at most 500 characters).")
    ] = None,
) -> None:
    """Stop a running run: it is marked stopped now, and its launcher cancels its steps."""
    from waypost.settings import load_settings  # here: `waypost --help` need not load the settings

    stopped = client().stop_run(run, reason)
    interval = load_settings().execution.heartbeat_interval_s
    out().print(
        f"Stopped run {stopped.name}; its launcher stops its steps within a heartbeat ({interval:g} s).", markup=False
    )


@app.command("archive")
def archive_runs(
    runs: Annotated[list[str], typer.Argument(metavar="RUN...", help="The runs' names or ids.")],
    restore: Annotated[bool, typer.Option("--restore", help="Bring archived runs back into the lists.")] = False,
) -> None:
    """Archive runs: `runs list` leaves them out unless the filter says archived:true (or archived:any)."""
    c = client()
    for ref in runs:
        run = c.archive_pipeline_run(ref, archived=not restore)
        out().print(f"{'Restored' if restore else 'Archived'} run {run.name}.", markup=False)


def _facts(run: RunRead) -> Table:
    mark, style = STATUS_STYLES.get(run.status, ("?", ""))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    status = Text.assemble((f"{mark} {run.status.value}", style))
    if run.status_reason:
        status.append(f"  {run.status_reason}")
    rows: list[tuple[str, str | Text]] = [
        ("run", Text(run.name, style="bold")),
        ("id", str(run.id)),
        ("pipeline", run.pipeline_name),
        ("status", status),
        ("started", when(run.started_at)),
        ("ended", when(run.ended_at)),
        ("duration", elapsed(run.started_at, run.ended_at, run.status)),
        ("steps", step_counts(run.step_counts)),
        ("orchestrator", run.orchestrator + (f" ({run.orchestrator_run_id})" if run.orchestrator_run_id else "")),
        ("tags", ", ".join(run.tags)),
        ("user", run.user_name or ""),
        ("stack", run.stack_name or ""),
    ]
    for key, value in rows:
        if value:
            grid.add_row(key, value)
    return grid


def _key_values(values: dict[str, Any]) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="cyan", no_wrap=True)
    grid.add_column(overflow="fold")
    for key, value in sorted(values.items()):
        grid.add_row(key, short_value(value, 200))
    return grid


def _steps_table(c: Client, steps: list[StepRunRead]) -> Table:
    names = _artifact_names(c, steps)
    runs = _cached_from_names(c, steps)
    table = new_table()
    table.add_column("step", style="bold", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("cache", overflow="fold", ratio=2)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("outputs", overflow="fold", ratio=1)
    for step in steps:
        outputs = Text("\n".join(f"{out} → {names.get(av, str(av))}" for out, av in step.outputs.items()))
        table.add_row(
            step.name,
            status_text(step.status),
            _cache_text(step, runs),
            elapsed(step.started_at, step.ended_at, step.status),
            outputs,
        )
    return table


def _cache_text(step: StepRunRead, runs: dict[uuid.UUID, str]) -> Text:
    if step.status == ExecutionStatus.CACHED or step.cached_from_step_run_id is not None:
        source = runs.get(step.cached_from_run_id) if step.cached_from_run_id else None
        return Text.assemble(("hit", "cyan"), f" from {source}" if source else "")
    if step.cache_miss_reason:
        return Text.assemble(("miss", "yellow"), f": {step.cache_miss_reason}")
    return Text("")


def _artifact_names(c: Client, steps: list[StepRunRead]) -> dict[uuid.UUID, str]:
    """``NAME:VERSION`` of every output, fetched per producing run rather than per output."""
    wanted = {av for s in steps for av in s.outputs.values()}
    names: dict[uuid.UUID, str] = {}
    producers = {s.run_id for s in steps} | {s.cached_from_run_id for s in steps if s.cached_from_run_id}
    for run_id in producers:
        if wanted - names.keys():
            for av in c.list_artifact_versions(f"run:{run_id}", size=1000).items:
                names[av.id] = f"{av.name}:{av.version}"
    for av_id in wanted - names.keys():
        av = c.get_artifact_version(av_id)
        names[av.id] = f"{av.name}:{av.version}"
    return names


def _cached_from_names(c: Client, steps: list[StepRunRead]) -> dict[uuid.UUID, str]:
    ids = {s.cached_from_run_id for s in steps if s.cached_from_run_id}
    return {run_id: c.get_pipeline_run(run_id).name for run_id in ids}


def _metadata_table(metadata: list[MetadataRead], step_names: dict[uuid.UUID, str]) -> Table:
    table = new_table()
    table.add_column("key", style="cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("step", no_wrap=True)
    for m in sorted(metadata, key=lambda m: m.key):
        table.add_row(m.key, short_value(m.value, 200), step_names.get(m.step_run_id, "") if m.step_run_id else "")
    return table


def _failure(step: StepRunRead) -> Text:
    text = Text(f"\nStep {step.name} failed: ", style="bold red")
    message = step.error_message or ""
    if step.error_type and not message.startswith(step.error_type):
        message = f"{step.error_type}: {message}"
    text.append(message)
    if step.traceback:
        lines = step.traceback.rstrip().splitlines()
        text.append(f"\n  traceback (last {min(len(lines), TRACEBACK_LINES)} lines):", style="dim")
        for line in lines[-TRACEBACK_LINES:]:
            text.append("\n  " + line, style="dim")
    return text
