"""Access control in the database: workspaces, projects, teams, roles, grants, shares, and what a user may do.

Built-in roles are rows with fixed ids (so grants can name them) whose permissions come from
:mod:`waypost.schemas.access`; custom roles keep theirs in ``role_permissions``. A user's
effective access is read in one query for grants (direct and through teams) and one for shares.

Every change checks its inputs first and runs in one transaction, so a refused change leaves
nothing behind; a change that would leave the organization without an active Admin is refused.
"""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from waypost.exceptions import NotFoundError, ParameterError, StoreError
from waypost.schemas.access import (
    BUILTIN_ROLES,
    DEFAULT_NAME,
    DEFAULT_PROJECT_ID,
    DEFAULT_WORKSPACE_ID,
    LEVEL_ORDER,
    ORGANIZATION_ID,
    SHAREABLE,
    BuiltinRole,
    EffectiveAccess,
    Level,
    builtin_role_id,
    check_permissions,
)
from waypost.schemas.org import GrantRead, ProjectRead, RoleRead, ShareRead, TeamRead, WorkspaceRead
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.repositories._common import insert_row, parse_id
from waypost.store.sql.tables import utcnow

__all__ = [
    "ORG_ADMIN_ROLE_ID",
    "AccessRepository",
    "forget_user",
    "keeping_an_admin",
    "on_new_user",
    "resolve_project_ref",
    "set_org_admin",
]

_BUILTIN: dict[uuid.UUID, BuiltinRole] = {builtin_role_id(r.level, r.name): r for r in BUILTIN_ROLES}
ORG_ADMIN_ROLE_ID = builtin_role_id(Level.ORGANIZATION, "Admin")
_ORG_MEMBER_ROLE_ID = builtin_role_id(Level.ORGANIZATION, "Member")
_WS_DEVELOPER_ROLE_ID = builtin_role_id(Level.WORKSPACE, "Developer")
#: What each shareable resource type lives in (for the "cross-workspace reference" checks).
_RESOURCE_TABLES = {
    "pipeline": db.pipelines,
    "run": db.pipeline_runs,
    "artifact": db.artifacts,
    "model": db.models,
    "stack": db.stacks,
}
#: Resources that live in a workspace rather than a project: shared with a workspace role.
_WORKSPACE_RESOURCES = frozenset({"stack"})


def resolve_project_ref(ref: str) -> tuple[str | None, str]:
    """``"workspace/project"`` → (workspace, project); a bare name → (None, name)."""
    workspace, sep, project = ref.partition("/")
    return (workspace, project) if sep else (None, ref)


class AccessRepository:
    """The organization's structure and who may do what in it."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    # -- workspaces ---------------------------------------------------------------------------

    def create_workspace(self, name: str, *, description: str | None = None) -> WorkspaceRead:
        """A new workspace, with a project named ``default`` and a stack named ``default`` in it."""
        from waypost.store.sql.repositories.stacks import create_default_stack

        try:
            with self._s.write() as s:
                row = insert_row(s, db.workspaces, name=name, description=description, artifact_prefix=name)
                insert_row(s, db.projects, workspace_id=row["id"], name=DEFAULT_NAME, description=None)
                create_default_stack(s, row["id"])
                return WorkspaceRead.model_validate(row)
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(f"A workspace named '{name}' exists already; pick another name.") from None
            raise

    def list_workspaces(self, ids: Iterable[uuid.UUID] | None = None) -> builtins.list[WorkspaceRead]:
        """Workspaces by name; only ``ids`` when given."""
        stmt = select(db.workspaces).order_by(db.workspaces.c.name)
        if ids is not None:
            stmt = stmt.where(db.workspaces.c.id.in_(list(ids)))
        with self._s.read_conn() as s:
            return [WorkspaceRead.model_validate(r) for r in s.execute(stmt)]

    def get_workspace(self, ref: str | uuid.UUID) -> WorkspaceRead:
        """A workspace by id or name."""
        with self._s.read_conn() as s:
            return WorkspaceRead.model_validate(_workspace_row(s, ref))

    def delete_workspace(self, ref: str | uuid.UUID) -> None:
        """Delete an empty workspace (its projects hold nothing) and every grant on it."""
        with self._s.write() as s:
            ws = _workspace_row(s, ref)
            if ws.id == DEFAULT_WORKSPACE_ID:
                raise ParameterError("The default workspace cannot be deleted; it holds what predates workspaces.")
            project_ids = list(s.scalars(select(db.projects.c.id).where(db.projects.c.workspace_id == ws.id)))
            busy = _project_contents(s, project_ids)
            if busy:
                raise ParameterError(
                    f"Workspace '{ws.name}' still holds {busy}; delete its projects' contents (or the projects) first."
                )
            s.execute(
                delete(db.grants).where(db.grants.c.scope_type == "project", db.grants.c.scope_id.in_(project_ids))
            )
            s.execute(delete(db.grants).where(db.grants.c.scope_type == "workspace", db.grants.c.scope_id == ws.id))
            s.execute(delete(db.workspaces).where(db.workspaces.c.id == ws.id))

    # -- projects -----------------------------------------------------------------------------

    def create_project(
        self, name: str, *, workspace: str | uuid.UUID | None = None, description: str | None = None
    ) -> ProjectRead:
        """A new project in ``workspace`` (the default workspace when None)."""
        with self._s.write() as s:
            ws = _workspace_row(s, workspace if workspace is not None else DEFAULT_WORKSPACE_ID)
            clash = s.scalar(
                select(db.projects.c.id).where(db.projects.c.workspace_id == ws.id, db.projects.c.name == name)
            )
            if clash is not None:
                raise ParameterError(f"Workspace '{ws.name}' has a project named '{name}' already; pick another name.")
            row = insert_row(s, db.projects, workspace_id=ws.id, name=name, description=description)
            return ProjectRead.model_validate({**row, "workspace": ws.name})

    def list_projects(
        self, *, workspace: str | uuid.UUID | None = None, ids: Iterable[uuid.UUID] | None = None
    ) -> builtins.list[ProjectRead]:
        """Projects by workspace and name; only those of ``workspace`` or ``ids`` when given."""
        stmt = _projects_select().order_by(db.workspaces.c.name, db.projects.c.name)
        with self._s.read_conn() as s:
            if workspace is not None:
                stmt = stmt.where(db.projects.c.workspace_id == _workspace_row(s, workspace).id)
            if ids is not None:
                stmt = stmt.where(db.projects.c.id.in_(list(ids)))
            return [ProjectRead.model_validate(r) for r in s.execute(stmt)]

    def get_project(self, ref: str | uuid.UUID) -> ProjectRead:
        """A project by id, ``workspace/name``, or name (in the default workspace, else the only one so named)."""
        with self._s.read_conn() as s:
            return _project(s, ref)

    def delete_project(self, ref: str | uuid.UUID) -> None:
        """Delete a project with everything in it (runs, pipelines, artifacts' records, models, tags)."""
        with self._s.write() as s:
            project = _project(s, ref)
            if project.id == DEFAULT_PROJECT_ID:
                raise ParameterError("The default project cannot be deleted; it holds what predates projects.")
            s.execute(delete(db.grants).where(db.grants.c.scope_type == "project", db.grants.c.scope_id == project.id))
            # Runs first: steps and artifact versions reference each other across tables.
            s.execute(delete(db.pipeline_runs).where(db.pipeline_runs.c.project_id == project.id))
            for table in (db.artifacts, db.models, db.pipelines, db.tags):
                s.execute(delete(table).where(table.c.project_id == project.id))
            s.execute(delete(db.projects).where(db.projects.c.id == project.id))

    def project_contents(self, ref: str | uuid.UUID) -> str:
        """What a project holds, in words ("3 runs, 1 model"), or "" when empty."""
        with self._s.read_conn() as s:
            return _project_contents(s, [_project(s, ref).id])

    # -- teams --------------------------------------------------------------------------------

    def create_team(self, name: str, *, description: str | None = None, members: Iterable[str] = ()) -> TeamRead:
        """A new team, with ``members`` (user names) in it."""
        try:
            with self._s.write() as s:
                user_ids = _user_ids(s, members)
                row = insert_row(s, db.teams, name=name, description=description)
                if user_ids:
                    s.execute(insert(db.team_members), [{"team_id": row["id"], "user_id": u} for u in user_ids])
                return _team(s, row["id"])
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(f"A team named '{name}' exists already; pick another name.") from None
            raise

    def list_teams(self) -> builtins.list[TeamRead]:
        """Teams by name, with their members' names (two queries)."""
        with self._s.read_conn() as s:
            rows = s.execute(select(db.teams).order_by(db.teams.c.name)).all()
            members = _members(s, [r.id for r in rows])
            return [TeamRead.model_validate({**r._mapping, "members": members[r.id]}) for r in rows]

    def get_team(self, ref: str | uuid.UUID) -> TeamRead:
        with self._s.read_conn() as s:
            return _team(s, _team_row(s, ref).id)

    def add_members(self, team: str | uuid.UUID, users: Iterable[str]) -> TeamRead:
        """Add users to a team; those already in it are left as they are."""
        with self._s.write() as s:
            team_id = _team_row(s, team).id
            user_ids = _user_ids(s, users)
            present = set(s.scalars(select(db.team_members.c.user_id).where(db.team_members.c.team_id == team_id)))
            new = [u for u in user_ids if u not in present]
            if new:
                s.execute(insert(db.team_members), [{"team_id": team_id, "user_id": u} for u in new])
            return _team(s, team_id)

    def remove_members(self, team: str | uuid.UUID, users: Iterable[str]) -> TeamRead:
        """Take users out of a team; refused when that leaves the organization without an Admin."""
        with self._s.write() as s:
            team_id = _team_row(s, team).id
            user_ids = _user_ids(s, users)
            tm = db.team_members
            with keeping_an_admin(s):
                s.execute(delete(tm).where(tm.c.team_id == team_id, tm.c.user_id.in_(user_ids)))
            return _team(s, team_id)

    def delete_team(self, ref: str | uuid.UUID) -> None:
        """Delete a team with its grants and shares."""
        with self._s.write() as s:
            team_id = _team_row(s, ref).id
            with keeping_an_admin(s):
                _delete_principal(s, "team", team_id)
                s.execute(delete(db.teams).where(db.teams.c.id == team_id))

    # -- roles --------------------------------------------------------------------------------

    def create_role(
        self, name: str, level: Level | str, permissions: Iterable[str], *, description: str | None = None
    ) -> RoleRead:
        """A custom role: any subset of the permissions, at one level."""
        level = _level(level)
        try:
            perms = check_permissions(set(permissions))
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        if not perms:
            raise ParameterError("A role needs at least one permission; see `waypost role permissions`.")
        name = name.strip()
        with self._s.write() as s:
            if _role_row_or_none(s, name, level) is not None:
                raise ParameterError(f"A {level.value} role named '{name}' exists already; pick another name.")
            row = insert_row(s, db.roles, name=name, level=level.value, builtin=False, description=description)
            s.execute(insert(db.role_permissions), [{"role_id": row["id"], "permission": p} for p in perms])
            return _role(s, row["id"])

    def list_roles(self, level: Level | str | None = None) -> builtins.list[RoleRead]:
        """Roles, built-in first, by level (widest first) and name."""
        stmt = select(db.roles)
        if level is not None:
            stmt = stmt.where(db.roles.c.level == _level(level).value)
        with self._s.read_conn() as s:
            rows = list(s.execute(stmt).all())
            perms = _custom_permissions(s, [r.id for r in rows if not r.builtin])
        order = {lv.value: i for i, lv in enumerate(LEVEL_ORDER)}
        rows.sort(key=lambda r: (not r.builtin, order[r.level], r.name.lower()))
        return [_role_read(r, perms) for r in rows]

    def get_role(self, ref: str | uuid.UUID, level: Level | str | None = None) -> RoleRead:
        """A role by id, or by name (and level, where names repeat across levels)."""
        with self._s.read_conn() as s:
            return _role(s, _role_row(s, ref, level).id)

    def update_role(
        self,
        ref: str | uuid.UUID,
        *,
        level: Level | str | None = None,
        permissions: Iterable[str] | None = None,
        description: str | None = None,
    ) -> RoleRead:
        """Change a custom role's permissions or description (built-in roles cannot change)."""
        with self._s.write() as s:
            row = _role_row(s, ref, level)
            if row.builtin:
                raise ParameterError(
                    f"'{row.name}' is a built-in role and cannot change; create a custom role instead."
                )
            if permissions is not None:
                try:
                    perms = check_permissions(set(permissions))
                except ValueError as exc:
                    raise ParameterError(str(exc)) from None
                if not perms:
                    raise ParameterError("A role needs at least one permission; delete the role instead.")
                s.execute(delete(db.role_permissions).where(db.role_permissions.c.role_id == row.id))
                s.execute(insert(db.role_permissions), [{"role_id": row.id, "permission": p} for p in perms])
            if description is not None:
                s.execute(update(db.roles).where(db.roles.c.id == row.id).values(description=description))
            return _role(s, row.id)

    def delete_role(self, ref: str | uuid.UUID, level: Level | str | None = None) -> None:
        """Delete a custom role that nobody holds any more."""
        with self._s.write() as s:
            row = _role_row(s, ref, level)
            if row.builtin:
                raise ParameterError(f"'{row.name}' is a built-in role and cannot be deleted.")
            held = (s.scalar(select(func.count()).select_from(db.grants).where(db.grants.c.role_id == row.id)) or 0) + (
                s.scalar(select(func.count()).select_from(db.shares).where(db.shares.c.role_id == row.id)) or 0
            )
            if held:
                raise ParameterError(
                    f"Role '{row.name}' is still granted or shared {held} time(s); revoke those first "
                    "(`waypost grant list --role ...`)."
                )
            s.execute(delete(db.roles).where(db.roles.c.id == row.id))

    # -- grants -------------------------------------------------------------------------------

    def grant(
        self,
        role: str | uuid.UUID,
        *,
        user: str | uuid.UUID | None = None,
        team: str | uuid.UUID | None = None,
        workspace: str | uuid.UUID | None = None,
        project: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> GrantRead:
        """Give ``role`` to a user or a team at the organization, a workspace or a project.

        The scope is the narrowest one named (none: the organization), and the role must be of that
        level. Granting what is held already returns the existing grant.
        """
        with self._s.write() as s:
            principal_type, principal_id, principal_ws = _principal(s, user, team)
            scope_type, scope_id, scope_ws = _scope(s, workspace, project)
            role_row = _role_row(s, role, scope_type)
            if role_row.level != scope_type.value:
                raise ParameterError(
                    f"'{role_row.name}' is {_a(role_row.level)} role, so it is granted on {_a(role_row.level)}; "
                    f"pick {_a(scope_type.value)} role for this scope (`waypost role list`)."
                )
            if principal_ws is not None and scope_ws != principal_ws:
                raise ParameterError(
                    "A service account acts only inside its own workspace; grant it a role there, "
                    "or create a service account in the other workspace."
                )
            g = db.grants
            found = s.scalar(
                select(g.c.id).where(
                    g.c.role_id == role_row.id,
                    g.c.principal_type == principal_type,
                    g.c.principal_id == principal_id,
                    g.c.scope_type == scope_type.value,
                    g.c.scope_id == scope_id,
                )
            )
            if found is None:
                row = insert_row(
                    s,
                    g,
                    role_id=role_row.id,
                    principal_type=principal_type,
                    principal_id=principal_id,
                    scope_type=scope_type.value,
                    scope_id=scope_id,
                    created_by=created_by,
                )
                found = row["id"]
                if role_row.id == ORG_ADMIN_ROLE_ID and principal_type == "user":
                    s.execute(update(db.users).where(db.users.c.id == principal_id).values(is_admin=True))
            return _grants(s, g.c.id == found)[0]

    def revoke(self, grant_id: uuid.UUID) -> GrantRead:
        """Take back one grant; refused when that leaves the organization without an active Admin."""
        with self._s.write() as s:
            found = _grants(s, db.grants.c.id == grant_id)
            if not found:
                raise NotFoundError(f"No grant '{grant_id}' exists; `waypost grant list` shows them.")
            grant = found[0]
            with keeping_an_admin(s):
                s.execute(delete(db.grants).where(db.grants.c.id == grant_id))
                if grant.role_id == ORG_ADMIN_ROLE_ID and grant.principal_type == "user":
                    s.execute(update(db.users).where(db.users.c.id == grant.principal_id).values(is_admin=False))
            return grant

    def get_grant(self, grant_id: uuid.UUID) -> GrantRead:
        """One grant by id."""
        with self._s.read_conn() as s:
            found = _grants(s, db.grants.c.id == grant_id)
        if not found:
            raise NotFoundError(f"No grant '{grant_id}' exists; `waypost grant list` shows them.")
        return found[0]

    def find_grant(
        self,
        role: str | uuid.UUID,
        *,
        user: str | uuid.UUID | None = None,
        team: str | uuid.UUID | None = None,
        workspace: str | uuid.UUID | None = None,
        project: str | uuid.UUID | None = None,
    ) -> GrantRead:
        """The grant of ``role`` to that user or team at that scope (for ``waypost revoke``)."""
        with self._s.read_conn() as s:
            principal_type, principal_id, _ = _principal(s, user, team)
            scope_type, scope_id, _ = _scope(s, workspace, project)
            role_row = _role_row(s, role, scope_type)
            g = db.grants
            found = _grants(
                s,
                and_(
                    g.c.role_id == role_row.id,
                    g.c.principal_type == principal_type,
                    g.c.principal_id == principal_id,
                    g.c.scope_type == scope_type.value,
                    g.c.scope_id == scope_id,
                ),
            )
        if not found:
            raise NotFoundError(
                f"No grant of '{role_row.name}' to that {principal_type} at this {scope_type.value} exists; "
                "`waypost grant list` shows the grants."
            )
        return found[0]

    def list_grants(
        self,
        *,
        user: str | uuid.UUID | None = None,
        team: str | uuid.UUID | None = None,
        workspace: str | uuid.UUID | None = None,
        project: str | uuid.UUID | None = None,
        role: str | uuid.UUID | None = None,
        scope_ids: Iterable[uuid.UUID] | None = None,
    ) -> builtins.list[GrantRead]:
        """Grants, optionally of one principal, at one scope (exactly), at any of ``scope_ids``, or of one role."""
        g = db.grants
        conds: list[Any] = []
        if scope_ids is not None:
            conds.append(g.c.scope_id.in_(list(scope_ids)))
        with self._s.read_conn() as s:
            if user is not None or team is not None:
                principal_type, principal_id, _ = _principal(s, user, team)
                conds += [g.c.principal_type == principal_type, g.c.principal_id == principal_id]
            if workspace is not None or project is not None:
                scope_type, scope_id, _ = _scope(s, workspace, project)
                conds += [g.c.scope_type == scope_type.value, g.c.scope_id == scope_id]
            if role is not None:
                conds.append(g.c.role_id == _role_row(s, role, None).id)
            return _grants(s, and_(*conds) if conds else None)

    # -- shares -------------------------------------------------------------------------------

    def share(
        self,
        resource_type: str,
        resource_id: uuid.UUID,
        *,
        role: str | uuid.UUID = "Viewer",
        user: str | uuid.UUID | None = None,
        team: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> ShareRead:
        """Share one resource with a user or a team (replacing an earlier share).

        The role is a project-level one, or a workspace-level one for a stack (Viewer, Stack Admin).
        """
        if resource_type not in _RESOURCE_TABLES:
            shareable = ", ".join(t for t in SHAREABLE if t in _RESOURCE_TABLES)
            raise ParameterError(f"Cannot share a '{resource_type}'; shareable resources are {shareable}.")
        with self._s.write() as s:
            table = _RESOURCE_TABLES[resource_type]
            if s.scalar(select(table.c.id).where(table.c.id == resource_id)) is None:
                raise NotFoundError(f"No {resource_type} '{resource_id}' exists; check the id.")
            principal_type, principal_id, principal_ws = _principal(s, user, team)
            level = Level.WORKSPACE if resource_type in _WORKSPACE_RESOURCES else Level.PROJECT
            role_row = _role_row(s, role, level)
            if role_row.level != level.value:
                examples = (
                    "Viewer, Stack Admin" if level is Level.WORKSPACE else "Viewer, Contributor, Developer, Admin"
                )
                raise ParameterError(
                    f"A {resource_type} is shared with a {level.value} role ({examples}); '{role}' is not one."
                )
            if principal_ws is not None and principal_ws != _resource_workspace(s, resource_type, resource_id):
                raise ParameterError("A service account sees only its own workspace; share with one of that workspace.")
            sh = db.shares
            where = and_(
                sh.c.resource_type == resource_type,
                sh.c.resource_id == resource_id,
                sh.c.principal_type == principal_type,
                sh.c.principal_id == principal_id,
            )
            s.execute(delete(sh).where(where))
            insert_row(
                s,
                sh,
                resource_type=resource_type,
                resource_id=resource_id,
                principal_type=principal_type,
                principal_id=principal_id,
                role_id=role_row.id,
                created_by=created_by,
            )
            return _shares(s, where)[0]

    def unshare(self, share_id: uuid.UUID) -> ShareRead:
        with self._s.write() as s:
            found = _shares(s, db.shares.c.id == share_id)
            if not found:
                raise NotFoundError(f"No share '{share_id}' exists; list the resource's shares to see them.")
            s.execute(delete(db.shares).where(db.shares.c.id == share_id))
            return found[0]

    def list_shares(self, resource_type: str, resource_id: uuid.UUID) -> builtins.list[ShareRead]:
        sh = db.shares
        with self._s.read_conn() as s:
            return _shares(s, and_(sh.c.resource_type == resource_type, sh.c.resource_id == resource_id))

    # -- what a user may do -------------------------------------------------------------------

    def effective(self, user_id: uuid.UUID) -> EffectiveAccess:
        """Every permission ``user_id`` holds and where (two queries: grants, then shares)."""
        g, r, rp, sh = db.grants, db.roles, db.role_permissions, db.shares
        teams = select(db.team_members.c.team_id).where(db.team_members.c.user_id == user_id).scalar_subquery()
        org: set[str] = set()
        workspaces: dict[uuid.UUID, set[str]] = defaultdict(set)
        projects: dict[uuid.UUID, set[str]] = defaultdict(set)
        shares: dict[tuple[str, uuid.UUID], set[str]] = defaultdict(set)
        with self._s.read_conn() as s:
            grant_rows = s.execute(
                select(g.c.scope_type, g.c.scope_id, g.c.role_id, rp.c.permission)
                .join(r, r.c.id == g.c.role_id)
                .outerjoin(rp, rp.c.role_id == g.c.role_id)
                .where(_held_by(g, user_id, teams))
            ).all()
            share_rows = s.execute(
                select(sh.c.resource_type, sh.c.resource_id, sh.c.role_id, rp.c.permission)
                .outerjoin(rp, rp.c.role_id == sh.c.role_id)
                .where(_held_by(sh, user_id, teams))
            ).all()
        for scope_type, scope_id, role_id, perm in grant_rows:
            perms = _BUILTIN[role_id].permissions if role_id in _BUILTIN else ([perm] if perm else [])
            target = (
                org
                if scope_type == "organization"
                else (workspaces if scope_type == "workspace" else projects)[scope_id]
            )
            target.update(perms)
        for resource_type, resource_id, role_id, perm in share_rows:
            perms = _BUILTIN[role_id].permissions if role_id in _BUILTIN else ([perm] if perm else [])
            shares[(resource_type, resource_id)].update(p for p in perms if p.startswith(f"{resource_type}:"))
        return EffectiveAccess(
            frozenset(org),
            {k: frozenset(v) for k, v in workspaces.items()},
            {k: frozenset(v) for k, v in projects.items()},
            {k: frozenset(v) for k, v in shares.items()},
        )

    def explain(self, user_id: uuid.UUID) -> builtins.list[dict[str, Any]]:
        """Where each of a user's permissions comes from: one entry per grant or share, with its role's permissions."""
        g, sh = db.grants, db.shares
        with self._s.read_conn() as s:
            teams = select(db.team_members.c.team_id).where(db.team_members.c.user_id == user_id).scalar_subquery()
            grants = _grants(s, _held_by(g, user_id, teams))
            shares = _shares(s, _held_by(sh, user_id, teams))
            role_ids = {x.role_id for x in grants} | {x.role_id for x in shares}
            roles = {r.id: r for r in (_role(s, i) for i in role_ids)}
        out: list[dict[str, Any]] = [
            {
                "kind": "grant",
                "role": x.role,
                "level": x.level.value,
                "scope_type": x.scope_type.value,
                "scope_id": str(x.scope_id),
                "scope": x.scope,
                "via": "direct" if x.principal_type == "user" else f"team {x.principal}",
                "permissions": roles[x.role_id].permissions,
            }
            for x in grants
        ]
        out += [
            {
                "kind": "share",
                "role": x.role,
                "level": "resource",
                "scope_type": x.resource_type,
                "scope_id": str(x.resource_id),
                "scope": f"{x.resource_type} {x.resource_id}",
                "via": "direct" if x.principal_type == "user" else f"team {x.principal}",
                "permissions": [p for p in roles[x.role_id].permissions if p.startswith(f"{x.resource_type}:")],
            }
            for x in shares
        ]
        return out

    def project_workspace(self, project_id: uuid.UUID) -> uuid.UUID | None:
        """The workspace of a project (None when there is no such project)."""
        with self._s.read_conn() as s:
            ws: uuid.UUID | None = s.scalar(select(db.projects.c.workspace_id).where(db.projects.c.id == project_id))
            return ws


def on_new_user(s: Connection, user_id: uuid.UUID, *, is_admin: bool, workspace_id: uuid.UUID | None) -> None:
    """The grants a new user starts with, written in the user's own transaction.

    An admin: organization Admin. A person: organization Member and Developer of the default
    workspace (what every user could do before roles existed). A service account: Developer of
    its workspace.
    """
    rows: list[dict[str, Any]] = []

    def add(role_id: uuid.UUID, scope_type: str, scope_id: uuid.UUID) -> None:
        rows.append(
            {
                "id": uuid.uuid4(),
                "role_id": role_id,
                "principal_type": "user",
                "principal_id": user_id,
                "scope_type": scope_type,
                "scope_id": scope_id,
                "created_at": utcnow(),
            }
        )

    if is_admin:
        add(ORG_ADMIN_ROLE_ID, "organization", ORGANIZATION_ID)
    elif workspace_id is not None:
        add(_WS_DEVELOPER_ROLE_ID, "workspace", workspace_id)
    else:
        add(_ORG_MEMBER_ROLE_ID, "organization", ORGANIZATION_ID)
        add(_WS_DEVELOPER_ROLE_ID, "workspace", DEFAULT_WORKSPACE_ID)
    s.execute(insert(db.grants), rows)


def set_org_admin(s: Connection, user_id: uuid.UUID, admin: bool) -> None:
    """Grant or revoke organization Admin for a user, in the caller's transaction."""
    g = db.grants
    held = s.scalar(
        select(g.c.id).where(
            g.c.role_id == ORG_ADMIN_ROLE_ID, g.c.principal_type == "user", g.c.principal_id == user_id
        )
    )
    if admin and held is None:
        insert_row(
            s,
            g,
            role_id=ORG_ADMIN_ROLE_ID,
            principal_type="user",
            principal_id=user_id,
            scope_type="organization",
            scope_id=ORGANIZATION_ID,
        )
    elif not admin and held is not None:
        s.execute(delete(g).where(g.c.id == held))
    s.execute(update(db.users).where(db.users.c.id == user_id).values(is_admin=admin))


def forget_user(s: Connection, user_id: uuid.UUID) -> None:
    """Delete a user's grants and shares, in the caller's transaction (before the user row goes)."""
    _delete_principal(s, "user", user_id)


@contextmanager
def keeping_an_admin(s: Connection) -> Iterator[None]:
    """Refuse (and so roll back) a change in ``s`` that takes the organization's last active Admin away.

    Only a change that removes the last one is refused: a store that never had an Admin (a laptop's)
    is left alone.
    """
    before = _admin_count(s)
    yield
    if before and not _admin_count(s):
        raise ParameterError(
            "That would leave the organization without an active Admin; make someone else Admin first "
            "(`waypost grant Admin --user NAME`)."
        )


# -- helpers --------------------------------------------------------------------------------------


def _a(word: str) -> str:
    """``word`` with its indefinite article ("an organization", "a project")."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _level(level: Level | str) -> Level:
    try:
        return Level(str(level).lower())
    except ValueError:
        raise ParameterError(f"Unknown level '{level}'; use organization, workspace or project.") from None


def _held_by(table: Any, user_id: uuid.UUID, teams: Any) -> Any:
    """Rows of grants or shares held by the user directly or through one of its teams."""
    return or_(
        and_(table.c.principal_type == "user", table.c.principal_id == user_id),
        and_(table.c.principal_type == "team", table.c.principal_id.in_(teams)),
    )


def _admin_count(s: Connection) -> int:
    """Active users holding organization Admin, directly or through a team."""
    g, u, tm = db.grants, db.users, db.team_members
    admin_grants = and_(g.c.role_id == ORG_ADMIN_ROLE_ID, g.c.scope_type == "organization")
    direct = select(g.c.principal_id).where(admin_grants, g.c.principal_type == "user")
    via_team = (
        select(tm.c.user_id)
        .join(g, and_(g.c.principal_type == "team", g.c.principal_id == tm.c.team_id))
        .where(admin_grants)
    )
    count = s.scalar(
        select(func.count())
        .select_from(u)
        .where(u.c.is_active.is_(True), or_(u.c.id.in_(direct), u.c.id.in_(via_team)))
    )
    return count or 0


def _workspace_row(s: Connection, ref: str | uuid.UUID) -> Any:
    ws = db.workspaces
    rid = parse_id(ref)
    row = s.execute(select(ws).where(ws.c.id == rid if rid is not None else ws.c.name == str(ref))).first()
    if row is None:
        raise NotFoundError(f"No workspace '{ref}' exists; `waypost workspace list` shows them.")
    return row


def _projects_select() -> Any:
    return select(*db.projects.c, db.workspaces.c.name.label("workspace")).join(
        db.workspaces, db.workspaces.c.id == db.projects.c.workspace_id
    )


def _project(s: Connection, ref: str | uuid.UUID) -> ProjectRead:
    p = db.projects
    rid = parse_id(ref)
    if rid is not None:
        rows = s.execute(_projects_select().where(p.c.id == rid)).all()
    else:
        workspace, name = resolve_project_ref(str(ref))
        stmt = _projects_select().where(p.c.name == name)
        if workspace is not None:
            stmt = stmt.where(db.workspaces.c.name == workspace)
        rows = s.execute(stmt).all()
        if len(rows) > 1:
            in_default = [r for r in rows if r.workspace_id == DEFAULT_WORKSPACE_ID]
            if not in_default:
                where = ", ".join(sorted(f"{r.workspace}/{r.name}" for r in rows))
                raise ParameterError(f"Several projects are named '{name}' ({where}); name one as workspace/project.")
            rows = in_default
    if not rows:
        raise NotFoundError(f"No project '{ref}' exists; `waypost project list` shows them.")
    return ProjectRead.model_validate(rows[0])


def _project_contents(s: Connection, project_ids: list[uuid.UUID]) -> str:
    if not project_ids:
        return ""
    parts = []
    for label, table in (
        ("runs", db.pipeline_runs),
        ("pipelines", db.pipelines),
        ("artifacts", db.artifacts),
        ("models", db.models),
    ):
        n = s.scalar(select(func.count()).select_from(table).where(table.c.project_id.in_(project_ids))) or 0
        if n:
            parts.append(f"{n} {label}")
    return ", ".join(parts)


def _team_row(s: Connection, ref: str | uuid.UUID) -> Any:
    t = db.teams
    rid = parse_id(ref)
    row = s.execute(select(t).where(t.c.id == rid if rid is not None else t.c.name == str(ref))).first()
    if row is None:
        raise NotFoundError(f"No team '{ref}' exists; `waypost team list` shows them.")
    return row


def _team(s: Connection, team_id: uuid.UUID) -> TeamRead:
    row = _team_row(s, team_id)
    return TeamRead.model_validate({**row._mapping, "members": _members(s, [team_id])[team_id]})


def _members(s: Connection, team_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    out: dict[uuid.UUID, list[str]] = {t: [] for t in team_ids}
    if team_ids:
        rows = s.execute(
            select(db.team_members.c.team_id, db.users.c.name)
            .join(db.users, db.users.c.id == db.team_members.c.user_id)
            .where(db.team_members.c.team_id.in_(team_ids))
            .order_by(db.users.c.name)
        )
        for team_id, name in rows:
            out[team_id].append(name)
    return out


def _user_ids(s: Connection, names: Iterable[str]) -> list[uuid.UUID]:
    wanted = sorted({n.strip() for n in names if n and n.strip()})
    if not wanted:
        return []
    found = dict(s.execute(select(db.users.c.name, db.users.c.id).where(db.users.c.name.in_(wanted))).all())
    missing = [n for n in wanted if n not in found]
    if missing:
        raise NotFoundError(f"No user '{missing[0]}' exists; `waypost user list` shows the users.")
    return [found[n] for n in wanted]


def _principal(
    s: Connection, user: str | uuid.UUID | None, team: str | uuid.UUID | None
) -> tuple[str, uuid.UUID, uuid.UUID | None]:
    """(type, id, workspace of a service account) for exactly one of ``user`` and ``team``."""
    if (user is None) == (team is None):
        raise ParameterError("Name exactly one of a user (--user) or a team (--team).")
    if team is not None:
        return "team", _team_row(s, team).id, None
    u = db.users
    assert user is not None
    rid = parse_id(user)
    row = s.execute(
        select(u.c.id, u.c.workspace_id).where(u.c.id == rid if rid is not None else u.c.name == str(user))
    ).first()
    if row is None:
        raise NotFoundError(f"No user '{user}' exists; `waypost user list` shows the users.")
    return "user", row.id, row.workspace_id


def _scope(
    s: Connection, workspace: str | uuid.UUID | None, project: str | uuid.UUID | None
) -> tuple[Level, uuid.UUID, uuid.UUID | None]:
    """(level, id, workspace id) of the narrowest scope named; the organization when none is."""
    if project is not None:
        if workspace is not None and isinstance(project, str) and "/" not in project and parse_id(project) is None:
            project = f"{_workspace_row(s, workspace).name}/{project}"
        found = _project(s, project)
        if workspace is not None and _workspace_row(s, workspace).id != found.workspace_id:
            raise ParameterError(f"Project '{found.path}' is not in workspace '{workspace}'; name one that is.")
        return Level.PROJECT, found.id, found.workspace_id
    if workspace is not None:
        ws = _workspace_row(s, workspace)
        return Level.WORKSPACE, ws.id, ws.id
    return Level.ORGANIZATION, ORGANIZATION_ID, None


def _role_row_or_none(s: Connection, name: str, level: Level) -> Any:
    r = db.roles
    rows = s.execute(select(r).where(r.c.level == level.value, func.lower(r.c.name) == name.lower())).all()
    return rows[0] if rows else None


def _role_row(s: Connection, ref: str | uuid.UUID, level: Level | str | None) -> Any:
    """A role by id, or by name at ``level`` (or at the only level that has one so named)."""
    r = db.roles
    rid = parse_id(ref)
    if rid is not None:
        row = s.execute(select(r).where(r.c.id == rid)).first()
        if row is None:
            raise NotFoundError(f"No role '{ref}' exists; `waypost role list` shows them.")
        return row
    name = str(ref).strip()
    rows = s.execute(select(r).where(func.lower(r.c.name) == name.lower())).all()
    if level is not None:
        exact = [x for x in rows if x.level == _level(level).value]
        if exact:
            return exact[0]
        if rows:
            levels = ", ".join(sorted({x.level for x in rows}))
            raise ParameterError(
                f"Role '{name}' exists at the {levels} level, not the {_level(level).value} level; "
                f"grant it on {_a(levels)} or pick {_a(_level(level).value)} role."
            )
    if not rows:
        raise NotFoundError(f"No role '{ref}' exists; `waypost role list` shows them.")
    if len(rows) > 1:
        levels = ", ".join(x.level for x in rows)
        raise ParameterError(f"Several roles are named '{name}' ({levels}); say which level.")
    return rows[0]


def _custom_permissions(s: Connection, role_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    out: dict[uuid.UUID, list[str]] = {i: [] for i in role_ids}
    if role_ids:
        rp = db.role_permissions
        for role_id, perm in s.execute(select(rp.c.role_id, rp.c.permission).where(rp.c.role_id.in_(role_ids))):
            out[role_id].append(perm)
    return {k: check_permissions(v) for k, v in out.items()}


def _role_read(row: Any, custom: dict[uuid.UUID, list[str]]) -> RoleRead:
    perms = _BUILTIN[row.id].permissions if row.builtin and row.id in _BUILTIN else custom.get(row.id, [])
    return RoleRead.model_validate({**row._mapping, "permissions": perms})


def _role(s: Connection, role_id: uuid.UUID) -> RoleRead:
    row = s.execute(select(db.roles).where(db.roles.c.id == role_id)).first()
    if row is None:
        raise NotFoundError(f"No role '{role_id}' exists; `waypost role list` shows them.")
    return _role_read(row, _custom_permissions(s, [] if row.builtin else [row.id]))


def _principal_names(s: Connection, rows: Iterable[Any]) -> dict[tuple[str, uuid.UUID], str]:
    rows = list(rows)
    users = {x.principal_id for x in rows if x.principal_type == "user"}
    teams = {x.principal_id for x in rows if x.principal_type == "team"}
    out: dict[tuple[str, uuid.UUID], str] = {}
    if users:
        for i, n in s.execute(select(db.users.c.id, db.users.c.name).where(db.users.c.id.in_(users))):
            out[("user", i)] = n
    if teams:
        for i, n in s.execute(select(db.teams.c.id, db.teams.c.name).where(db.teams.c.id.in_(teams))):
            out[("team", i)] = n
    return out


def _grants(s: Connection, where: Any) -> builtins.list[GrantRead]:
    g, r = db.grants, db.roles
    stmt = select(g, r.c.name.label("role"), r.c.level).join(r, r.c.id == g.c.role_id)
    if where is not None:
        stmt = stmt.where(where)
    rows = s.execute(stmt.order_by(g.c.created_at)).all()
    names = _principal_names(s, rows)
    ws_ids = {x.scope_id for x in rows if x.scope_type == "workspace"}
    pr_ids = {x.scope_id for x in rows if x.scope_type == "project"}
    scopes: dict[uuid.UUID, str] = {ORGANIZATION_ID: "organization"}
    if ws_ids:
        scopes.update(
            s.execute(select(db.workspaces.c.id, db.workspaces.c.name).where(db.workspaces.c.id.in_(ws_ids))).all()
        )
    if pr_ids:
        for p in s.execute(_projects_select().where(db.projects.c.id.in_(pr_ids))):
            scopes[p.id] = f"{p.workspace}/{p.name}"
    return [
        GrantRead.model_validate(
            {
                **x._mapping,
                "principal": names.get((x.principal_type, x.principal_id), str(x.principal_id)),
                "scope": scopes.get(x.scope_id, str(x.scope_id)),
            }
        )
        for x in rows
    ]


def _shares(s: Connection, where: Any) -> builtins.list[ShareRead]:
    sh, r = db.shares, db.roles
    rows = s.execute(
        select(sh, r.c.name.label("role")).join(r, r.c.id == sh.c.role_id).where(where).order_by(sh.c.created_at)
    ).all()
    names = _principal_names(s, rows)
    return [
        ShareRead.model_validate(
            {**x._mapping, "principal": names.get((x.principal_type, x.principal_id), str(x.principal_id))}
        )
        for x in rows
    ]


def _resource_workspace(s: Connection, resource_type: str, resource_id: uuid.UUID) -> uuid.UUID | None:
    table = _RESOURCE_TABLES[resource_type]
    if resource_type in _WORKSPACE_RESOURCES:
        own: uuid.UUID | None = s.scalar(select(table.c.workspace_id).where(table.c.id == resource_id))
        return own
    ws: uuid.UUID | None = s.scalar(
        select(db.projects.c.workspace_id)
        .join(table, table.c.project_id == db.projects.c.id)
        .where(table.c.id == resource_id)
    )
    return ws


def _delete_principal(s: Connection, principal_type: str, principal_id: uuid.UUID) -> None:
    for table in (db.grants, db.shares):
        s.execute(delete(table).where(table.c.principal_type == principal_type, table.c.principal_id == principal_id))
