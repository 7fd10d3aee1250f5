"""``waypost model``: list models, describe one, list its versions, put a version in a stage, show the history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markdown import Markdown
from rich.text import Text

from waypost.cli._common import (
    client,
    human_size,
    join_query,
    new_table,
    out,
    page_footer,
    print_json,
    when,
    when_short,
)

if TYPE_CHECKING:
    from waypost.client import Client
    from waypost.schemas import ModelVersionRead
    from waypost.schemas.models import ModelStageTransitionRead

app = typer.Typer(help="List models, their versions and stages; put a version in a stage.", no_args_is_help=True)

ModelArg = Annotated[str, typer.Argument(help="The model's name or id.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")]
#: How the card's sections are titled.
CARD = {
    "license": "License",
    "audience": "Audience",
    "use_cases": "Use cases",
    "limitations": "Limitations",
    "trade_offs": "Trade-offs",
    "ethics": "Ethics",
}
STAGE_STYLES = {"production": "bold green", "staging": "yellow", "archived": "dim", "none": ""}
#: Run ids per filter query when the versions table looks up the runs that made them (the filter holds 2000 characters).
_IDS_PER_QUERY = 40


def _stage(value: str) -> Text:
    return Text(value, style=STAGE_STYLES.get(value, ""))


@app.command("list", context_settings={"ignore_unknown_options": True})
def list_models(
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help="Filter terms, e.g. name:iris* tag:vision created>7d.", show_default=False, metavar="QUERY"
        ),
    ] = None,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Models per page.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List models: latest version, the versions in staging and production, and how many versions each has."""
    result = client().list_models(join_query(query), page=page, size=size)
    if as_json:
        print_json(result)
        return
    console = out()
    if not result.items:
        console.print("No models match." if result.total == 0 else f"Page {page} is past the last page.")
    else:
        table = new_table()
        table.add_column("name", style="bold", no_wrap=True)
        table.add_column("latest")
        table.add_column("staging")
        table.add_column("production")
        table.add_column("versions", justify="right")
        table.add_column("tags")
        table.add_column("created")
        for m in result.items:
            table.add_row(
                m.name,
                m.latest_version or "",
                m.stages.get("staging", ""),
                Text(m.stages.get("production", ""), style=STAGE_STYLES["production"]),
                str(m.version_count),
                ", ".join(m.tags),
                when_short(m.created_at),
            )
        console.print(table)
    console.print(page_footer(result, "model" if result.total == 1 else "models"))


@app.command("describe")
def describe_model(
    model: ModelArg,
    transitions: Annotated[int, typer.Option("--transitions", help="How many recent transitions to show.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    """Show a model's card, metric directions, the versions in staging and production, and recent transitions."""
    c = client()
    found = c.get_model(model)
    recent = c.list_model_transitions(model, size=max(1, min(transitions, 1000)))
    if as_json:
        print_json({"model": found.model_dump(mode="json"), "transitions": recent.model_dump(mode="json")["items"]})
        return
    console = out()
    console.print(Text.assemble((found.name, "bold"), f"  ({found.id})"))
    if found.description:
        console.print(Text(found.description))
    latest = f", latest {found.latest_version}" if found.latest_version else ""
    console.print(Text(f"{found.version_count} versions{latest}; created {when(found.created_at)}", style="dim"))
    for stage in ("staging", "production"):
        holder = found.stages.get(stage)
        console.print(Text.assemble(_stage(stage), ": ", holder or Text("no version", style="dim")))
    if found.metric_directions:
        better = ", ".join(f"{k} ({v} is better)" for k, v in sorted(found.metric_directions.items()))
        console.print(f"metrics: {better}")
    for field, title in CARD.items():
        text = getattr(found, field)
        if text:
            console.print(Text(f"\n{title}", style="bold underline"))
            # Rendered on a terminal; piped, the markdown as written (Rich would pad it to the pipe's width).
            console.print(Markdown(text) if console.is_terminal else Text(text))
    if transitions > 0:
        console.print(Text("\nRecent transitions", style="bold underline"))
        _print_transitions(recent.items)


@app.command("versions")
def list_versions(
    model: ModelArg,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Versions per page.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List a model's versions, newest first: number, name, stage, created, and the run that made each."""
    c = client()
    versions = c.list_model_versions(model)
    shown = versions[(page - 1) * size : page * size] if page >= 1 and size >= 1 else []
    if as_json:
        print_json([v.model_dump(mode="json") for v in shown])
        return
    console = out()
    if not versions:
        console.print(f"Model '{model}' has no versions.")
        return
    makers = _making_runs(c, shown)
    table = new_table()
    for column in ("#", "name", "stage", "since", "created", "run"):
        table.add_column(column, justify="right" if column == "#" else "left", no_wrap=column != "run")
    for v in shown:
        stage_since = when_short(v.stage_since) if v.stage_since else ""
        row = (_stage(v.stage.value), stage_since, when_short(v.created_at), makers.get(v.id, ""))
        table.add_row(str(v.number), Text(v.name, style="bold"), *row)
    console.print(table)
    pages = max(1, -(-len(versions) // max(size, 1)))
    console.print(Text(f"page {page} of {pages} ({len(versions)} versions)", style="dim"))


def _making_runs(c: Client, versions: list[ModelVersionRead]) -> dict[uuid.UUID, str]:
    """Per version, the name of the first run linked to it: the run that made it (later ones consumed it)."""
    wanted = sorted({run_id for v in versions for run_id in v.run_ids}, key=str)
    first_at: dict[uuid.UUID, tuple[datetime, str]] = {}
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        for run in c.list_pipeline_runs(query="id:" + ",".join(map(str, chunk)), size=len(chunk)).items:
            first_at[run.id] = (run.created_at, run.name)
    makers = {}
    for v in versions:
        linked = [first_at[r] for r in v.run_ids if r in first_at]
        if linked:
            makers[v.id] = min(linked)[1]
    return makers


@app.command("stage")
def set_stage(
    model: ModelArg,
    version: Annotated[
        str, typer.Argument(help="The version's name or number (or a stage, for the version holding it).")
    ],
    stage: Annotated[str, typer.Argument(help="staging, production, archived or none.", show_default=False)],
    force: Annotated[
        bool, typer.Option("--force", help="Archive the version holding staging or production now.")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for the model's history.")] = None,
) -> None:
    """Put a version in a stage; at most one version holds staging and one production (--force archives it)."""
    c = client()
    before = c.get_model_version(model, version)
    holders = c.get_model(model).stages
    moved = c.set_model_version_stage(model, before.name, stage, force=force, reason=reason)
    subject = f"Version {moved.name} of {moved.model_name}"
    if moved.stage == before.stage:
        out().print(f"{subject} is already in {moved.stage.value}; nothing changed.")
        return
    replaced = holders.get(moved.stage.value)
    archived = f" (version {replaced} archived)" if replaced and replaced != moved.name else ""
    out().print(f"{subject} is now in {moved.stage.value}{archived}.")


@app.command("history")
def history(
    model: ModelArg,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Transitions per page.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List a model's stage transitions, newest first: when, version, from, to, who, how and why."""
    result = client().list_model_transitions(model, page=page, size=size)
    if as_json:
        print_json(result)
        return
    console = out()
    if not result.items:
        console.print(f"Model '{model}' has no stage transitions." if result.total == 0 else "No such page.")
    else:
        _print_transitions(result.items)
    console.print(page_footer(result, "transition" if result.total == 1 else "transitions"))


def _print_transitions(items: list[ModelStageTransitionRead]) -> None:
    console = out()
    if not items:
        console.print(Text("none yet", style="dim"))
        return
    table = new_table()
    for column in ("when", "version", "from", "to", "by", "how", "reason"):
        table.add_column(column, no_wrap=column != "reason")
    for t in items:
        how = f"rule {t.rule}" if t.how == "rule" and t.rule else t.how
        moved = (_stage(t.from_stage.value), _stage(t.to_stage.value))
        table.add_row(when(t.created_at), t.version_name, *moved, t.user_name or "-", how, t.reason or "")
    console.print(table)


VersionArg = Annotated[str, typer.Argument(help="The version's name, number or stage (latest, staging, production).")]
ROLE_ORDER = ("model", "data", "deployment", "other")


@app.command("version")
def show_version(
    model: ModelArg,
    version: VersionArg,
    size: Annotated[int, typer.Option(help="Artifact versions to list, at most.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Show a version: its stage, tags and description, and its artifact versions by role (model, data, …)."""
    c = client()
    found = c.store.models.get_version(model, version)
    links = c.store.models.version_artifacts(model, found.name, size=max(1, min(size, 1000)))
    if as_json:
        print_json({"version": found.model_dump(mode="json"), "artifacts": links.model_dump(mode="json")})
        return
    console = out()
    label = found.name if found.name == str(found.number) else f"{found.name} (#{found.number})"
    console.print(Text.assemble((f"{model} {label}", "bold"), "  ", _stage(str(found.stage))))
    if found.description:
        console.print(Text(found.description))
    console.print(Text(f"created {when(found.created_at)}; tags: {', '.join(found.tags) or 'none'}", style="dim"))
    table = new_table()
    for column in ("role", "artifact", "version", "type", "size", "made by run"):
        table.add_column(column)
    for link in sorted(links.items, key=lambda a: (ROLE_ORDER.index(a.role) if a.role in ROLE_ORDER else 9, a.name)):
        made_by = link.producer_run_name or "—"
        table.add_row(link.role, link.name, str(link.version), link.data_type, human_size(link.size), made_by)
    console.print(table)
    console.print(page_footer(links, "artifact versions"))


@app.command("tag")
def tag_version(
    model: ModelArg,
    version: VersionArg,
    add: Annotated[list[str] | None, typer.Option("--add", help="A tag to put on (repeatable).")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="A tag to take off (repeatable).")] = None,
) -> None:
    """Put tags on a model version and take tags off it; prints its tags after."""
    from waypost.cli._common import fail
    from waypost.sdk.tags import add_tags, remove_tags

    if not add and not remove:
        fail("Name a tag to change: --add TAG or --remove TAG.")
    c = client()
    found = c.store.models.get_version(model, version)  # an unknown model or version: one line, nothing changed
    if add:
        add_tags(tags=add, model=model, model_version=found.name)
    if remove:
        remove_tags(tags=remove, model=model, model_version=found.name)
    after = c.store.models.get_version(model, found.name)
    out().print(Text.assemble(f"{model} {after.name}: ", ", ".join(after.tags) or Text("no tags", style="dim")))
