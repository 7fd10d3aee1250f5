"""``waypost user``: list, create and deactivate users in the local store; invite them (local or a server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from waypost.cli._common import err, new_table, out, print_json, when_short

if TYPE_CHECKING:  # SQLAlchemy and pydantic load on first use, so `waypost --help` stays fast
    from waypost.store.sql.store import SqlStore

app = typer.Typer(
    help="Manage users in the local store; `invite` works against a logged-in server too.", no_args_is_help=True
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@contextmanager
def local_store() -> Iterator[SqlStore]:
    """The configured SqlStore (the one `waypost up` serves), closed afterwards."""
    from waypost.settings import load_settings
    from waypost.store.sql.store import SqlStore

    settings = load_settings()
    store = SqlStore(settings.store_url, busy_timeout_s=settings.store.busy_timeout_s)
    try:
        yield store
    finally:
        store.close()


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")] = False,
) -> None:
    """List users and service accounts."""
    with local_store() as store:
        users = store.users.list()
    if as_json:
        print_json([u.model_dump(mode="json") for u in users])
        return
    console = out()
    if not users:
        console.print("No users yet; `waypost up` creates the first admin.")
        return
    table = new_table()
    for column in ("name", "full name", "email", "role", "active", "created"):
        table.add_column(column, no_wrap=column == "name")
    for u in users:
        role = "service account" if u.is_service_account else "user"
        table.add_row(
            Text(u.name, style="bold"),
            u.full_name or "",
            u.email or "",
            f"admin {role}" if u.is_admin else role,
            Text("yes", style="green") if u.is_active else Text("no", style="red"),
            when_short(u.created_at),
        )
    console.print(table)


@app.command("create")
def create_user(
    name: Annotated[str, typer.Argument(help="The login name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 12 characters (prompted if left out).",
        ),
    ],
    full_name: Annotated[str | None, typer.Option(help="The person's full name.")] = None,
    email: Annotated[str | None, typer.Option(help="The person's email address.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
) -> None:
    """Create a user with a password."""
    from waypost.schemas.users import UserCreate

    body = UserCreate(name=name, password=password, full_name=full_name, email=email, is_admin=admin)
    with local_store() as store:
        user = store.users.create(
            body.name, password=body.password, full_name=body.full_name, email=body.email, is_admin=body.is_admin
        )
    out().print(f"Created {'admin ' if user.is_admin else ''}user [bold]{user.name}[/bold] ({user.id}).")


@app.command("deactivate")
def deactivate_user(name: Annotated[str, typer.Argument(help="The user's name or id.")]) -> None:
    """Deactivate a user; their sessions and API keys end at once."""
    with local_store() as store:
        user = store.users.deactivate(store.users.get(name).id)
    out().print(f"Deactivated [bold]{user.name}[/bold]; their sessions and API keys have ended.")


@app.command("invite")
def invite_user(
    name: Annotated[str, typer.Argument(help="The login name of a new person, or of a member to send a fresh link.")],
    full_name: Annotated[str | None, typer.Option(help="The person's full name (new users only).")] = None,
    email: Annotated[str | None, typer.Option(help="The person's email address (new users only).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the user, link and expiry as JSON.")] = False,
) -> None:
    """Invite a person by a one-time login link (a fresh link when they exist already).

    They open the link once, before it expires (server.invite_ttl_s, 7 days by default), and set
    their password from the account menu. Works against the logged-in server, else the local store.
    """
    from waypost.cli.server import base_url
    from waypost.client.users import invite_or_link, open_invites
    from waypost.settings import load_settings

    settings = load_settings()
    with open_invites(settings, server_url=base_url(settings)) as backend:
        invitation, existed = invite_or_link(backend, name, full_name, email)
        local = backend.where == "the local store"
    if as_json:
        print_json(invitation.model_dump(mode="json"))
        return
    console = out(soft_wrap=True)
    expires = invitation.expires_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
    what = "A fresh login link for" if existed else "Invited"
    console.print(
        f"{what} [bold]{invitation.user.name}[/bold]: send them this link privately; "
        f"it logs them in once, until {expires}."
    )
    console.print(invitation.url, markup=False)
    if local and settings.server.host in LOOPBACK:
        err().print(
            f"The link points at this machine's server ({settings.server.host}), which `waypost up` must be "
            "running; for people elsewhere, serve on an address they reach (server.host)."
        )
