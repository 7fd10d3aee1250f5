"""/organization, /workspaces, /projects, /teams, /roles, /grants, /shares and /access: who may do what, where.

Every change is checked at the scope it touches (see :mod:`waypost.server.services.access`) and
leaves an audit row; the store refuses bad input with a one-line 404 or 422 and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status

from waypost.schemas.access import Level
from waypost.schemas.access_report import MyAccess, OrganizationRead, ResourceAccess, TeamMembers, UserAccess
from waypost.schemas.org import (
    GrantCreate,
    GrantRead,
    ProjectCreate,
    ProjectRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    ShareCreate,
    ShareRead,
    TeamCreate,
    TeamRead,
    WorkspaceCreate,
    WorkspaceRead,
)
from waypost.server.auth import trail
from waypost.server.deps import CurrentUser, Principal, StoreDep, authorize, require
from waypost.server.services import access

router = APIRouter(tags=["access"])

Name = Annotated[str, Path(max_length=255, description="An id or a name.")]
ProjectRef = Annotated[str, Path(max_length=511, description="A project's id or 'workspace/project' (URL-encoded).")]
RoleLevel = Annotated[Level | None, Query(description="The role's level, where names repeat across levels.")]
TeamReader = Annotated[Principal, Depends(require("team:read"))]
RoleReader = Annotated[Principal, Depends(require("role:read"))]
NO_CONTENT = status.HTTP_204_NO_CONTENT
CREATED = status.HTTP_201_CREATED


@router.get("/organization")
def get_organization(store: StoreDep, caller: CurrentUser) -> OrganizationRead:
    """The organization's name, with counts of what the caller may see."""
    return access.organization(store, caller)


# -- workspaces -----------------------------------------------------------------------------------


@router.get("/workspaces")
def list_workspaces(store: StoreDep, caller: CurrentUser) -> list[WorkspaceRead]:
    """The workspaces the caller holds some permission in, by name."""
    return access.visible_workspaces(store, caller)


@router.post("/workspaces", status_code=CREATED)
def create_workspace(body: WorkspaceCreate, request: Request, store: StoreDep, caller: CurrentUser) -> WorkspaceRead:
    """A new workspace, with a project named ``default``; needs workspace:create in the organization."""
    authorize(caller, "workspace:create")
    ws = store.access.create_workspace(body.name, description=body.description)
    trail.record(store, request, caller, trail.WORKSPACE_CREATED, ws.name, {"id": str(ws.id)})
    return ws


@router.get("/workspaces/{ws}")
def get_workspace(ws: Name, store: StoreDep, caller: CurrentUser) -> WorkspaceRead:
    """A workspace by id or name."""
    return access.get_workspace(store, caller, ws)


@router.delete("/workspaces/{ws}", status_code=NO_CONTENT)
def delete_workspace(ws: Name, request: Request, store: StoreDep, caller: CurrentUser) -> None:
    """Delete a workspace whose projects hold nothing; needs workspace:delete in the organization."""
    found = access.get_workspace(store, caller, ws)
    authorize(caller, "workspace:delete")
    store.access.delete_workspace(found.id)
    trail.record(store, request, caller, trail.WORKSPACE_DELETED, found.name, {"id": str(found.id)})


# -- projects -------------------------------------------------------------------------------------


@router.get("/projects")
def list_projects(
    store: StoreDep,
    caller: CurrentUser,
    workspace: Annotated[str | None, Query(max_length=255, description="Only this workspace's.")] = None,
) -> list[ProjectRead]:
    """The projects the caller holds some permission in, by workspace and name."""
    return access.visible_projects(store, caller, workspace)


@router.post("/projects", status_code=CREATED)
def create_project(body: ProjectCreate, request: Request, store: StoreDep, caller: CurrentUser) -> ProjectRead:
    """A new project in a workspace (the default one if none is named); needs project:create there."""
    ws = access.get_workspace(store, caller, body.workspace or "default")
    access.authorize_workspace(caller, "project:create", ws)
    project = store.access.create_project(body.name, workspace=ws.id, description=body.description)
    trail.record(store, request, caller, trail.PROJECT_CREATED, project.path, {"id": str(project.id)})
    return project


@router.get("/projects/{ref:path}")
def get_project(ref: ProjectRef, store: StoreDep, caller: CurrentUser) -> ProjectRead:
    """A project by id or ``workspace/project``."""
    return access.get_project(store, caller, ref)


@router.delete("/projects/{ref:path}", status_code=NO_CONTENT)
def delete_project(
    ref: ProjectRef,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    force: Annotated[bool, Query(description="Delete the project with everything in it.")] = False,
) -> None:
    """Delete an empty project (or, with ``force``, one with its runs, pipelines, artifacts and models)."""
    project = access.get_project(store, caller, ref)
    authorize(caller, "project:delete", scope=access.scope_of(project))
    held = store.access.project_contents(project.id)
    if held and not force:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Project '{project.path}' holds {held}; pass force=true (`waypost project delete --force`) "
            "to delete it with everything in it.",
        )
    store.access.delete_project(project.id)
    trail.record(store, request, caller, trail.PROJECT_DELETED, project.path, {"id": str(project.id), "held": held})


# -- teams ----------------------------------------------------------------------------------------


@router.get("/teams")
def list_teams(store: StoreDep, caller: TeamReader) -> list[TeamRead]:
    """Teams by name, with their members."""
    return store.access.list_teams()


@router.post("/teams", status_code=CREATED)
def create_team(body: TeamCreate, request: Request, store: StoreDep, caller: CurrentUser) -> TeamRead:
    """A new team; needs team:create in the organization."""
    authorize(caller, "team:create")
    team = store.access.create_team(body.name, description=body.description, members=body.members)
    trail.record(store, request, caller, trail.TEAM_CREATED, team.name, {"members": team.members})
    return team


@router.get("/teams/{team}")
def get_team(team: Name, store: StoreDep, caller: TeamReader) -> TeamRead:
    """A team by id or name."""
    return store.access.get_team(team)


@router.delete("/teams/{team}", status_code=NO_CONTENT)
def delete_team(team: Name, request: Request, store: StoreDep, caller: CurrentUser) -> None:
    """Delete a team with its grants and shares; needs team:delete in the organization."""
    authorize(caller, "team:delete")
    found = store.access.get_team(team)
    store.access.delete_team(found.id)
    trail.record(store, request, caller, trail.TEAM_DELETED, found.name, {"members": found.members})


@router.post("/teams/{team}/members")
def add_team_members(team: Name, body: TeamMembers, request: Request, store: StoreDep, caller: CurrentUser) -> TeamRead:
    """Add users to a team; needs team:manage_members in the organization."""
    authorize(caller, "team:manage_members")
    before = set(store.access.get_team(team).members)
    changed = store.access.add_members(team, body.users)
    for name in sorted(set(changed.members) - before):
        trail.record(store, request, caller, trail.TEAM_MEMBER_ADDED, changed.name, {"user": name})
    return changed


@router.delete("/teams/{team}/members/{user}")
def remove_team_member(team: Name, user: Name, request: Request, store: StoreDep, caller: CurrentUser) -> TeamRead:
    """Take a user out of a team; needs team:manage_members in the organization."""
    authorize(caller, "team:manage_members")
    before = store.access.get_team(team)
    changed = store.access.remove_members(before.id, [user])
    if user in before.members:
        trail.record(store, request, caller, trail.TEAM_MEMBER_REMOVED, changed.name, {"user": user})
    return changed


# -- roles ----------------------------------------------------------------------------------------


@router.get("/roles")
def list_roles(store: StoreDep, caller: RoleReader, level: RoleLevel = None) -> list[RoleRead]:
    """Roles, built-in first, by level and name."""
    return store.access.list_roles(level)


@router.post("/roles", status_code=CREATED)
def create_role(body: RoleCreate, request: Request, store: StoreDep, caller: CurrentUser) -> RoleRead:
    """A custom role; needs role:create in the organization."""
    authorize(caller, "role:create")
    if body.level.value == "organization":
        access.check_within_own(caller, body.permissions, "An organization role with these permissions")
    role = store.access.create_role(body.name, body.level, body.permissions, description=body.description)
    trail.record(store, request, caller, trail.ROLE_CREATED, _role_target(role), {"permissions": role.permissions})
    return role


@router.get("/roles/{role:path}")
def get_role(role: Name, store: StoreDep, caller: RoleReader, level: RoleLevel = None) -> RoleRead:
    """A role by id, or by name (and level, where names repeat across levels)."""
    return store.access.get_role(role, level)


@router.patch("/roles/{role:path}")
def update_role(
    role: Name, change: RoleUpdate, request: Request, store: StoreDep, caller: CurrentUser, level: RoleLevel = None
) -> RoleRead:
    """Change a custom role's permissions or description; needs role:update in the organization."""
    authorize(caller, "role:update")
    if change.permissions is not None:
        current = store.access.get_role(role, level)
        if current.level.value == "organization":
            added = set(change.permissions) - set(current.permissions)
            access.check_within_own(caller, added, f"Adding these permissions to '{current.name}'")
    updated = store.access.update_role(
        role, level=level, permissions=change.permissions, description=change.description
    )
    details = {"permissions": updated.permissions} if change.permissions is not None else {}
    trail.record(store, request, caller, trail.ROLE_UPDATED, _role_target(updated), details)
    return updated


@router.delete("/roles/{role:path}", status_code=NO_CONTENT)
def delete_role(role: Name, request: Request, store: StoreDep, caller: CurrentUser, level: RoleLevel = None) -> None:
    """Delete a custom role nobody holds; needs role:delete in the organization."""
    authorize(caller, "role:delete")
    found = store.access.get_role(role, level)
    store.access.delete_role(found.id)
    trail.record(store, request, caller, trail.ROLE_DELETED, _role_target(found))


def _role_target(role: RoleRead) -> str:
    return f"{role.level.value}/{role.name}"


# -- grants ---------------------------------------------------------------------------------------


@router.get("/grants")
def list_grants(
    store: StoreDep,
    caller: CurrentUser,
    user: Annotated[str | None, Query(max_length=255)] = None,
    team: Annotated[str | None, Query(max_length=255)] = None,
    workspace: Annotated[str | None, Query(max_length=255)] = None,
    project: Annotated[str | None, Query(max_length=511, description="'workspace/project' or an id.")] = None,
    role: Annotated[str | None, Query(max_length=255)] = None,
) -> list[GrantRead]:
    """Grants the caller may see (all, with member:read in the organization; else their own and those they manage)."""
    found = store.access.list_grants(user=user, team=team, workspace=workspace, project=project, role=role)
    return access.visible_grants(store, caller, found)


@router.post("/grants", status_code=CREATED)
def create_grant(body: GrantCreate, request: Request, store: StoreDep, caller: CurrentUser) -> GrantRead:
    """Give a role to a user or a team at a scope; needs that scope's manage_members permission."""
    access.authorize_grant(store, caller, body)
    grant = store.access.grant(
        body.role,
        user=body.user,
        team=body.team,
        workspace=body.workspace,
        project=body.project,
        created_by=caller.user_id,
    )
    trail.record(store, request, caller, trail.GRANT_CREATED, _grant_target(grant), {"grant_id": str(grant.id)})
    return grant


@router.delete("/grants/{grant_id}", status_code=NO_CONTENT)
def revoke_grant(grant_id: uuid.UUID, request: Request, store: StoreDep, caller: CurrentUser) -> None:
    """Take back one grant; needs the manage_members permission of its scope."""
    grant = access.get_grant(store, grant_id)
    access.authorize_revoke(store, caller, grant)
    store.access.revoke(grant.id)
    trail.record(store, request, caller, trail.GRANT_REVOKED, _grant_target(grant), {"grant_id": str(grant.id)})


def _grant_target(grant: GrantRead) -> str:
    return f"{grant.role} to {grant.principal_type} {grant.principal} at {grant.scope_type.value} {grant.scope}"


# -- shares ---------------------------------------------------------------------------------------

ResourceType = Annotated[str, Path(max_length=32, description="pipeline, run, artifact, model or stack.")]


@router.get("/shares/{resource_type}/{resource_id}")
def list_shares(
    resource_type: ResourceType, resource_id: uuid.UUID, store: StoreDep, caller: CurrentUser
) -> list[ShareRead]:
    """Who one resource is shared with; needs <type>:share on it."""
    access.authorize_share(store, caller, resource_type, resource_id)
    return store.access.list_shares(resource_type, resource_id)


@router.post("/shares/{resource_type}/{resource_id}", status_code=CREATED)
def create_share(
    resource_type: ResourceType,
    resource_id: uuid.UUID,
    body: ShareCreate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
) -> ShareRead:
    """Share one resource with a user or a team, with a project role; needs <type>:share on it."""
    access.authorize_share(store, caller, resource_type, resource_id)
    share = store.access.share(
        resource_type, resource_id, role=body.role, user=body.user, team=body.team, created_by=caller.user_id
    )
    trail.record(store, request, caller, trail.SHARE_CREATED, f"{resource_type} {resource_id}", _share_details(share))
    return share


@router.delete("/shares/{share_id}", status_code=NO_CONTENT)
def revoke_share(share_id: uuid.UUID, request: Request, store: StoreDep, caller: CurrentUser) -> None:
    """Take back one share; needs <type>:share on the resource."""
    resource_type, resource_id = access.share_target(store, share_id)
    access.authorize_share(store, caller, resource_type, resource_id)
    share = store.access.unshare(share_id)
    trail.record(store, request, caller, trail.SHARE_REVOKED, f"{resource_type} {resource_id}", _share_details(share))


def _share_details(share: ShareRead) -> dict[str, str]:
    return {"share_id": str(share.id), "role": share.role, share.principal_type: share.principal}


# -- what a user may do ---------------------------------------------------------------------------


@router.get("/access/me")
def my_access(store: StoreDep, caller: CurrentUser) -> MyAccess:
    """Every permission the caller holds: organization-wide, per workspace, per project, and on shared resources."""
    return access.my_access(store, caller)


@router.get("/access/users/{user}")
def user_access(user: Name, store: StoreDep, caller: CurrentUser) -> UserAccess:
    """Every grant and share a user holds, with its permissions and where it comes from; needs member:read."""
    found = access.user_or_404(store, user)
    if found.id != caller.user_id:
        authorize(caller, "member:read")
    return UserAccess(user=found.name, sources=access.explain(store, found.id))


@router.get("/access/resources/{resource_type}/{resource_id}")
def resource_access(
    resource_type: ResourceType, resource_id: uuid.UUID, store: StoreDep, caller: CurrentUser
) -> ResourceAccess:
    """Who may do what with one resource; needs <type>:share on it (or member:read in the organization)."""
    scope = access.resource_scope(store, resource_type, resource_id)
    if not caller.access.can("member:read"):
        access.authorize_share(store, caller, resource_type, resource_id)
    return access.resource_access(store, resource_type, resource_id, scope)
