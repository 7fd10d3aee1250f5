"""``waypost service-account``: service accounts and their API keys, on the logged-in server or the local store.

A service account is a user without a password (Dask workers, CI jobs) that authenticates with
API keys. ``key --into-secret SECRET[.KEY]`` puts a new key straight into a stack secret, so it is
never shown, and components refer to it as ``{{secret.SECRET.KEY}}``. Against a server these are
admin-only routes; a non-admin is refused in one line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from waypost.cli._common import CliError, err, fail, new_table, out, print_json, when_short

if TYPE_CHECKING:
    from waypost.schemas.users import ApiKeyRead

app = typer.Typer(
    help="Service accounts (Dask workers, CI) and their API keys, on the logged-in server or the local store.",
    no_args_is_help=True,
)
AccountArg = Annotated[str, typer.Argument(help="The service account's name (or id).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
MAX_DAYS = 3650


def _active(keys: list[ApiKeyRead]) -> list[ApiKeyRead]:
    from waypost.client.service_accounts import is_active

    now = datetime.now(UTC)
    return [k for k in keys if is_active(k, now)]


@app.command("create")
def create_account(
    name: Annotated[str, typer.Argument(help="The account's name, e.g. dask-workers.")],
    full_name: Annotated[str | None, typer.Option(help="What the account is for, as a display name.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Make the account an admin.")] = False,
) -> None:
    """Create a service account (it has no password: give it API keys with `key`)."""
    from waypost.client.service_accounts import open_service_accounts

    with open_service_accounts() as accounts:
        made = accounts.create(name, full_name, admin)
    out().print(f"Created service account [bold]{made.name}[/bold] ({made.id}).")


@app.command("list")
def list_accounts(as_json: JsonOpt = False) -> None:
    """List the service accounts with how many API keys of each still work."""
    from waypost.client.service_accounts import open_service_accounts

    with open_service_accounts() as accounts:
        found = [(a, accounts.keys(a)) for a in accounts.list()]
    if as_json:
        print_json([{**a.model_dump(mode="json"), "keys": [k.model_dump(mode="json") for k in ks]} for a, ks in found])
        return
    console = out()
    if not found:
        console.print("No service accounts yet; `waypost service-account create NAME` makes one.")
        return
    table = new_table()
    for column in ("name", "admin", "active", "keys", "created"):
        table.add_column(column, no_wrap=True, justify="right" if column == "keys" else "left")
    for a, ks in found:
        table.add_row(
            Text(a.name, style="bold"),
            "yes" if a.is_admin else "no",
            Text("yes", style="green") if a.is_active else Text("no", style="red"),
            str(len(_active(ks))),
            when_short(a.created_at),
        )
    console.print(table)


def _expires_at(days: int | None) -> datetime | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        raise CliError(f"--expires-in-days must be 1 to {MAX_DAYS}; leave it out for a key that never expires.")
    return datetime.now(UTC) + timedelta(days=days)


def _expiry(key: ApiKeyRead) -> str:
    if key.expires_at is None:
        return "never expires"
    return f"expires {key.expires_at.astimezone().strftime('%Y-%m-%d %H:%M %Z')}"


@app.command("key")
def make_key(
    account_ref: AccountArg,
    name: Annotated[
        str | None,
        typer.Option("--name", help="A name for the key (default: the secret it goes into, else 'cli')."),
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option("--expires-in-days", help="Days until the key stops working (default: never).")
    ] = None,
    into_secret: Annotated[
        str | None,
        typer.Option(
            "--into-secret",
            metavar="SECRET[.KEY]",
            help="Store the key in this stack secret (KEY defaults to api_key) instead of printing it.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a new API key: printed once, or stored in a secret with --into-secret and never shown."""
    from waypost.client.service_accounts import open_service_accounts, secret_target
    from waypost.settings import load_settings

    expires_at = _expires_at(expires_in_days)
    target = secret_target(into_secret) if into_secret is not None else None
    key_name = name or (f"{target[0]}.{target[1]}" if target else "cli")
    settings = load_settings()
    with open_service_accounts(settings) as accounts:
        account = accounts.get(account_ref)
        if target is None:
            made = accounts.create_key(account, key_name, expires_at)
            if as_json:
                print_json(made)
                return
            err().print(
                f"New API key '{made.name}' of {account.name} ({_expiry(made)}); it is shown only now, never "
                "again: keep it somewhere safe (or use --into-secret SECRET to store it unseen)."
            )
            typer.echo(made.key)
            return
        from waypost.client.service_accounts import key_into_secret
        from waypost.client.stacks import open_stacks

        secret, secret_key = target
        with open_stacks(settings) as stacks:
            stored = key_into_secret(
                accounts, stacks, account, name=key_name, expires_at=expires_at, secret=secret, secret_key=secret_key
            )
    if as_json:
        body: dict[str, Any] = {
            "key": stored.key.model_dump(mode="json"),
            "secret": stored.secret.name,
            "secret_key": stored.secret_key,
            "created_secret": stored.created_secret,
            "reference": stored.reference,
        }
        print_json(body)
        return
    out(soft_wrap=True).print(
        f"Stored a new API key of [bold]{account.name}[/bold] in secret [bold]{stored.secret.name}[/bold] "
        f"(key {stored.secret_key}); reference it as {stored.reference}."
    )


@app.command("revoke")
def revoke_key(
    account_ref: AccountArg,
    key_ref: Annotated[str, typer.Argument(help="The key's id, prefix or name.")],
) -> None:
    """Revoke one API key of a service account; requests with it fail from now on."""
    from waypost.client.service_accounts import find_key, open_service_accounts

    with open_service_accounts() as accounts:
        account = accounts.get(account_ref)
        key = find_key(account, accounts.keys(account), key_ref)
        if key.revoked_at is None:
            accounts.revoke_key(account, key.id)
    if key.revoked_at is not None:
        out().print(f"API key '{key.name}' ({key.id}) of [bold]{account.name}[/bold] was revoked already.")
        return
    out().print(f"Revoked API key '{key.name}' ({key.id}) of [bold]{account.name}[/bold]; requests with it now fail.")


@app.command("delete")
def delete_account(
    account_ref: AccountArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
) -> None:
    """Delete a service account and its API keys (asks first unless --yes)."""
    from waypost.client.service_accounts import open_service_accounts

    with open_service_accounts() as accounts:
        account = accounts.get(account_ref)
        working = len(_active(accounts.keys(account)))
        if not yes:
            question = (
                f"Delete service account {account.name} and its {working} working API key(s)? "
                "Requests with them fail at once."
            )
            try:
                confirmed = typer.confirm(question, default=False)
            except typer.Abort:
                confirmed = False
            if not confirmed:
                fail(f"Kept service account {account.name}; pass --yes to delete it without asking.")
        accounts.delete(account)
    out().print(f"Deleted service account [bold]{account.name}[/bold] and its API keys.")
