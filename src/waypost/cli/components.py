"""``waypost component``: register, list, describe, update, delete and verify stack components; list flavors.

A component's fields are its flavor's: ``waypost component register artifact_store lake --flavor
s3 --path s3://bucket/prefix --endpoint-url http://…``. ``waypost component flavors --type T``
lists each flavor's fields. Secret-marked fields are masked wherever they are shown; give them as
``{{secret.NAME.KEY}}`` (``waypost secret create``) so that the value is stored encrypted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperCommand

from waypost.cli._common import CliError, fail, new_table, out, print_json, when_short
from waypost.cli._fields import fields_of, flag, parse_fields
from waypost.cli.stacks import backend, component_type, config_text

if TYPE_CHECKING:
    from waypost.schemas.stacks import FlavorRead

app = typer.Typer(help="Register and manage stack components (orchestrators, artifact stores …).", no_args_is_help=True)

EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TypeArg = Annotated[str, typer.Argument(help="The component type, e.g. orchestrator, artifact_store, alerter.")]
NameArg = Annotated[str, typer.Argument(help="The component's name (or id).")]
TypeOpt = Annotated[str | None, typer.Option("--type", "-t", help="Only components of this type.")]


class _FlavorHelp(TyperCommand):
    """``--help`` that ends with the installed flavors (read only when help is asked for)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from waypost.stacks.flavors import list_flavors

        by_type: dict[str, list[str]] = {}
        for f in list_flavors():
            by_type.setdefault(f.type.value, []).append(f.name)
        lines = [f"{t}: {', '.join(names)}" for t, names in by_type.items()]
        self.epilog = (
            "Flavors: " + "; ".join(lines) + ". Each flavor's fields (--FIELD VALUE): "
            "`waypost component flavors --type TYPE`."
        )
        super().format_help(ctx, formatter)


def _what(f: FlavorRead) -> str:
    return f"The {f.type.value} flavor '{f.name}'"


def _warn_literal_secrets(f: FlavorRead, config: dict[str, Any]) -> None:
    from waypost.stacks.references import REFERENCE

    for field in fields_of(f.config_schema):
        value = config.get(field.name)
        if field.secret and isinstance(value, str) and value and not REFERENCE.fullmatch(value.strip()):
            out().print(
                f"[yellow]{field.flag} is stored as given and shown masked; a {{{{secret.NAME.KEY}}}} reference "
                "keeps it encrypted (`waypost secret create`).[/yellow]"
            )


@app.command("register", cls=_FlavorHelp, context_settings=EXTRA_ARGS)
def register_component(
    ctx: typer.Context,
    type_: TypeArg,
    name: Annotated[str, typer.Argument(help="The new component's name.")],
    flavor: Annotated[str, typer.Option("--flavor", "-f", help="The flavor (see below).")],
    connector: Annotated[
        str | None, typer.Option("--connector", "-c", help="A service connector to take credentials from.")
    ] = None,
    description: Annotated[str | None, typer.Option("--description", "-d", help="What it is for.")] = None,
) -> None:
    """Register a component: TYPE NAME --flavor F, then the flavor's fields as --FIELD VALUE."""
    from waypost.schemas.stacks import ComponentCreate

    ctype = component_type(type_)
    with backend() as stacks:
        found = stacks.flavor(ctype, flavor)
        config = parse_fields(list(ctx.args), found.config_schema, _what(found))
        body = ComponentCreate.model_validate(
            {
                "name": name,
                "type": ctype,
                "flavor": found.name,
                "config": config,
                "connector": connector,
                "description": description,
            }
        )
        made = stacks.create_component(body)
    _warn_literal_secrets(found, config)
    out().print(
        f"Registered {made.type.value} [bold]{made.name}[/bold] ({made.flavor}). "
        f"`waypost component verify {made.type.value} {made.name}` checks it can reach its resource."
    )


@app.command("list")
def list_components(type_: TypeOpt = None, as_json: JsonOpt = False) -> None:
    """List the registered components (of one type)."""
    with backend() as stacks:
        found = stacks.list_components(component_type(type_) if type_ else None)
    if as_json:
        print_json([c.model_dump(mode="json") for c in found])
        return
    table = new_table()
    for column in ("type", "component", "flavor", "connector", "stacks", "description", "created"):
        table.add_column(column, no_wrap=column in ("type", "component", "created"))
    for c in found:
        table.add_row(
            c.type.value,
            Text(c.name, style="bold"),
            c.flavor,
            c.connector or "",
            ", ".join(c.stacks),
            Text(c.description or ""),
            when_short(c.created_at),
        )
    out().print(table)


@app.command("describe")
def describe_component(type_: TypeArg, name: NameArg, as_json: JsonOpt = False) -> None:
    """Show a component: its flavor, configuration (secret values masked), connector and stacks."""
    with backend() as stacks:
        c = stacks.get_component(name, component_type(type_))
    if as_json:
        print_json(c)
        return
    console = out()
    console.print(Text.assemble((c.name, "bold"), f"  {c.type.value} · {c.flavor}  ({c.id})"))
    if c.description:
        console.print(c.description)
    if c.connector:
        console.print(f"connector: {c.connector}")
    console.print(f"stacks: {', '.join(c.stacks) or 'none'}")
    console.print(Text(f"created {when_short(c.created_at)} by {c.created_by or '-'}", style="dim"))
    table = new_table()
    table.add_column("field", no_wrap=True)
    table.add_column("value")
    for key, value in c.config.items():
        table.add_row(flag(key), Text(config_text({key: value}).split("=", 1)[1]))
    if c.config:
        console.print(table)
    else:
        console.print("configuration: the flavor's defaults")


@app.command("update", context_settings=EXTRA_ARGS)
def update_component(
    ctx: typer.Context,
    type_: TypeArg,
    name: NameArg,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    connector: Annotated[
        str | None, typer.Option("--connector", "-c", help="Attach this connector ('' detaches it).")
    ] = None,
    unset: Annotated[
        list[str] | None, typer.Option("--unset", help="Reset this field to its default (repeatable).")
    ] = None,
    description: Annotated[str | None, typer.Option("--description", "-d", help="What it is for.")] = None,
) -> None:
    """Change a component's fields (--FIELD VALUE; others stay), name, connector or description."""
    from waypost.schemas.stacks import ComponentUpdate

    ctype = component_type(type_)
    with backend() as stacks:
        current = stacks.get_component(name, ctype)
        found = stacks.flavor(ctype, current.flavor)
        changes = parse_fields(list(ctx.args), found.config_schema, _what(found))
        values: dict[str, Any] = {}
        if changes or unset:
            config = {**current.config, **changes}  # masked secret fields are kept by the store
            known = {f.name for f in fields_of(found.config_schema)}
            for word in unset or []:
                key = word.removeprefix("--").replace("-", "_")
                if key not in known:
                    raise CliError(
                        f"{_what(found)} has no field '{word}'; its fields: "
                        f"{', '.join(flag(k) for k in sorted(known))}."
                    )
                config.pop(key, None)
            values["config"] = config
        for key, value in (("name", new_name), ("connector", connector), ("description", description)):
            if value is not None:
                values[key] = value
        if not values:
            raise CliError(
                "Nothing to change; give --FIELD VALUE, --unset FIELD, --name, --connector or --description."
            )
        changed = stacks.update_component(name, ctype, ComponentUpdate.model_validate(values))
    _warn_literal_secrets(found, changes)
    out().print(f"Updated {changed.type.value} [bold]{changed.name}[/bold] ({config_text(changed.config)}).")


@app.command("delete")
def delete_component(type_: TypeArg, name: NameArg) -> None:
    """Delete a component no stack uses."""
    with backend() as stacks:
        c = stacks.delete_component(name, component_type(type_))
    out().print(f"Deleted {c.type.value} [bold]{c.name}[/bold].")


@app.command("verify")
def verify_component(type_: TypeArg, name: NameArg) -> None:
    """Check that a component reaches its resource (for S3: list the bucket); prints the exact failure."""
    with backend() as stacks:
        c = stacks.get_component(name, component_type(type_))
        result = stacks.verify_component(str(c.id), c.type)
    if not result.ok:
        fail(f"{c.type.value} '{c.name}' did not verify: {result.message}")
    reached = f" ({result.resource})" if result.resource else ""
    out().print(
        Text.assemble(
            ("✓ ", "green"), f"{c.type.value} {c.name}: {result.message}{reached}", f"  {result.duration_ms:.0f} ms"
        )
    )


@app.command("flavors")
def list_flavors(type_: TypeOpt = None, as_json: JsonOpt = False) -> None:
    """List the flavors (of one type) and each one's fields: flag, type, default, description."""
    with backend() as stacks:
        found = stacks.flavors(component_type(type_) if type_ else None)
    if as_json:
        print_json([f.model_dump(mode="json") for f in found])
        return
    console = out()
    for f in found:
        console.print(Text.assemble((f"{f.type.value} ", "dim"), (f.name, "bold"), f"  {f.description}"))
        needs = [
            ("requires", ", ".join(t.value for t in f.requires)),
            ("cannot work with", ", ".join(t.value for t in f.conflicts)),
            ("connectors", ", ".join(t.value for t in f.connector_types)),
        ]
        for label, names in needs:
            if names:
                console.print(Text(f"  {label}: {names}", style="dim"))
        fields = fields_of(f.config_schema)
        if not fields:
            console.print(Text("  (no fields)", style="dim"))
        else:
            table = new_table()
            for column in ("field", "type", "default", "description"):
                table.add_column(column, no_wrap=column != "description")
            for field in fields:
                default = "required" if field.required else "" if field.default is None else str(field.default)
                text = Text(field.description)
                if field.secret:
                    text.append(" (secret)", style="yellow")
                table.add_row("  " + field.flag, Text(field.type_text), Text(default), text)
            console.print(table)
        console.print()
