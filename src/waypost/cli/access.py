"""``waypost project|workspace|team|role``, ``waypost grant`` and ``waypost revoke``: who may do what, where.

Each command works against the configured store: a Waypost server after ``waypost login`` (the
server checks every call against your roles), else the local store.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperGroup

from waypost.cli._common import CliError, new_table, out, print_json, when_short

if TYPE_CHECKING:  # pydantic, SQLAlchemy and httpx load on first use, so `waypost --help` stays fast
    from pydantic import BaseModel

    from waypost.client.access import AccessBackend
    from waypost.schemas.access import Level
    from waypost.schemas.org import GrantRead


class LevelName(StrEnum):
    """Where a role applies (waypost.schemas.access.Level, without loading pydantic for `waypost --help`)."""

    ORGANIZATION = "organization"
    WORKSPACE = "workspace"
    PROJECT = "project"


def _level(name: LevelName | None) -> Level | None:
    from waypost.schemas.access import Level

    return None if name is None else Level(name.value)


def _required_level(name: LevelName) -> Level:
    from waypost.schemas.access import Level

    return Level(name.value)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")]
DescriptionOpt = Annotated[str | None, typer.Option("--description", "-d", help="What it is for.")]
UserOpt = Annotated[str | None, typer.Option("--user", "-u", help="A user's name.")]
TeamOpt = Annotated[str | None, typer.Option("--team", "-t", help="A team's name.")]
WorkspaceOpt = Annotated[str | None, typer.Option("--workspace", "-w", help="A workspace's name.")]
ProjectOpt = Annotated[
    str | None, typer.Option("--project", "-p", help="'workspace/project', or a project of the default workspace.")
]
LevelOpt = Annotated[LevelName | None, typer.Option("--level", "-l", help="The role's level, where names repeat.")]

project_app = typer.Typer(help="Create, list, choose and delete projects.", no_args_is_help=True)
workspace_app = typer.Typer(help="Create, list and delete workspaces.", no_args_is_help=True)
team_app = typer.Typer(help="Create teams and manage their members.", no_args_is_help=True)
role_app = typer.Typer(help="List roles and their permissions; create custom roles.", no_args_is_help=True)


@contextmanager
def backend() -> Iterator[AccessBackend]:
    """The configured store's access backend: the logged-in server, else the local store."""
    from waypost.client.access import open_access

    with open_access() as found:
        yield found


def _json(items: Sequence[BaseModel]) -> None:
    print_json([i.model_dump(mode="json") for i in items])


# -- projects -------------------------------------------------------------------------------------


@project_app.command("create")
def create_project(
    name: Annotated[str, typer.Argument(help="The name, or 'workspace/name'.")],
    workspace: WorkspaceOpt = None,
    description: DescriptionOpt = None,
) -> None:
    """Create a project (in the default workspace unless one is named)."""
    if "/" in name:
        named, name = name.split("/", 1)
        if workspace is not None and workspace != named:
            raise CliError(f"'{named}/{name}' and --workspace {workspace} disagree; name the workspace once.")
        workspace = named
    with backend() as access:
        project = access.create_project(name, workspace, description)
    out().print(f"Created project [bold]{project.path}[/bold]; `waypost project set {project.path}` makes it active.")


@project_app.command("list")
def list_projects(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List the projects you may see; the active one is marked with '*'."""
    from waypost.exceptions import WaypostError
    from waypost.settings import load_settings

    active = load_settings().project
    with backend() as access:
        projects = access.list_projects(workspace)
        try:
            active_id = access.get_project(active).id
        except WaypostError:
            active_id = None
    if as_json:
        _json(projects)
        return
    table = new_table()
    for column in ("", "project", "description", "created"):
        table.add_column(column, no_wrap=column == "project")
    for p in projects:
        mark = Text("*", style="bold green") if p.id == active_id else ""
        table.add_row(mark, Text(p.path, style="bold"), p.description or "", when_short(p.created_at))
    out().print(table)
    if active_id is None:
        out().print(
            f"[yellow]The active project '{active}' is not among them; `waypost project set` picks one.[/yellow]"
        )


@project_app.command("set")
def set_project(ref: Annotated[str, typer.Argument(help="'workspace/project', a name or an id.")]) -> None:
    """Make a project the active one: runs, pipelines and models are recorded there from now on."""
    import os

    from waypost.settings import write_config

    with backend() as access:
        project = access.get_project(ref)
    path = write_config({"project": project.path})
    out().print(f"Active project: [bold]{project.path}[/bold] (saved in {path}).")
    if os.environ.get("WAYPOST_PROJECT", project.path) != project.path:
        out().print("[yellow]WAYPOST_PROJECT is set and takes precedence; unset it to use this project.[/yellow]")


@project_app.command("describe")
def describe_project(
    ref: Annotated[str, typer.Argument(help="'workspace/project', a name or an id.")], as_json: JsonOpt = False
) -> None:
    """Show a project and the grants on it."""
    with backend() as access:
        project = access.get_project(ref)
        grants = access.list_grants(project=str(project.id))
    if as_json:
        print_json({**project.model_dump(mode="json"), "grants": [g.model_dump(mode="json") for g in grants]})
        return
    console = out()
    console.print(f"[bold]{project.path}[/bold]  ({project.id})")
    if project.description:
        console.print(project.description)
    console.print(f"created {when_short(project.created_at)}")
    _print_grants(grants, empty="No grants on this project itself; its workspace's and the organization's hold.")


@project_app.command("delete")
def delete_project(
    ref: Annotated[str, typer.Argument(help="'workspace/project', a name or an id.")],
    force: Annotated[bool, typer.Option("--force", help="Delete it with its runs, pipelines and models.")] = False,
) -> None:
    """Delete an empty project (or, with --force, one and everything in it)."""
    with backend() as access:
        project = access.delete_project(ref, force)
    out().print(f"Deleted project [bold]{project.path}[/bold].")


# -- workspaces -----------------------------------------------------------------------------------


@workspace_app.command("create")
def create_workspace(
    name: Annotated[str, typer.Argument(help="The name.")], description: DescriptionOpt = None
) -> None:
    """Create a workspace, with a project named 'default' in it."""
    with backend() as access:
        ws = access.create_workspace(name, description)
    out().print(f"Created workspace [bold]{ws.name}[/bold] with project {ws.name}/default.")


@workspace_app.command("list")
def list_workspaces(as_json: JsonOpt = False) -> None:
    """List the workspaces you may see."""
    with backend() as access:
        workspaces = access.list_workspaces()
    if as_json:
        _json(workspaces)
        return
    table = new_table()
    for column in ("workspace", "description", "created"):
        table.add_column(column, no_wrap=column == "workspace")
    for w in workspaces:
        table.add_row(Text(w.name, style="bold"), w.description or "", when_short(w.created_at))
    out().print(table)


@workspace_app.command("describe")
def describe_workspace(name: Annotated[str, typer.Argument(help="A name or an id.")], as_json: JsonOpt = False) -> None:
    """Show a workspace, its projects and the grants on it."""
    with backend() as access:
        ws = access.get_workspace(name)
        projects = access.list_projects(str(ws.id))
        grants = access.list_grants(workspace=str(ws.id))
    if as_json:
        print_json(
            {
                **ws.model_dump(mode="json"),
                "projects": [p.model_dump(mode="json") for p in projects],
                "grants": [g.model_dump(mode="json") for g in grants],
            }
        )
        return
    console = out()
    console.print(f"[bold]{ws.name}[/bold]  ({ws.id})")
    if ws.description:
        console.print(ws.description)
    console.print(f"projects: {', '.join(p.name for p in projects) or 'none you may see'}")
    _print_grants(grants, empty="No grants on this workspace itself.")


@workspace_app.command("delete")
def delete_workspace(name: Annotated[str, typer.Argument(help="A name or an id.")]) -> None:
    """Delete a workspace whose projects hold nothing."""
    with backend() as access:
        ws = access.delete_workspace(name)
    out().print(f"Deleted workspace [bold]{ws.name}[/bold].")


# -- teams ----------------------------------------------------------------------------------------

UsersArg = Annotated[list[str], typer.Argument(help="User names.")]


@team_app.command("create")
def create_team(
    name: Annotated[str, typer.Argument(help="The name.")],
    member: Annotated[list[str] | None, typer.Option("--member", "-m", help="A user to add (repeat).")] = None,
    description: DescriptionOpt = None,
) -> None:
    """Create a team."""
    with backend() as access:
        team = access.create_team(name, description, _split(member))
    out().print(f"Created team [bold]{team.name}[/bold] ({len(team.members)} members).")


@team_app.command("add")
def add_members(team: Annotated[str, typer.Argument(help="The team.")], users: UsersArg) -> None:
    """Add users to a team."""
    with backend() as access:
        changed = access.add_members(team, _split(users))
    out().print(f"Team [bold]{changed.name}[/bold]: {', '.join(changed.members) or 'no members'}.")


@team_app.command("remove")
def remove_members(team: Annotated[str, typer.Argument(help="The team.")], users: UsersArg) -> None:
    """Take users out of a team."""
    with backend() as access:
        changed = access.remove_members(team, _split(users))
    out().print(f"Team [bold]{changed.name}[/bold]: {', '.join(changed.members) or 'no members'}.")


@team_app.command("list")
def list_teams(as_json: JsonOpt = False) -> None:
    """List teams and their members."""
    with backend() as access:
        teams = access.list_teams()
    if as_json:
        _json(teams)
        return
    table = new_table()
    for column in ("team", "members", "description"):
        table.add_column(column, no_wrap=column == "team")
    for t in teams:
        table.add_row(Text(t.name, style="bold"), ", ".join(t.members), t.description or "")
    out().print(table)


@team_app.command("describe")
def describe_team(team: Annotated[str, typer.Argument(help="The team.")], as_json: JsonOpt = False) -> None:
    """Show a team, its members and its grants."""
    with backend() as access:
        found = access.get_team(team)
        grants = access.list_grants(team=str(found.id))
    if as_json:
        print_json({**found.model_dump(mode="json"), "grants": [g.model_dump(mode="json") for g in grants]})
        return
    console = out()
    console.print(f"[bold]{found.name}[/bold]  ({found.id})")
    if found.description:
        console.print(found.description)
    console.print(f"members: {', '.join(found.members) or 'none'}")
    _print_grants(grants, empty="The team holds no grants.")


@team_app.command("delete")
def delete_team(team: Annotated[str, typer.Argument(help="The team.")]) -> None:
    """Delete a team with its grants and shares."""
    with backend() as access:
        found = access.delete_team(team)
    out().print(f"Deleted team [bold]{found.name}[/bold].")


# -- roles ----------------------------------------------------------------------------------------


@role_app.command("create")
def create_role(
    name: Annotated[str, typer.Argument(help="The name.")],
    level: Annotated[LevelName, typer.Option("--level", "-l", help="Where it is granted.")],
    permission: Annotated[
        list[str], typer.Option("--permission", "-P", help="A permission such as run:read (repeat, or comma-separate).")
    ],
    description: DescriptionOpt = None,
) -> None:
    """Create a custom role from permissions (`waypost role permissions` lists them)."""
    with backend() as access:
        role = access.create_role(name, _required_level(level), _split(permission), description)
    out().print(f"Created {role.level.value} role [bold]{role.name}[/bold] with {len(role.permissions)} permissions.")


@role_app.command("list")
def list_roles(level: LevelOpt = None, as_json: JsonOpt = False) -> None:
    """List roles, built-in first."""
    with backend() as access:
        roles = access.list_roles(_level(level))
    if as_json:
        _json(roles)
        return
    table = new_table()
    for column in ("role", "level", "kind", "permissions", "description"):
        table.add_column(column, no_wrap=column in ("role", "level"))
    for r in roles:
        kind = "built-in" if r.builtin else "custom"
        table.add_row(Text(r.name, style="bold"), r.level.value, kind, str(len(r.permissions)), r.description or "")
    out().print(table)


@role_app.command("describe")
def describe_role(
    name: Annotated[str, typer.Argument(help="The role.")], level: LevelOpt = None, as_json: JsonOpt = False
) -> None:
    """Show a role's permissions."""
    with backend() as access:
        role = access.get_role(name, _level(level))
    if as_json:
        print_json(role)
        return
    console = out()
    kind = "built-in" if role.builtin else "custom"
    console.print(f"[bold]{role.name}[/bold]  ({kind} {role.level.value} role)")
    if role.description:
        console.print(role.description)
    for resource, actions in _by_resource(role.permissions).items():
        console.print(f"  {resource}: {', '.join(actions)}")


@role_app.command("delete")
def delete_role(name: Annotated[str, typer.Argument(help="The role.")], level: LevelOpt = None) -> None:
    """Delete a custom role nobody holds."""
    with backend() as access:
        role = access.delete_role(name, _level(level))
    out().print(f"Deleted {role.level.value} role [bold]{role.name}[/bold].")


@role_app.command("permissions")
def list_permissions(as_json: JsonOpt = False) -> None:
    """List every permission a role can hold."""
    from waypost.schemas.access import RESOURCE_TYPES

    if as_json:
        print_json({r: list(actions) for r, actions in RESOURCE_TYPES.items()})
        return
    table = new_table()
    table.add_column("resource", no_wrap=True)
    table.add_column("actions")
    for resource, actions in RESOURCE_TYPES.items():
        table.add_row(Text(resource, style="bold"), ", ".join(actions))
    out().print(table)


# -- grants ---------------------------------------------------------------------------------------


class _GrantGroup(TyperGroup):
    """``waypost grant ROLE ...`` gives a role; ``waypost grant list`` lists grants."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["give", *args]
        return super().parse_args(ctx, args)


grant_app = typer.Typer(
    cls=_GrantGroup,
    help="Give a role: `waypost grant ROLE --user U|--team T [--workspace W] [--project P]`; "
    "`waypost grant list` lists grants.",
    no_args_is_help=True,
)


@grant_app.command("give", hidden=True)
def give(
    role: Annotated[str, typer.Argument(help="The role, e.g. Developer.")],
    user: UserOpt = None,
    team: TeamOpt = None,
    workspace: WorkspaceOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Give a role to a user or a team, organization-wide or in a workspace or project."""
    with backend() as access:
        made = access.grant(role, user=user, team=team, workspace=workspace, project=project)
    out().print(f"Granted [bold]{made.role}[/bold] to {made.principal_type} {made.principal} at {_scope(made)}.")


@grant_app.command("list")
def list_grants(
    user: UserOpt = None,
    team: TeamOpt = None,
    workspace: WorkspaceOpt = None,
    project: ProjectOpt = None,
    role: Annotated[str | None, typer.Option("--role", "-r", help="Only grants of this role.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List grants (only those at a scope exactly, with --workspace or --project)."""
    with backend() as access:
        grants = access.list_grants(user=user, team=team, workspace=workspace, project=project, role=role)
    if as_json:
        _json(grants)
        return
    _print_grants(grants, empty="No grants match.")


def revoke_command(
    role: Annotated[str, typer.Argument(help="The role to take back.")],
    user: UserOpt = None,
    team: TeamOpt = None,
    workspace: WorkspaceOpt = None,
    project: ProjectOpt = None,
) -> None:
    """Take back a role from a user or a team at a scope (the organization unless one is named)."""
    with backend() as access:
        gone = access.revoke(role, user=user, team=team, workspace=workspace, project=project)
    out().print(f"Revoked [bold]{gone.role}[/bold] from {gone.principal_type} {gone.principal} at {_scope(gone)}.")


# -- helpers --------------------------------------------------------------------------------------


def _scope(grant: GrantRead) -> str:
    return "the organization" if grant.scope_type.value == "organization" else f"{grant.scope_type.value} {grant.scope}"


def _print_grants(grants: list[GrantRead], *, empty: str) -> None:
    console = out()
    if not grants:
        console.print(empty)
        return
    table = new_table()
    for column in ("role", "who", "scope", "granted"):
        table.add_column(column, no_wrap=column != "scope")
    for g in grants:
        who = f"team {g.principal}" if g.principal_type == "team" else g.principal
        table.add_row(Text(g.role, style="bold"), who, _scope(g), when_short(g.created_at))
    console.print(table)


def _split(values: list[str] | None) -> list[str]:
    """Values given repeated or comma-separated, in order, without blanks."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _by_resource(permissions: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for p in permissions:
        resource, _, action = p.partition(":")
        grouped.setdefault(resource, []).append(action)
    return grouped
