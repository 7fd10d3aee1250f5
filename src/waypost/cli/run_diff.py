"""``waypost runs diff A B``: how run B differs from run A: steps, cache outcomes and why, parameters, config, stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from waypost.cli._common import client, new_table, out, print_json, short_value, status_text

if TYPE_CHECKING:
    from waypost.schemas.run_diff import RunDiff, RunRef, StepDiff, ValueChange

#: How each kind of step change looks.
CHANGE_STYLES = {"added": "green", "removed": "red", "rewired": "magenta", "changed": "yellow", "same": "dim"}


def _ref(label: str, run: RunRef) -> Text:
    return Text.assemble(
        (f"{label:<7}", "bold"), f"{run.name}  ", status_text(run.status), f"  {run.created_at:%Y-%m-%d %H:%M:%S}"
    )


def _value(value: Any) -> str:
    return "—" if value is None else short_value(value, 60)


def _changes(console: Console, title: str, changes: list[ValueChange]) -> None:
    if not changes:
        return
    table = new_table()
    table.title, table.title_justify, table.title_style = title, "left", "bold"
    for column in ("key", "before", "after"):
        table.add_column(column)
    for c in changes:
        table.add_row(c.key, _value(c.before), _value(c.after))
    console.print(table)


def _detail(step: StepDiff) -> str:
    parts: list[str] = []
    if step.change == "rewired":
        before = {k: v for k, v in step.inputs_before.items() if step.inputs_after.get(k) != v}
        after = {k: v for k, v in step.inputs_after.items() if step.inputs_before.get(k) != v}
        parts.append(f"inputs {before or '{}'} → {after or '{}'}")
        if set(step.after_before) != set(step.after_after):
            parts.append(f"after {step.after_before} → {step.after_after}")
    if step.code_changed:
        parts.append("code")
    parts.extend(f"{p.key} {_value(p.before)} → {_value(p.after)}" for p in step.parameters)
    parts.extend(f"{s.key} {_value(s.before)} → {_value(s.after)}" for s in step.settings)
    return "; ".join(parts)


def _steps(console: Console, found: RunDiff, *, all_steps: bool) -> None:
    table = new_table()
    for column in ("step", "change", "what changed", "cache before → after", "why"):
        table.add_column(column)
    shown = [s for s in found.steps if all_steps or s.change != "same" or s.cache.flipped or s.cache.reason]
    for s in shown:
        cache = Text(f"{s.cache.before} → {s.cache.after}", style="bold yellow" if s.cache.flipped else "")
        table.add_row(s.name, Text(s.change, style=CHANGE_STYLES[s.change]), _detail(s), cache, s.cache.reason or "")
    if shown:
        console.print(table)
    hidden = len(found.steps) - len(shown)
    if hidden:
        console.print(Text(f"{hidden} unchanged step(s) not shown (--all shows them).", style="dim"))


def _stack(console: Console, found: RunDiff) -> None:
    stack = found.stack
    if stack.name_before != stack.name_after:
        console.print(Text.assemble(("stack ", "bold"), f"{stack.name_before or '—'} → {stack.name_after or '—'}"))
    for c in stack.components:
        names = f"{c.name_before or '—'} ({c.flavor_before or '—'}) → {c.name_after or '—'} ({c.flavor_after or '—'})"
        console.print(Text.assemble((f"  {c.type} ", "bold"), (c.change, CHANGE_STYLES[c.change]), f"  {names}"))
        for v in c.config:
            console.print(f"    {v.key}: {_value(v.before)} → {_value(v.after)}")


def render(found: RunDiff, *, all_steps: bool = False, code: bool = False) -> None:
    """Print the diff: both runs, a one-line summary, the steps that differ, then the run-level changes."""
    console = out()
    console.print(_ref("before", found.before))
    console.print(_ref("after", found.after))
    s = found.summary
    console.print(
        f"{s.added} added, {s.removed} removed, {s.rewired} re-wired, {s.changed} changed "
        f"({s.code_changed} with new code), {s.cache_flips} cache flip(s); {s.parameters_changed} parameter, "
        f"{s.config_changed} config and {s.stack_changed} stack change(s)"
    )
    _steps(console, found, all_steps=all_steps)
    for e in found.edges_added:
        console.print(
            Text(f"+ edge {e.from_step}.{e.output or '(after)'} → {e.to_step}.{e.input or ''}", style="green")
        )
    for e in found.edges_removed:
        console.print(Text(f"- edge {e.from_step}.{e.output or '(after)'} → {e.to_step}.{e.input or ''}", style="red"))
    _changes(console, "pipeline parameters", found.parameters)
    _changes(console, "run configuration", found.config)
    _stack(console, found)
    diffs = [st for st in found.steps if st.code_diff]
    if diffs and not code:
        console.print(Text(f"{len(diffs)} step(s) changed code (--code shows the diffs).", style="dim"))
    for st in diffs if code else []:
        console.print(Syntax(st.code_diff, "diff", theme="ansi_dark", background_color="default"))
        if st.code_diff_truncated:
            console.print(Text("(diff cut short)", style="dim"))


def diff(
    before: Annotated[str, typer.Argument(help="The baseline run, by id or name.", show_default=False)],
    after: Annotated[str, typer.Argument(help="The run to compare with it, by id or name.", show_default=False)],
    all_steps: Annotated[bool, typer.Option("--all", help="List the steps that did not change too.")] = False,
    code: Annotated[
        bool, typer.Option("--code", help="Print the unified diff of each step whose code changed.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff's JSON instead.")] = False,
) -> None:
    """How run AFTER differs from run BEFORE: steps added, removed, re-wired or changed, cache hits and why."""
    found = client().diff_runs(before, after)
    if as_json:
        print_json(found)
        return
    render(found, all_steps=all_steps, code=code)
