"""Access control on the wire: permissions, the built-in roles, and the rules that combine grants.

A permission is a resource type and an action, written ``"run:delete"``. A role is a named set
of permissions at one level: organization, workspace or project. A grant gives a role to a user,
a team or a service account at one scope (the organization, a workspace or a project); a grant
at a wider scope holds for everything below it. A share gives a role on one resource (a run, an
artifact, a model, a pipeline) to a user or a team.

This module is the one definition of what each built-in role may do; the server's permission
check and the store's SQL filters both read it, and so do the CLI and the dashboard.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Final

__all__ = [
    "ACTIONS",
    "BUILTIN_ROLES",
    "DEFAULT_NAME",
    "DEFAULT_PROJECT_ID",
    "DEFAULT_WORKSPACE_ID",
    "EVERYTHING",
    "ORGANIZATION_ID",
    "PERMISSIONS",
    "PROJECT_HEADER",
    "RESOURCE_TYPES",
    "SHAREABLE",
    "BuiltinRole",
    "EffectiveAccess",
    "Level",
    "Visibility",
    "builtin_role_id",
    "check_permissions",
    "covers",
    "permission",
]


class Level(StrEnum):
    """Where a role applies; a grant's scope is one of these."""

    ORGANIZATION = "organization"
    WORKSPACE = "workspace"
    PROJECT = "project"


#: Ids every server shares, so that a migration, a column default and a client can name them.
_NAMESPACE: Final = uuid.UUID("5f0c4c6e-7a51-4d8e-9a43-2b1f3c7d9e10")
ORGANIZATION_ID: Final = uuid.uuid5(_NAMESPACE, "organization")
DEFAULT_WORKSPACE_ID: Final = uuid.uuid5(_NAMESPACE, "workspace:default")
DEFAULT_PROJECT_ID: Final = uuid.uuid5(_NAMESPACE, "project:default")
#: The HTTP header naming the project a request works in ("workspace/project", a name, or an id).
PROJECT_HEADER: Final = "X-Waypost-Project"
#: The name of the workspace and of the project that hold everything made before access control.
DEFAULT_NAME: Final = "default"


#: The order of levels from widest to narrowest: a grant at one holds for those after it.
LEVEL_ORDER: Final = (Level.ORGANIZATION, Level.WORKSPACE, Level.PROJECT)

#: What a permission may act on, and which actions each admits.
RESOURCE_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "organization": ("read", "update"),
    "usage": ("read",),
    "member": ("read", "manage_members"),
    "team": ("read", "create", "update", "delete", "manage_members"),
    "role": ("read", "create", "update", "delete"),
    "workspace": ("read", "create", "update", "delete", "manage_members"),
    "project": ("read", "create", "update", "delete", "manage_members"),
    "service_account": ("read", "create", "update", "delete"),
    "pipeline": ("read", "create", "update", "delete", "share", "run"),
    "run": ("read", "create", "update", "delete", "share", "run"),
    "artifact": ("read", "create", "update", "delete", "share"),
    "model": ("read", "create", "update", "delete", "share", "approve", "promote"),
    "stack": ("read", "create", "update", "delete", "share"),
    "secret": ("read", "create", "update", "delete"),
    "audit_log": ("read",),
}

ACTIONS: Final = (
    "read",
    "create",
    "update",
    "delete",
    "share",
    "run",
    "approve",
    "promote",
    "manage_members",
)

#: Every permission there is, in catalogue order.
PERMISSIONS: Final[tuple[str, ...]] = tuple(f"{r}:{a}" for r, actions in RESOURCE_TYPES.items() for a in actions)
_KNOWN: Final = frozenset(PERMISSIONS)

#: Resources a single one of which can be shared with a user or a team.
SHAREABLE: Final = ("pipeline", "run", "artifact", "model", "stack")

#: Resource types that live inside a project (each row belongs to exactly one).
PROJECT_RESOURCES: Final = ("pipeline", "run", "artifact", "model")
#: Resource types that live inside a workspace (and so also fit project-level roles' reads).
WORKSPACE_RESOURCES: Final = ("project", "service_account", "stack", "secret", *PROJECT_RESOURCES)


def permission(resource_type: str, action: str) -> str:
    """The permission string for ``action`` on ``resource_type``; ValueError when there is none."""
    name = f"{resource_type}:{action}"
    if name not in _KNOWN:
        raise ValueError(f"Unknown permission '{name}'; see `waypost role permissions` for the list.")
    return name


def check_permissions(names: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """``names`` sorted in catalogue order; ValueError naming the first unknown one."""
    unknown = sorted(n for n in names if n not in _KNOWN)
    if unknown:
        raise ValueError(f"Unknown permission '{unknown[0]}'; see `waypost role permissions` for the list.")
    wanted = set(names)
    return [p for p in PERMISSIONS if p in wanted]


def _all(resource_types: tuple[str, ...] | list[str], actions: tuple[str, ...] | None = None) -> set[str]:
    out: set[str] = set()
    for r in resource_types:
        for a in RESOURCE_TYPES[r]:
            if actions is None or a in actions:
                out.add(f"{r}:{a}")
    return out


class BuiltinRole:
    """A role that every server has; it cannot be changed or deleted."""

    def __init__(self, name: str, level: Level, description: str, permissions: set[str]) -> None:
        self.name = name
        self.level = level
        self.description = description
        self.permissions = check_permissions(permissions)

    def __repr__(self) -> str:
        return f"<role {self.level.value}/{self.name}>"


_WORK = ("pipeline", "run", "artifact", "model")
_READ_ALL_WORKSPACE = _all(list(WORKSPACE_RESOURCES), ("read",)) - {"secret:read"} | {"workspace:read"}
_READ_ALL_PROJECT = _all(list(PROJECT_RESOURCES), ("read",)) | {"project:read"}
_DIRECTORY = {"member:read", "team:read", "role:read", "organization:read"}

_PROJECT_DEVELOPER = _READ_ALL_PROJECT | _all(_WORK, ("create", "update", "delete", "share", "run", "promote"))
_PROJECT_CONTRIBUTOR = _READ_ALL_PROJECT | _all(_WORK, ("create", "update", "run"))

#: The built-in roles, by level and name. Names are what users type: ``waypost grant Developer …``.
BUILTIN_ROLES: Final[tuple[BuiltinRole, ...]] = (
    BuiltinRole("Admin", Level.ORGANIZATION, "Everything, everywhere, including members and roles.", set(PERMISSIONS)),
    BuiltinRole(
        "Manager",
        Level.ORGANIZATION,
        "Runs the organization: workspaces, projects, teams and members; reads everything.",
        _all(["organization", "usage", "member", "team", "role", "workspace", "project", "service_account"])
        | _all(list(WORKSPACE_RESOURCES), ("read",))
        | {"audit_log:read"},
    ),
    BuiltinRole(
        "Viewer",
        Level.ORGANIZATION,
        "Reads every workspace and project; changes nothing.",
        _DIRECTORY | _READ_ALL_WORKSPACE,
    ),
    BuiltinRole(
        "Billing Admin", Level.ORGANIZATION, "Reads the organization and its usage.", _DIRECTORY | {"usage:read"}
    ),
    BuiltinRole(
        "Member",
        Level.ORGANIZATION,
        "Belongs to the organization: sees its members, teams and roles; workspaces need their own grant.",
        _DIRECTORY,
    ),
    BuiltinRole(
        "Admin",
        Level.WORKSPACE,
        "Everything in the workspace, including its members, projects, stacks and secrets.",
        _all(list(WORKSPACE_RESOURCES))
        | {"workspace:read", "workspace:update", "workspace:manage_members"}
        | _all(["project"])
        | {"role:read", "member:read", "team:read"},
    ),
    BuiltinRole(
        "Developer",
        Level.WORKSPACE,
        "Creates projects and works in all of them: runs, changes and deletes pipelines, artifacts and models.",
        _READ_ALL_WORKSPACE | {"project:create", "project:update"} | _PROJECT_DEVELOPER | {"stack:read"},
    ),
    BuiltinRole(
        "Contributor",
        Level.WORKSPACE,
        "Runs pipelines and adds to every project; deletes nothing.",
        _READ_ALL_WORKSPACE | _PROJECT_CONTRIBUTOR,
    ),
    BuiltinRole("Viewer", Level.WORKSPACE, "Reads every project of the workspace.", set(_READ_ALL_WORKSPACE)),
    BuiltinRole(
        "Stack Admin",
        Level.WORKSPACE,
        "Manages the workspace's stacks, components and secrets; reads its projects.",
        _READ_ALL_WORKSPACE | _all(["stack", "secret"]),
    ),
    BuiltinRole(
        "Admin",
        Level.PROJECT,
        "Everything in the project, including who may use it.",
        _all(list(PROJECT_RESOURCES)) | {"project:read", "project:update", "project:delete", "project:manage_members"},
    ),
    BuiltinRole("Developer", Level.PROJECT, "Runs, changes and deletes the project's work.", _PROJECT_DEVELOPER),
    BuiltinRole(
        "Contributor", Level.PROJECT, "Runs pipelines and adds to the project; deletes nothing.", _PROJECT_CONTRIBUTOR
    ),
    BuiltinRole("Viewer", Level.PROJECT, "Reads the project.", set(_READ_ALL_PROJECT)),
)


def builtin_role(level: Level | str, name: str) -> BuiltinRole | None:
    """The built-in role ``name`` at ``level`` (names match without regard to case)."""
    for role in BUILTIN_ROLES:
        if role.level == level and role.name.lower() == name.lower():
            return role
    return None


def builtin_role_id(level: Level | str, name: str) -> uuid.UUID:
    """The fixed id of the built-in role ``name`` at ``level`` (the same on every server)."""
    return uuid.uuid5(_NAMESPACE, f"role:{Level(level).value}:{name}")


def covers(grant_level: Level | str, target_level: Level | str) -> bool:
    """Whether a grant at ``grant_level`` holds at ``target_level`` (wider scopes inherit down)."""
    return LEVEL_ORDER.index(Level(grant_level)) <= LEVEL_ORDER.index(Level(target_level))


class Visibility:
    """Which rows of a project resource a caller may see with one permission, as SQL can filter them.

    ``everything`` (an organization-wide grant) or the union of: every project of ``workspace_ids``,
    the projects ``project_ids``, and the single resources ``shared_ids`` shared with the caller.
    """

    __slots__ = ("everything", "project_ids", "shared_ids", "workspace_ids")

    def __init__(
        self,
        *,
        everything: bool = False,
        workspace_ids: frozenset[uuid.UUID] = frozenset(),
        project_ids: frozenset[uuid.UUID] = frozenset(),
        shared_ids: frozenset[uuid.UUID] = frozenset(),
    ) -> None:
        self.everything = everything
        self.workspace_ids = workspace_ids
        self.project_ids = project_ids
        self.shared_ids = shared_ids

    @property
    def nothing(self) -> bool:
        """Whether the caller sees no row at all."""
        return not (self.everything or self.workspace_ids or self.project_ids or self.shared_ids)

    def __repr__(self) -> str:
        if self.everything:
            return "Visibility(everything)"
        return (
            f"Visibility(workspaces={len(self.workspace_ids)}, projects={len(self.project_ids)}, "
            f"shared={len(self.shared_ids)})"
        )


EVERYTHING: Final = Visibility(everything=True)


class EffectiveAccess:
    """Every permission one user holds, and where: the one answer the whole server asks.

    Built by the access repository from the user's grants (direct and through teams) and shares;
    wider scopes hold below them, so a workspace grant covers each of its projects.
    """

    __slots__ = ("organization", "projects", "shares", "workspaces")

    def __init__(
        self,
        organization: frozenset[str],
        workspaces: dict[uuid.UUID, frozenset[str]],
        projects: dict[uuid.UUID, frozenset[str]],
        shares: dict[tuple[str, uuid.UUID], frozenset[str]],
    ) -> None:
        self.organization = organization
        self.workspaces = workspaces
        self.projects = projects
        self.shares = shares

    def can(
        self,
        permission: str,
        *,
        workspace_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
        resource: tuple[str, uuid.UUID] | None = None,
    ) -> bool:
        """Whether ``permission`` holds at the organization, or in this workspace, project or resource."""
        if permission in self.organization:
            return True
        if workspace_id is not None and permission in self.workspaces.get(workspace_id, ()):
            return True
        if project_id is not None and permission in self.projects.get(project_id, ()):
            return True
        return resource is not None and permission in self.shares.get(resource, ())

    def anywhere(self, permission: str) -> bool:
        """Whether ``permission`` holds at some scope or on some resource (to show a menu, say)."""
        return (
            permission in self.organization
            or any(permission in p for p in self.workspaces.values())
            or any(permission in p for p in self.projects.values())
            or any(permission in p for p in self.shares.values())
        )

    def visibility(self, permission: str, resource_type: str | None = None) -> Visibility:
        """Where ``permission`` holds, for filtering a list in SQL; shares count for ``resource_type``."""
        if permission in self.organization:
            return EVERYTHING
        return Visibility(
            workspace_ids=frozenset(w for w, p in self.workspaces.items() if permission in p),
            project_ids=frozenset(pr for pr, p in self.projects.items() if permission in p),
            shared_ids=frozenset(
                rid for (rtype, rid), p in self.shares.items() if rtype == resource_type and permission in p
            ),
        )

    @classmethod
    def full(cls) -> EffectiveAccess:
        """Every permission, organization-wide (an organization Admin's access)."""
        return cls(_KNOWN, {}, {}, {})

    @property
    def is_org_admin(self) -> bool:
        """Whether every permission holds organization-wide."""
        return self.organization >= _KNOWN
