"""``waypost model rule add|list|update|remove|dry-run``: a model's promotion rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from waypost.cli._common import client, new_table, out, print_json, when_short
from waypost.cli.models import STAGE_STYLES

if TYPE_CHECKING:
    from waypost.schemas.model_approvals import PromotionRuleRead

app = typer.Typer(help="A model's promotion rules: versions whose metadata match go to a stage.", no_args_is_help=True)

ModelArg = Annotated[str, typer.Argument(help="The model's name or id.", show_default=False)]
RuleArg = Annotated[str, typer.Argument(help="The rule's name.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")]
FilterOpt = Annotated[
    str | None,
    typer.Option("--filter", help='The filter language over versions, e.g. "metadata.accuracy>=0.9 metadata.ok:pass".'),
]
BeatsOpt = Annotated[
    str | None,
    typer.Option(
        "--beats", help="STAGE:METRIC: the metric must beat the holder of STAGE's (e.g. production:accuracy)."
    ),
]


def _stage(value: str) -> Text:
    return Text(value, style=STAGE_STYLES.get(value, ""))


def _describe(rule: PromotionRuleRead) -> str:
    beats = f", beating {rule.beats.stage}'s {rule.beats.metric}" if rule.beats else ""
    where = f"versions matching '{rule.filter}'" if rule.filter else "every version"
    return f"{where}{beats} go to {rule.to_stage}"


@app.command("add")
def add_rule(
    model: ModelArg,
    rule: RuleArg,
    to: Annotated[str, typer.Option("--to", help="staging, production or archived.", show_default=False)],
    filter: FilterOpt = None,
    beats: BeatsOpt = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Save it switched off.")] = False,
) -> None:
    """Add a rule: versions whose metadata match --filter (and beat --beats) go to the --to stage."""
    made = client().create_promotion_rule(
        model, rule, to_stage=to, filter=filter or "", beats=beats, enabled=not disabled
    )
    state = " (disabled)" if not made.enabled else ""
    out().print(f"Rule {made.name} of {made.model_name}{state}: {_describe(made)}.")


@app.command("list")
def list_rules(model: ModelArg, as_json: JsonOpt = False) -> None:
    """List a model's rules in the order they are tried."""
    found = client().list_promotion_rules(model)
    if as_json:
        print_json([r.model_dump(mode="json") for r in found])
        return
    console = out()
    if not found:
        console.print(f"Model '{model}' has no promotion rules; add one with `waypost model rule add`.")
        return
    table = new_table()
    for column in ("name", "to", "filter", "beats", "enabled", "by", "created"):
        table.add_column(column, no_wrap=column != "filter")
    for r in found:
        beats = f"{r.beats.stage}:{r.beats.metric}" if r.beats else ""
        enabled = Text("yes") if r.enabled else Text("no", style="dim")
        table.add_row(
            r.name, _stage(r.to_stage), r.filter, beats, enabled, r.created_by_name or "-", when_short(r.created_at)
        )
    console.print(table)


@app.command("update")
def update_rule(
    model: ModelArg,
    rule: RuleArg,
    to: Annotated[str | None, typer.Option("--to", help="staging, production or archived.")] = None,
    filter: FilterOpt = None,
    beats: BeatsOpt = None,
    no_beats: Annotated[bool, typer.Option("--no-beats", help="Drop the comparison.")] = False,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", help="Switch the rule on or off.")] = None,
) -> None:
    """Change a rule's stage, filter, comparison or whether it is on."""
    c = client()
    if no_beats:
        changed = c.update_promotion_rule(model, rule, filter=filter, to_stage=to, beats=None, enabled=enabled)
    elif beats is not None:
        changed = c.update_promotion_rule(model, rule, filter=filter, to_stage=to, beats=beats, enabled=enabled)
    else:
        changed = c.update_promotion_rule(model, rule, filter=filter, to_stage=to, enabled=enabled)
    state = "" if changed.enabled else " (disabled)"
    out().print(f"Rule {changed.name} of {changed.model_name}{state}: {_describe(changed)}.")


@app.command("remove")
def remove_rule(model: ModelArg, rule: RuleArg) -> None:
    """Delete a rule."""
    client().delete_promotion_rule(model, rule)
    out().print(f"Removed rule {rule} of {model}.")


@app.command("dry-run")
def dry_run(model: ModelArg, rule: RuleArg, as_json: JsonOpt = False) -> None:
    """Show which existing versions the rule would promote now; nothing changes."""
    result = client().dry_run_promotion_rule(model, rule)
    if as_json:
        print_json(result)
        return
    console = out()
    if not result.matches:
        console.print(f"Rule {result.rule} would promote no version now ({result.checked} matched its filter).")
        return
    table = new_table()
    for column in ("#", "version", "stage", "metric", "holder", "holder's"):
        table.add_column(column, justify="right" if column in ("#", "metric", "holder's") else "left")
    for m in result.matches:
        metric = "" if m.metric is None else f"{m.metric:g}"
        held = "" if m.holder_metric is None else f"{m.holder_metric:g}"
        table.add_row(str(m.version_number), m.version_name, _stage(m.stage.value), metric, m.holder or "", held)
    console.print(table)
    noun = "version" if len(result.matches) == 1 else "versions"
    console.print(Text(f"{len(result.matches)} {noun} would go to {result.to_stage}", style="dim"))
