"""The organization's structure and who may change it: visibility, scopes and the checks behind /access routes.

Listing shows only what the caller holds some permission in (an organization-wide ``workspace:read``
or ``project:read`` sees everything); a workspace or project the caller cannot see answers 404, as
if it did not exist. Each change needs its permission at the scope it touches: workspaces and
roles and teams at the organization, a project at its workspace, a grant at its own scope (that
scope's ``manage_members``), a share on the resource's project (``<type>:share``).
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import HTTPException, status

from waypost.exceptions import NotFoundError
from waypost.schemas.access import ORGANIZATION_ID, PERMISSIONS, EffectiveAccess
from waypost.schemas.access_report import (
    AccessSource,
    MyAccess,
    OrganizationRead,
    ResourceAccess,
    ResourceHolder,
    ScopeAccess,
    SharedAccess,
)
from waypost.schemas.org import GrantCreate, GrantRead, ProjectRead, WorkspaceRead
from waypost.schemas.users import UserRead
from waypost.server.deps import Principal, ProjectScope, authorize
from waypost.server.services._access_lookup import (
    SHAREABLE_TYPES,
    organization_name,
    resource_project,
    share_resource,
    stack_workspace,
    stacks_workspaces,
)
from waypost.server.services._common import or_404
from waypost.store.sql.store import SqlStore

#: The permission that manages members at each scope a grant can have.
MANAGE_MEMBERS = {
    "organization": "member:manage_members",
    "workspace": "workspace:manage_members",
    "project": "project:manage_members",
}


# -- visibility -----------------------------------------------------------------------------------


def _sees_workspace(access: EffectiveAccess, ws_id: uuid.UUID, project_workspaces: set[uuid.UUID]) -> bool:
    return "workspace:read" in access.organization or bool(access.workspaces.get(ws_id)) or ws_id in project_workspaces


def _sees_project(access: EffectiveAccess, project: ProjectRead) -> bool:
    return (
        "project:read" in access.organization
        or bool(access.workspaces.get(project.workspace_id))
        or bool(access.projects.get(project.id))
    )


def visible_projects(store: SqlStore, caller: Principal, workspace: str | None = None) -> list[ProjectRead]:
    """The projects the caller holds some permission in (all of them with an organization-wide project:read)."""
    if workspace is not None:
        get_workspace(store, caller, workspace)  # a hidden workspace is a 404, not an empty list
    projects = store.access.list_projects(workspace=workspace)
    return [p for p in projects if _sees_project(caller.access, p)]


def visible_workspaces(store: SqlStore, caller: Principal) -> list[WorkspaceRead]:
    """The workspaces the caller holds some permission in, or in one of whose projects."""
    access = caller.access
    if "workspace:read" in access.organization:
        return store.access.list_workspaces()
    holding = _project_workspaces(store, access)
    return [w for w in store.access.list_workspaces() if _sees_workspace(access, w.id, holding)]


def _project_workspaces(store: SqlStore, access: EffectiveAccess) -> set[uuid.UUID]:
    """Workspaces the caller reaches through a project grant or a stack shared with them."""
    ids = [p for p, perms in access.projects.items() if perms]
    held = {p.workspace_id for p in store.access.list_projects(ids=ids)} if ids else set()
    return held | stacks_workspaces(
        store, {rid for (rtype, rid), perms in access.shares.items() if rtype == "stack" and perms}
    )


def get_workspace(store: SqlStore, caller: Principal, ref: str) -> WorkspaceRead:
    """A workspace the caller may see, by id or name; a 404 otherwise."""
    ws = or_404(lambda: store.access.get_workspace(ref))
    if not _sees_workspace(caller.access, ws.id, _project_workspaces(store, caller.access)):
        raise _no_workspace(ref)
    return ws


def get_project(store: SqlStore, caller: Principal, ref: str) -> ProjectRead:
    """A project the caller may see, by id or ``workspace/project``; a 404 otherwise."""
    project = or_404(lambda: store.access.get_project(ref))
    if not _sees_project(caller.access, project):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No project '{ref}' exists; `waypost project list` shows them.")
    return project


def _no_workspace(ref: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND, f"No workspace '{ref}' exists; `waypost workspace list` shows them."
    )


def scope_of(project: ProjectRead) -> ProjectScope:
    """The permission scope of a project."""
    return ProjectScope(project.id, project.workspace_id, project.path)


def authorize_workspace(caller: Principal, permission: str, ws: WorkspaceRead) -> None:
    """Refuse (403) unless ``permission`` holds in workspace ``ws`` (or organization-wide)."""
    if not caller.access.can(permission, workspace_id=ws.id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"You lack the '{permission}' permission in workspace '{ws.name}'; "
            "ask an Admin of the workspace or the organization for a role that has it.",
        )


def organization(store: SqlStore, caller: Principal) -> OrganizationRead:
    """The organization's name and what the caller may see of it."""
    access = caller.access
    return OrganizationRead(
        id=ORGANIZATION_ID,
        name=organization_name(store),
        workspaces=len(visible_workspaces(store, caller)),
        projects=len(visible_projects(store, caller)),
        teams=len(store.access.list_teams()) if access.anywhere("team:read") else None,
        members=store.users.count() if access.anywhere("member:read") else None,
        roles=len(store.access.list_roles()) if access.anywhere("role:read") else None,
    )


# -- grants ---------------------------------------------------------------------------------------

Scope = tuple[Literal["organization", "workspace", "project"], str]


def authorize_grant(store: SqlStore, caller: Principal, body: GrantCreate) -> Scope:
    """Check the caller may manage members where ``body`` grants; (scope type, scope name) for the audit row."""
    if body.project is not None:
        ref = body.project
        if body.workspace is not None and "/" not in ref and _as_uuid(ref) is None:
            ref = f"{body.workspace}/{ref}"
        project = or_404(lambda: store.access.get_project(ref))
        authorize(caller, MANAGE_MEMBERS["project"], scope=scope_of(project))
        return "project", project.path
    if body.workspace is not None:
        ws = or_404(lambda: store.access.get_workspace(body.workspace or ""))
        authorize_workspace(caller, MANAGE_MEMBERS["workspace"], ws)
        return "workspace", ws.name
    authorize(caller, MANAGE_MEMBERS["organization"])
    role = or_404(lambda: store.access.get_role(body.role, "organization"))
    check_within_own(caller, role.permissions, f"Granting the organization role '{role.name}'")
    return "organization", "organization"


def check_within_own(caller: Principal, permissions: list[str] | set[str], what: str) -> None:
    """Refuse (403) organization-wide permissions the caller does not hold there themselves.

    Without it a Manager (who manages members and roles) could grant themselves, or put in a
    role they hold, what only an Admin has; workspace and project grants stay with those
    scopes' own managers (they reach nothing beyond the scope).
    """
    if caller.is_admin:
        return
    lacking = sorted(set(permissions) - caller.access.organization)
    if lacking:
        shown = ", ".join(lacking[:4]) + (f" and {len(lacking) - 4} more" if len(lacking) > 4 else "")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{what} needs permissions you lack in the organization ({shown}); ask an organization Admin.",
        )


def may_manage(store: SqlStore, caller: Principal, grant: GrantRead) -> bool:
    """Whether the caller holds the manage_members permission of ``grant``'s scope."""
    permission = MANAGE_MEMBERS[grant.scope_type.value]
    access = caller.access
    if grant.scope_type.value == "organization":
        return access.can(permission)
    if grant.scope_type.value == "workspace":
        return access.can(permission, workspace_id=grant.scope_id)
    ws = store.access.project_workspace(grant.scope_id)
    return access.can(permission, workspace_id=ws, project_id=grant.scope_id)


def visible_grants(store: SqlStore, caller: Principal, grants: list[GrantRead]) -> list[GrantRead]:
    """The grants the caller may see: all with member:read in the organization, else their own and those they manage."""
    if "member:read" in caller.access.organization:
        return grants
    teams = {t.id for t in store.access.list_teams() if caller.name in t.members}
    return [
        g
        for g in grants
        if (g.principal_type == "user" and g.principal_id == caller.user_id)
        or (g.principal_type == "team" and g.principal_id in teams)
        or may_manage(store, caller, g)
    ]


def get_grant(store: SqlStore, grant_id: uuid.UUID) -> GrantRead:
    """One grant by id; a 404 when there is none."""
    try:
        return store.access.get_grant(grant_id)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None


def authorize_revoke(store: SqlStore, caller: Principal, grant: GrantRead) -> None:
    """Refuse (403) unless the caller manages members at the grant's scope."""
    if may_manage(store, caller, grant):
        return
    permission = MANAGE_MEMBERS[grant.scope_type.value]
    where = (
        "the organization" if grant.scope_type.value == "organization" else f"{grant.scope_type.value} '{grant.scope}'"
    )
    raise HTTPException(
        status.HTTP_403_FORBIDDEN,
        f"You lack the '{permission}' permission in {where}; ask an Admin there to revoke this grant.",
    )


# -- shares and resources -------------------------------------------------------------------------


def resource_scope(store: SqlStore, resource_type: str, resource_id: uuid.UUID) -> ProjectScope:
    """The project scope of a shareable resource; 422 for a type that cannot be shared, 404 when it is missing."""
    if resource_type not in SHAREABLE_TYPES:
        raise HTTPException(
            422,
            f"Cannot share a '{resource_type}'; shareable resources are {', '.join(SHAREABLE_TYPES)}.",
        )
    if resource_type == "stack":  # a workspace's, not a project's: the scope names no project
        ws_id = stack_workspace(store, resource_id)
        if ws_id is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"No stack '{resource_id}' exists; check the id.")
        ws = store.access.get_workspace(str(ws_id))
        return ProjectScope(NO_PROJECT, ws.id, ws.name)
    project_id = resource_project(store, resource_type, resource_id)
    if project_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No {resource_type} '{resource_id}' exists; check the id.")
    return scope_of(store.access.get_project(project_id))


#: The project id of a workspace resource's scope: no project holds it, so only workspace and wider grants count.
NO_PROJECT = uuid.UUID(int=0)


def authorize_share(store: SqlStore, caller: Principal, resource_type: str, resource_id: uuid.UUID) -> ProjectScope:
    """Refuse (403) unless the caller holds ``<type>:share`` on the resource (its project, or a share of it)."""
    scope = resource_scope(store, resource_type, resource_id)
    permission = f"{resource_type}:share"
    if scope.project_id == NO_PROJECT:
        if not caller.access.can(permission, workspace_id=scope.workspace_id, resource=(resource_type, resource_id)):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"You lack the '{permission}' permission in workspace '{scope.path}'; "
                "ask an Admin of the workspace for a role that has it (Stack Admin).",
            )
        return scope
    authorize(caller, permission, scope=scope, resource=(resource_type, resource_id))
    return scope


def share_target(store: SqlStore, share_id: uuid.UUID) -> tuple[str, uuid.UUID]:
    """The resource a share is of; a 404 when there is no such share."""
    found = share_resource(store, share_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No share '{share_id}' exists; list the resource's shares.")
    return found


def resource_access(store: SqlStore, resource_type: str, resource_id: uuid.UUID, scope: ProjectScope) -> ResourceAccess:
    """Who may do what with one resource: grants at its project, its workspace and the organization, and its shares."""
    covering = {ORGANIZATION_ID, scope.workspace_id, scope.project_id}
    roles = {r.id: r.permissions for r in store.access.list_roles()}
    holders = []
    for g in store.access.list_grants(scope_ids=covering):
        perms = [p for p in roles.get(g.role_id, []) if p.startswith(f"{resource_type}:")]
        if perms:
            holders.append(
                ResourceHolder(
                    principal_type=g.principal_type,
                    principal=g.principal,
                    role=g.role,
                    scope_type=g.scope_type.value,
                    scope=g.scope,
                    permissions=perms,
                )
            )
    return ResourceAccess(
        resource_type=resource_type,
        resource_id=resource_id,
        project=scope.path,
        grants=holders,
        shares=store.access.list_shares(resource_type, resource_id),
    )


# -- what a user may do ---------------------------------------------------------------------------


def my_access(store: SqlStore, caller: Principal) -> MyAccess:
    """Every permission the caller holds, by scope, with names."""
    access = caller.access
    ws_names = {w.id: w.name for w in store.access.list_workspaces(ids=list(access.workspaces))}
    paths = {p.id: p.path for p in store.access.list_projects(ids=list(access.projects))}
    return MyAccess(
        user=caller.name,
        is_org_admin=access.is_org_admin,
        organization=_sorted(access.organization),
        workspaces=[
            ScopeAccess(id=i, name=ws_names.get(i, str(i)), permissions=_sorted(p))
            for i, p in sorted(access.workspaces.items(), key=lambda kv: ws_names.get(kv[0], ""))
            if p
        ],
        projects=[
            ScopeAccess(id=i, name=paths.get(i, str(i)), permissions=_sorted(p))
            for i, p in sorted(access.projects.items(), key=lambda kv: paths.get(kv[0], ""))
            if p
        ],
        shares=[
            SharedAccess(resource_type=t, resource_id=i, permissions=_sorted(p))
            for (t, i), p in access.shares.items()
            if p
        ],
    )


def explain(store: SqlStore, user_id: uuid.UUID) -> list[AccessSource]:
    """Every grant and share a user holds, with where it comes from."""
    return [AccessSource.model_validate(entry) for entry in store.access.explain(user_id)]


def user_or_404(store: SqlStore, ref: str) -> UserRead:
    """A user by id or name."""
    try:
        return store.users.get(ref)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None


def _sorted(perms: frozenset[str]) -> list[str]:
    return [p for p in PERMISSIONS if p in perms]


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
