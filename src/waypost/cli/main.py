"""The ``waypost`` command: the root Typer app, its command groups, and :func:`main`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import waypost
from waypost.cli import (
    access,
    artifacts,
    components,
    model_approvals,
    model_compare,
    model_rules,
    models,
    pipelines,
    run_compare,
    run_diff,
    runs,
    secrets,
    service_accounts,
    stacks,
    users,
)
from waypost.cli._common import WaypostGroup, error_message, print_error
from waypost.cli.cleanup import cleanup_command
from waypost.cli.init import init_command
from waypost.cli.login import login_command, logout_command
from waypost.cli.logs import logs_command
from waypost.cli.run import run_command
from waypost.cli.server import down_command, status_command, up_command

app = typer.Typer(
    name="waypost",
    cls=WaypostGroup,
    help="Waypost: ML pipelines as Python functions, with every run recorded.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("init")(init_command)
app.command("run")(run_command)
app.add_typer(runs.app, name="runs")
runs.app.command("compare")(run_compare.compare)
runs.app.command("diff")(run_diff.diff)
app.add_typer(pipelines.app, name="pipelines")
app.add_typer(artifacts.app, name="artifacts")
app.add_typer(models.app, name="model")
models.app.command("compare")(model_compare.compare)
model_approvals.register(models.app)
models.app.add_typer(model_rules.app, name="rule")
app.add_typer(users.app, name="user")
app.add_typer(service_accounts.app, name="service-account")
app.add_typer(access.project_app, name="project")
app.add_typer(access.workspace_app, name="workspace")
app.add_typer(access.team_app, name="team")
app.add_typer(access.role_app, name="role")
app.add_typer(access.grant_app, name="grant")
app.command("revoke")(access.revoke_command)
app.add_typer(stacks.app, name="stack")
app.add_typer(components.app, name="component")
app.add_typer(secrets.connector_app, name="connector")
app.add_typer(secrets.secret_app, name="secret")
app.command("logs")(logs_command)
app.command("cleanup")(cleanup_command)
app.command("up")(up_command)
app.command("down")(down_command)
app.command("status")(status_command)
app.command("login")(login_command)
app.command("logout")(logout_command)


def _version() -> str:
    return f"waypost {waypost.__version__} (Python {sys.version.split()[0]})"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(_version())
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True)
    ] = False,
) -> None:
    """Waypost: ML pipelines as Python functions, with every run recorded."""


@app.command("version")
def version_command() -> None:
    """Print Waypost's version."""
    typer.echo(_version())


def main() -> None:
    """Run the CLI; known errors print one red line and exit 1, never a traceback."""
    try:
        app(prog_name="waypost")
    except Exception as exc:  # the group reports errors of commands; this catches the rest
        message = error_message(exc)
        if message is None:
            raise
        print_error(message)
        sys.exit(1)
