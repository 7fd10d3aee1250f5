"""``waypost init``: write the config file, create the metadata store, check the artifact store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from waypost.cli._common import out


def init_command(
    store_url: Annotated[
        str | None,
        typer.Option(
            "--store-url",
            help="SQLAlchemy URL of the metadata store (sqlite:///…, postgresql://…, mysql://…). "
            "Default: SQLite in the data dir.",
        ),
    ] = None,
    artifact_store: Annotated[
        str | None,
        typer.Option(
            "--artifact-store", help="Where artifacts and logs go: a path or fsspec URI (s3://bucket/prefix)."
        ),
    ] = None,
    stack: Annotated[
        str | None,
        typer.Option("--stack", help="The stack runs started in this folder use (default: your active stack)."),
    ] = None,
) -> None:
    """Write the config, set up the stores, and make this folder a project folder.

    Creates (or migrates) the metadata store's database and checks that the artifact store
    is writable before writing anything, so a failed init leaves the old config in place.
    The folder gets `.waypost/config.yaml`: `waypost stack set` here picks the stack of runs
    started in it (and below it).
    """
    # Imported here: these load pydantic, SQLAlchemy and fsspec, which `--help` does not need.
    from waypost.artifacts.store import ArtifactStore
    from waypost.client import Client
    from waypost.settings import load_settings, write_config

    values: dict[str, Any] = {}
    overrides: dict[str, Any] = {}
    if store_url is not None:
        values["store.url"] = absolute_sqlite(store_url)
        overrides["store"] = {"url": values["store.url"]}
    if artifact_store is not None:
        values["artifact_store.uri"] = absolute_path(artifact_store)
        overrides["artifact_store"] = {"uri": values["artifact_store.uri"]}
    # Check everything before writing, so a failed init leaves the old config in place.
    wanted = load_settings(**overrides)
    Client(wanted)
    ArtifactStore(wanted.artifact_store_uri).check_writable()
    path = write_config(values)
    from waypost.cli.stacks import init_folder

    folder_config = init_folder(Path.cwd(), stack)

    console = out()
    console.print(Text.assemble(("✓ ", "green"), "Config file       ", str(path)))
    console.print(Text.assemble(("✓ ", "green"), "Metadata store    ", hide_password(wanted.store_url)))
    console.print(Text.assemble(("✓ ", "green"), "Artifact store    ", wanted.artifact_store_uri))
    console.print(
        Text.assemble(
            ("✓ ", "green"), "Project folder    ", str(folder_config), f" (stack: {stack or 'your active stack'})"
        )
    )
    effective = load_settings()
    for what, env, mine, theirs in (
        ("store URL", "WAYPOST_STORE__URL", wanted.store_url, effective.store_url),
        ("artifact store", "WAYPOST_ARTIFACT_STORE__URI", wanted.artifact_store_uri, effective.artifact_store_uri),
    ):
        if mine != theirs:
            console.print(
                Text(
                    f"! The environment sets the {what} to {hide_password(theirs)}; unset {env} to use this one.",
                    style="yellow",
                )
            )
    console.print(Text("\nNext: waypost run FILE.py:PIPELINE, then waypost runs list.", style="dim"))


def absolute_sqlite(url: str) -> str:
    """A SQLite URL with a relative file path made absolute, so it works from any folder."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return url
    file, sep, query = url[len(prefix) :].partition("?")
    if not file or file == ":memory:" or Path(file).is_absolute():
        return url
    return f"{prefix}{Path(file).expanduser().resolve()}{sep}{query}"


def absolute_path(uri: str) -> str:
    """A local artifact store path made absolute; URIs with a scheme are kept as they are."""
    if "://" in uri:
        return uri
    return str(Path(uri).expanduser().resolve())


def hide_password(url: str) -> str:
    """``scheme://user:***@host/db`` for printing."""
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)
