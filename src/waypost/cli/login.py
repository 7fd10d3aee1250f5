"""``waypost login URL`` and ``waypost logout``: point every command, the SDK and the Client at a server."""

from __future__ import annotations

from typing import Annotated

import typer

from waypost.cli._common import CliError, out


def login_command(
    url: Annotated[str, typer.Argument(help="The server, e.g. http://127.0.0.1:8742.")],
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="WAYPOST_LOGIN_API_KEY", help="Log in with this API key.")
    ] = None,
    username: Annotated[
        str | None, typer.Option("--username", "-u", help="Log in with a password as this user.")
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", envvar="WAYPOST_LOGIN_PASSWORD", help="The password (else prompted).")
    ] = None,
) -> None:
    """Log in to a Waypost server; from then on runs, the Client and the CLI use it.

    With a username and password, a new API key is made for this machine (and shown once);
    the URL and key are saved in the config file.
    """
    from waypost.settings import config_path, write_config
    from waypost.store.rest.login import api_key_from_password, verify_api_key

    url = url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise CliError(f"'{url}' is not a server URL; give one like http://127.0.0.1:8742.")
    key_id: str | None = None  # set only for a key made here: logout revokes it, not one the user brought
    if api_key is None:
        username = username or typer.prompt("Username")
        password = password or typer.prompt("Password", hide_input=True)
        created = api_key_from_password(url, username, password)
        api_key, key_id = created.key, str(created.id)
        out().print(f"Created API key '{created.name}' ({created.prefix}…); it is saved in {config_path()}.")
    user = verify_api_key(url, api_key)
    write_config({"store.url": url, "store.api_key": api_key, "store.api_key_id": key_id})  # written 0600
    out().print(f"Logged in to {url} as {user.name}; runs, the Client and the CLI now use this server.")


def logout_command() -> None:
    """Forget the server and API key saved by ``waypost login``; use the local store again.

    A key that ``waypost login`` created from a password is revoked on the server first; a key
    given with ``--api-key`` is left alone (it may be in use elsewhere).
    """
    from waypost.exceptions import ConfigurationError
    from waypost.settings import load_settings, write_config
    from waypost.store.rest.login import revoke_api_key

    saved = load_settings().store
    url = saved.url
    remote = bool(url and url.startswith(("http://", "https://")))
    if remote and url and saved.api_key and saved.api_key_id:
        try:
            revoke_api_key(url, saved.api_key, saved.api_key_id)
            out().print("Revoked the API key this login created.")
        except ConfigurationError as exc:
            out().print(
                f"[yellow]Could not revoke the API key on the server ({exc}); revoke it in the dashboard "
                "(My API keys).[/yellow]"
            )
    write_config({"store.url": None, "store.api_key": None, "store.api_key_id": None})
    if remote:
        out().print(f"Logged out of {url}; the local store is used again.")
    else:
        out().print("Not logged in to a server; nothing to do.")
