"""``waypost secret`` and ``waypost connector``: encrypted key/value secrets and service connectors.

A secret's values are given once (``--KEY=VALUE``, a ``--values-file``, or ``--KEY`` alone to be
asked without echo) and never printed again: ``describe`` shows key names only. Component
configurations refer to them as ``{{secret.NAME.KEY}}``. A connector holds the credentials for a
kind of resource (``aws``, ``bearer``, ``basic``); its secret fields are write-only too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from waypost.cli._common import CliError, fail, new_table, out, print_json, when_short
from waypost.cli._fields import fields_of, parse_fields, parse_secret_values
from waypost.cli.stacks import backend, config_text

if TYPE_CHECKING:
    from waypost.schemas.stacks import ConnectorType

secret_app = typer.Typer(
    help="Create and manage encrypted secrets ({{secret.NAME.KEY}} in configs).", no_args_is_help=True
)
connector_app = typer.Typer(help="Register and verify service connectors (aws, bearer, basic).", no_args_is_help=True)

EXTRA_ARGS = {"allow_extra_args": True, "ignore_unknown_options": True}
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DescriptionOpt = Annotated[str | None, typer.Option("--description", "-d", help="What it is for.")]
SecretArg = Annotated[str, typer.Argument(help="The secret's name (or id).")]
ConnectorArg = Annotated[str, typer.Argument(help="The connector's name (or id).")]
ValuesFileOpt = Annotated[
    Path | None,
    typer.Option("--values-file", help="A YAML or JSON file of KEY: VALUE pairs (or KEY=VALUE lines)."),
]


# -- secrets --------------------------------------------------------------------------------------


def _values_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"Cannot read {path} ({exc.strerror}); check the path.") from None
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):  # KEY=VALUE lines (a .env file)
        data = {}
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.removeprefix("export ").partition("=")
            if not sep:
                raise CliError(f"{path}, line {n}: not KEY=VALUE; give a YAML mapping or KEY=VALUE lines.")
            data[key.strip()] = value.strip().strip("'\"")
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict | list) or value is None:
            raise CliError(f"{path}: the value of '{key}' must be text or a number, not {type(value).__name__}.")
        out[str(key)] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def _gather(args: list[str], values_file: Path | None) -> dict[str, str]:
    """A secret's values from the file, the command line (winning) and prompts, keys checked."""
    from waypost.stacks.references import REFERENCE

    given, asked = parse_secret_values(args)
    values = {**(_values_file(values_file) if values_file else {}), **given}
    for key in asked:
        values[key] = typer.prompt(f"Value of {key}", hide_input=True)
    for key in values:
        if not REFERENCE.fullmatch(f"{{{{secret.x.{key}}}}}"):
            raise CliError(
                f"'{key}' is not a valid secret key; use letters, digits, '_' and '-' (up to 100, "
                "not starting with '-')."
            )
    return values


@secret_app.command("create", context_settings=EXTRA_ARGS)
def create_secret(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new secret's name.")],
    values_file: ValuesFileOpt = None,
    description: DescriptionOpt = None,
) -> None:
    """Create a secret: NAME --KEY=VALUE ... (or --values-file FILE, or --KEY alone to be asked)."""
    from waypost.schemas.stacks import SecretCreate

    values = _gather(list(ctx.args), values_file)
    if not values:
        raise CliError("A secret needs at least one value: --KEY=VALUE, --values-file FILE, or --KEY to be asked.")
    body = SecretCreate.model_validate({"name": name, "values": values, "description": description})
    with backend() as stacks:
        made = stacks.create_secret(body)
    out().print(
        f"Created secret [bold]{made.name}[/bold] with keys: {', '.join(made.keys)}. "
        f"Use a value as {{{{secret.{made.name}.KEY}}}} in a component's configuration."
    )


@secret_app.command("list")
def list_secrets(as_json: JsonOpt = False) -> None:
    """List the secrets (their key names; never their values)."""
    with backend() as stacks:
        found = stacks.list_secrets()
    if as_json:
        print_json([s.model_dump(mode="json") for s in found])
        return
    table = new_table()
    for column in ("secret", "keys", "description", "updated"):
        table.add_column(column, no_wrap=column in ("secret", "updated"))
    for s in found:
        table.add_row(
            Text(s.name, style="bold"),
            ", ".join(s.keys),
            Text(s.description or ""),
            when_short(s.updated_at or s.created_at),
        )
    out().print(table)


@secret_app.command("describe")
def describe_secret(ref: SecretArg, as_json: JsonOpt = False) -> None:
    """Show a secret's key names (values are never shown)."""
    with backend() as stacks:
        s = stacks.get_secret(ref)
    if as_json:
        print_json(s)
        return
    console = out()
    console.print(Text.assemble((s.name, "bold"), f"  ({s.id})"))
    if s.description:
        console.print(Text(s.description))
    console.print(f"keys: {', '.join(s.keys)}")
    console.print(Text(f"created {when_short(s.created_at)} by {s.created_by or '-'}", style="dim"))
    console.print(Text(f"use as {{{{secret.{s.name}.{s.keys[0] if s.keys else 'KEY'}}}}}", style="dim"))


@secret_app.command("update", context_settings=EXTRA_ARGS)
def update_secret(
    ctx: typer.Context,
    ref: SecretArg,
    values_file: ValuesFileOpt = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", "-r", help="Remove this key (repeatable).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Drop the keys not given.")] = False,
    description: DescriptionOpt = None,
) -> None:
    """Set keys (--KEY=VALUE, --values-file, --KEY to be asked), remove keys, or change the description."""
    from waypost.schemas.stacks import SecretUpdate

    values: dict[str, str | None] = dict(_gather(list(ctx.args), values_file))
    for key in remove or []:
        if key in values:
            raise CliError(f"'{key}' is both set and removed; give one.")
        values[key] = None
    if not values and description is None:
        raise CliError("Nothing to change; give --KEY=VALUE, --values-file, --remove KEY or --description.")
    body: dict[str, Any] = {"replace": replace}
    if values:
        body["values"] = values
    if description is not None:
        body["description"] = description
    with backend() as stacks:
        s = stacks.update_secret(ref, SecretUpdate.model_validate(body))
    out().print(f"Updated secret [bold]{s.name}[/bold]; keys: {', '.join(s.keys)}.")


@secret_app.command("delete")
def delete_secret(ref: SecretArg) -> None:
    """Delete a secret no component refers to."""
    with backend() as stacks:
        s = stacks.delete_secret(ref)
    out().print(f"Deleted secret [bold]{s.name}[/bold].")


# -- connectors -----------------------------------------------------------------------------------


def _connector_type(value: str) -> ConnectorType:
    from waypost.schemas.stacks import ConnectorType

    try:
        return ConnectorType(value.strip().lower())
    except ValueError:
        raise CliError(
            f"Unknown connector type '{value}'; use one of: {', '.join(t.value for t in ConnectorType)}."
        ) from None


def _connector_fields(ctype: ConnectorType, args: list[str]) -> dict[str, Any]:
    """The connector's fields from --FIELD VALUE words; a secret field given bare is asked for without echo."""
    from waypost.stacks.connectors import CONNECTOR_MODELS

    schema = CONNECTOR_MODELS[ctype].model_json_schema()
    secret = {f.flag: f.name for f in fields_of(schema) if f.secret}
    words, asked = [], []
    for i, word in enumerate(args):
        bare = i + 1 >= len(args) or args[i + 1].startswith("--")
        if word in secret and bare:
            asked.append(secret[word])
        else:
            words.append(word)
    config = parse_fields(words, schema, f"The {ctype.value} connector")
    for name in asked:
        config[name] = typer.prompt(f"Value of {name}", hide_input=True)
    return config


@connector_app.command("register", context_settings=EXTRA_ARGS)
def register_connector(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new connector's name.")],
    type_: Annotated[str, typer.Option("--type", "-t", help="aws, bearer or basic.")],
    description: DescriptionOpt = None,
) -> None:
    """Register a connector: NAME --type T and its fields, e.g. --access-key-id … --secret-access-key (asked)."""
    from waypost.schemas.stacks import ConnectorCreate

    ctype = _connector_type(type_)
    config = _connector_fields(ctype, list(ctx.args))
    body = ConnectorCreate.model_validate({"name": name, "type": ctype, "config": config, "description": description})
    with backend() as stacks:
        made = stacks.create_connector(body)
    held = f"; secret fields set: {', '.join(made.secret_fields)}" if made.secret_fields else ""
    out().print(f"Registered {made.type.value} connector [bold]{made.name}[/bold]{held}.")


@connector_app.command("list")
def list_connectors(as_json: JsonOpt = False) -> None:
    """List the connectors (secret fields by name only)."""
    with backend() as stacks:
        found = stacks.list_connectors()
    if as_json:
        print_json([c.model_dump(mode="json") for c in found])
        return
    table = new_table()
    for column in ("connector", "type", "configuration", "secret fields set", "description"):
        table.add_column(column, no_wrap=column in ("connector", "type"))
    for c in found:
        table.add_row(
            Text(c.name, style="bold"),
            c.type.value,
            Text(config_text(c.config)),
            ", ".join(c.secret_fields),
            Text(c.description or ""),
        )
    out().print(table)


@connector_app.command("describe")
def describe_connector(ref: ConnectorArg, as_json: JsonOpt = False) -> None:
    """Show a connector: its type, its non-secret fields, and which secret fields are set."""
    with backend() as stacks:
        c = stacks.get_connector(ref)
    if as_json:
        print_json(c)
        return
    console = out()
    console.print(Text.assemble((c.name, "bold"), f"  {c.type.value} connector  ({c.id})"))
    if c.description:
        console.print(Text(c.description))
    console.print(Text(f"configuration: {config_text(c.config)}"))
    console.print(f"secret fields set: {', '.join(c.secret_fields) or 'none'}")
    console.print(Text(f"created {when_short(c.created_at)} by {c.created_by or '-'}", style="dim"))


@connector_app.command("verify")
def verify_connector(
    ref: ConnectorArg,
    resource: Annotated[
        str | None, typer.Option("--resource", help="What to reach with it, e.g. s3://bucket/prefix.")
    ] = None,
) -> None:
    """Check that a connector's credentials reach a resource (aws: list the bucket --resource names)."""
    with backend() as stacks:
        result = stacks.verify_connector(ref, resource)
    if not result.ok:
        fail(f"Connector '{ref}' did not verify: {result.message}")
    reached = f" ({result.resource})" if result.resource else ""
    out().print(Text.assemble(("✓ ", "green"), f"{ref}: {result.message}{reached}"))


@connector_app.command("delete")
def delete_connector(ref: ConnectorArg) -> None:
    """Delete a connector no component uses."""
    with backend() as stacks:
        c = stacks.delete_connector(ref)
    out().print(f"Deleted connector [bold]{c.name}[/bold].")
