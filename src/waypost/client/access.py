"""Workspaces, projects, teams, roles and grants, against the configured store: local SQL or a Waypost server.

:class:`AccessBackend` is the one interface the ``waypost project|workspace|team|role|grant``
commands use; :class:`LocalAccess` calls the SqlStore's access repository directly (the local
user owns the database), :class:`RemoteAccess` calls the server's ``/api/v1`` access routes,
where every call is checked against the caller's roles. :func:`open_access` picks one from the
settings. Errors are ours (``NotFoundError``, ``ParameterError``, ``WaypostError``), one line each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from waypost.exceptions import NotFoundError, ParameterError, WaypostError
from waypost.schemas.access import Level
from waypost.schemas.org import SLUG_PATTERN, GrantRead, ProjectRead, RoleRead, TeamRead, WorkspaceRead
from waypost.settings import WaypostSettings, load_settings
from waypost.store.rest.http import ERROR_HEADER, Http
from waypost.store.sql.store import SqlStore

__all__ = ["AccessBackend", "LocalAccess", "RemoteAccess", "open_access"]


class AccessBackend(Protocol):
    """What the access commands need of a store."""

    where: str

    def list_workspaces(self) -> list[WorkspaceRead]: ...
    def get_workspace(self, ref: str) -> WorkspaceRead: ...
    def create_workspace(self, name: str, description: str | None) -> WorkspaceRead: ...
    def delete_workspace(self, ref: str) -> WorkspaceRead: ...

    def list_projects(self, workspace: str | None) -> list[ProjectRead]: ...
    def get_project(self, ref: str) -> ProjectRead: ...
    def create_project(self, name: str, workspace: str | None, description: str | None) -> ProjectRead: ...
    def delete_project(self, ref: str, force: bool) -> ProjectRead: ...

    def list_teams(self) -> list[TeamRead]: ...
    def get_team(self, ref: str) -> TeamRead: ...
    def create_team(self, name: str, description: str | None, members: list[str]) -> TeamRead: ...
    def add_members(self, team: str, users: list[str]) -> TeamRead: ...
    def remove_members(self, team: str, users: list[str]) -> TeamRead: ...
    def delete_team(self, ref: str) -> TeamRead: ...

    def list_roles(self, level: Level | None) -> list[RoleRead]: ...
    def get_role(self, ref: str, level: Level | None) -> RoleRead: ...
    def create_role(self, name: str, level: Level, permissions: list[str], description: str | None) -> RoleRead: ...
    def delete_role(self, ref: str, level: Level | None) -> RoleRead: ...

    def grant(
        self, role: str, *, user: str | None, team: str | None, workspace: str | None, project: str | None
    ) -> GrantRead: ...
    def list_grants(self, **filters: str | None) -> list[GrantRead]: ...
    def revoke(
        self, role: str, *, user: str | None, team: str | None, workspace: str | None, project: str | None
    ) -> GrantRead: ...


def _non_empty(project: ProjectRead, held: str) -> ParameterError:
    return ParameterError(f"Project '{project.path}' holds {held}; pass --force to delete it with everything in it.")


class LocalAccess:
    """The access repository of a local SqlStore (no permission checks: the database is the user's own)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.access = store.access
        self.where = "the local store"

    def list_workspaces(self) -> list[WorkspaceRead]:
        return self.access.list_workspaces()

    def get_workspace(self, ref: str) -> WorkspaceRead:
        return self.access.get_workspace(ref)

    def create_workspace(self, name: str, description: str | None) -> WorkspaceRead:
        return self.access.create_workspace(_slug("workspace", name), description=description)

    def delete_workspace(self, ref: str) -> WorkspaceRead:
        ws = self.access.get_workspace(ref)
        self.access.delete_workspace(ws.id)
        return ws

    def list_projects(self, workspace: str | None) -> list[ProjectRead]:
        return self.access.list_projects(workspace=workspace)

    def get_project(self, ref: str) -> ProjectRead:
        return self.access.get_project(ref)

    def create_project(self, name: str, workspace: str | None, description: str | None) -> ProjectRead:
        return self.access.create_project(_slug("project", name), workspace=workspace, description=description)

    def delete_project(self, ref: str, force: bool) -> ProjectRead:
        project = self.access.get_project(ref)
        held = self.access.project_contents(project.id)
        if held and not force:
            raise _non_empty(project, held)
        self.access.delete_project(project.id)
        return project

    def list_teams(self) -> list[TeamRead]:
        return self.access.list_teams()

    def get_team(self, ref: str) -> TeamRead:
        return self.access.get_team(ref)

    def create_team(self, name: str, description: str | None, members: list[str]) -> TeamRead:
        return self.access.create_team(_slug("team", name), description=description, members=members)

    def add_members(self, team: str, users: list[str]) -> TeamRead:
        return self.access.add_members(team, users)

    def remove_members(self, team: str, users: list[str]) -> TeamRead:
        return self.access.remove_members(team, users)

    def delete_team(self, ref: str) -> TeamRead:
        team = self.access.get_team(ref)
        self.access.delete_team(team.id)
        return team

    def list_roles(self, level: Level | None) -> list[RoleRead]:
        return self.access.list_roles(level)

    def get_role(self, ref: str, level: Level | None) -> RoleRead:
        return self.access.get_role(ref, level)

    def create_role(self, name: str, level: Level, permissions: list[str], description: str | None) -> RoleRead:
        return self.access.create_role(name, level, permissions, description=description)

    def delete_role(self, ref: str, level: Level | None) -> RoleRead:
        role = self.access.get_role(ref, level)
        self.access.delete_role(role.id)
        return role

    def grant(
        self, role: str, *, user: str | None, team: str | None, workspace: str | None, project: str | None
    ) -> GrantRead:
        return self.access.grant(role, user=user, team=team, workspace=workspace, project=project)

    def list_grants(self, **filters: str | None) -> list[GrantRead]:
        f = filters
        return self.access.list_grants(
            user=f.get("user"),
            team=f.get("team"),
            workspace=f.get("workspace"),
            project=f.get("project"),
            role=f.get("role"),
        )

    def revoke(
        self, role: str, *, user: str | None, team: str | None, workspace: str | None, project: str | None
    ) -> GrantRead:
        found = self.access.find_grant(role, user=user, team=team, workspace=workspace, project=project)
        return self.access.revoke(found.id)


class _AccessHttp(Http):
    """The RestStore's HTTP client, except that a refusal (403) is reported as the server words it."""

    def error(self, response: httpx.Response) -> WaypostError:
        if response.status_code == 403 and ERROR_HEADER not in response.headers:
            try:
                detail = str(response.json().get("detail", ""))
            except ValueError:
                detail = ""
            if detail.startswith(("You lack", "This needs")):
                return WaypostError(detail)
        return super().error(response)


class RemoteAccess:
    """The access routes of a Waypost server, as the logged-in user."""

    def __init__(self, http: Http) -> None:
        self.http = http
        self.where = http.url

    def _get(self, path: str, into: Any, **params: Any) -> Any:
        return self.http.get(path, into, **params)

    def _send(self, method: str, path: str, body: Any = None, into: Any = None, **params: Any) -> Any:
        if params:
            response = self.http.request(method, path, json=body, params=params)
            return None if into is None else into.model_validate_json(response.content)
        return self.http.send(method, path, body, into)

    def list_workspaces(self) -> list[WorkspaceRead]:
        return list(self._get("/workspaces", list[WorkspaceRead]))

    def get_workspace(self, ref: str) -> WorkspaceRead:
        found: WorkspaceRead = self._get(f"/workspaces/{_seg(ref)}", WorkspaceRead)
        return found

    def create_workspace(self, name: str, description: str | None) -> WorkspaceRead:
        made: WorkspaceRead = self._send(
            "POST", "/workspaces", {"name": name, "description": description}, WorkspaceRead
        )
        return made

    def delete_workspace(self, ref: str) -> WorkspaceRead:
        ws = self.get_workspace(ref)
        self._send("DELETE", f"/workspaces/{ws.id}")
        return ws

    def list_projects(self, workspace: str | None) -> list[ProjectRead]:
        return list(self._get("/projects", list[ProjectRead], workspace=workspace))

    def get_project(self, ref: str) -> ProjectRead:
        found: ProjectRead = self._get(f"/projects/{_seg(ref)}", ProjectRead)
        return found

    def create_project(self, name: str, workspace: str | None, description: str | None) -> ProjectRead:
        body = {"name": name, "workspace": workspace, "description": description}
        made: ProjectRead = self._send("POST", "/projects", body, ProjectRead)
        return made

    def delete_project(self, ref: str, force: bool) -> ProjectRead:
        project = self.get_project(ref)
        self._send("DELETE", f"/projects/{project.id}", force=str(force).lower())
        return project

    def list_teams(self) -> list[TeamRead]:
        return list(self._get("/teams", list[TeamRead]))

    def get_team(self, ref: str) -> TeamRead:
        found: TeamRead = self._get(f"/teams/{_seg(ref)}", TeamRead)
        return found

    def create_team(self, name: str, description: str | None, members: list[str]) -> TeamRead:
        body = {"name": name, "description": description, "members": members}
        made: TeamRead = self._send("POST", "/teams", body, TeamRead)
        return made

    def add_members(self, team: str, users: list[str]) -> TeamRead:
        changed: TeamRead = self._send("POST", f"/teams/{_seg(team)}/members", {"users": users}, TeamRead)
        return changed

    def remove_members(self, team: str, users: list[str]) -> TeamRead:
        changed = self.get_team(team)
        for user in users:
            changed = self._send("DELETE", f"/teams/{_seg(team)}/members/{_seg(user)}", into=TeamRead)
        return changed

    def delete_team(self, ref: str) -> TeamRead:
        team = self.get_team(ref)
        self._send("DELETE", f"/teams/{team.id}")
        return team

    def list_roles(self, level: Level | None) -> list[RoleRead]:
        return list(self._get("/roles", list[RoleRead], level=level.value if level else None))

    def get_role(self, ref: str, level: Level | None) -> RoleRead:
        found: RoleRead = self._get(f"/roles/{_seg(ref)}", RoleRead, level=level.value if level else None)
        return found

    def create_role(self, name: str, level: Level, permissions: list[str], description: str | None) -> RoleRead:
        body = {"name": name, "level": level.value, "permissions": permissions, "description": description}
        made: RoleRead = self._send("POST", "/roles", body, RoleRead)
        return made

    def delete_role(self, ref: str, level: Level | None) -> RoleRead:
        role = self.get_role(ref, level)
        self._send("DELETE", f"/roles/{role.id}")
        return role

    def grant(
        self, role: str, *, user: str | None, team: str | None, workspace: str | None, project: str | None
    ) -> GrantRead:
        body = {"role": role, "user": user, "team": team, "workspace": workspace, "project": project}
        made: GrantRead = self._send("POST", "/grants", body, GrantRead)
        return made

    def list_grants(self, **filters: str | None) -> list[GrantRead]:
        return list(self._get("/grants", list[GrantRead], **filters))

    def revoke(
        self, role: str, *, user: str | None, team: str | None, workspace: str | None, project: str | None
    ) -> GrantRead:
        if (user is None) == (team is None):
            raise ParameterError("Name exactly one of a user (--user) or a team (--team).")
        level = Level.PROJECT if project else Level.WORKSPACE if workspace else Level.ORGANIZATION
        held = self.list_grants(user=user, team=team, workspace=workspace, project=project)
        found = [g for g in held if g.role.lower() == role.lower() and g.scope_type == level]
        if not found:
            raise NotFoundError(
                f"No grant of '{role}' to that {'user' if user else 'team'} at this {level.value} exists; "
                "`waypost grant list` shows the grants."
            )
        self._send("DELETE", f"/grants/{found[0].id}")
        return found[0]


def _seg(value: str) -> str:
    """``value`` as one URL path segment (a '/' in 'workspace/project' included)."""
    return quote(value, safe="")


def _slug(kind: str, name: str) -> str:
    """``name`` checked as the server checks it, so that the local store takes the same names."""
    if not re.match(SLUG_PATTERN, name):
        raise ParameterError(
            f"'{name}' is not a valid {kind} name; use letters, digits, '.', '_' and '-' (up to 100, "
            "starting with a letter or digit)."
        )
    return name


@contextmanager
def open_access(settings: WaypostSettings | None = None) -> Iterator[AccessBackend]:
    """The access backend of the configured store (a server when logged in to one), closed afterwards."""
    settings = settings or load_settings()
    if settings.store_is_remote:
        http = _AccessHttp(settings.store_url, settings.store.api_key, retries=2)
        try:
            yield RemoteAccess(http)
        finally:
            http.close()
        return
    store = SqlStore(settings.store_url, busy_timeout_s=settings.store.busy_timeout_s)
    try:
        yield LocalAccess(store)
    finally:
        store.close()
