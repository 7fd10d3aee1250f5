"""The organization on the wire: workspaces, projects, teams, roles, grants and shares."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.access import Level
from waypost.schemas.common import ReadModel

__all__ = [
    "SLUG_PATTERN",
    "GrantCreate",
    "GrantRead",
    "PrincipalType",
    "ProjectCreate",
    "ProjectRead",
    "RoleCreate",
    "RoleRead",
    "RoleUpdate",
    "ShareCreate",
    "ShareRead",
    "TeamCreate",
    "TeamRead",
    "WorkspaceCreate",
    "WorkspaceRead",
]

#: Names of workspaces, projects and teams: what users type on the command line and see in URLs.
SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
PrincipalType = Literal["user", "team"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceRead(ReadModel):
    """An isolated space with its own projects, service accounts and artifact-store prefix."""

    id: UUID
    name: str
    description: str | None = None
    artifact_prefix: str
    created_at: datetime


class WorkspaceCreate(_Strict):
    name: str = Field(pattern=SLUG_PATTERN)
    description: str | None = Field(default=None, max_length=10_000)


class ProjectRead(ReadModel):
    """A subdivision of a workspace that holds pipelines, runs, artifacts, models and tags."""

    id: UUID
    workspace_id: UUID
    workspace: str
    name: str
    description: str | None = None
    created_at: datetime

    @property
    def path(self) -> str:
        """``workspace/project``: how the CLI and the dashboard name a project."""
        return f"{self.workspace}/{self.name}"


class ProjectCreate(_Strict):
    name: str = Field(pattern=SLUG_PATTERN)
    workspace: str | None = Field(default=None, description="The workspace's name; the default workspace if left out.")
    description: str | None = Field(default=None, max_length=10_000)


class TeamRead(ReadModel):
    id: UUID
    name: str
    description: str | None = None
    members: list[str] = Field(default_factory=list)
    created_at: datetime


class TeamCreate(_Strict):
    name: str = Field(pattern=SLUG_PATTERN)
    description: str | None = Field(default=None, max_length=10_000)
    members: list[str] = Field(default_factory=list, max_length=10_000)


class RoleRead(ReadModel):
    """A named set of permissions at one level; built-in roles cannot be changed."""

    id: UUID
    name: str
    level: Level
    builtin: bool
    description: str | None = None
    permissions: list[str]
    created_at: datetime


class RoleCreate(_Strict):
    name: str = Field(min_length=1, max_length=100)
    level: Level
    permissions: list[str] = Field(max_length=500)
    description: str | None = Field(default=None, max_length=10_000)


class RoleUpdate(_Strict):
    permissions: list[str] | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=10_000)


class GrantRead(ReadModel):
    """A role held by a user or team at a scope."""

    id: UUID
    role_id: UUID
    role: str
    level: Level
    principal_type: PrincipalType
    principal_id: UUID
    principal: str
    scope_type: Level
    scope_id: UUID
    scope: str = Field(description="'organization', the workspace's name, or 'workspace/project'.")
    created_at: datetime


class GrantCreate(_Strict):
    role: str = Field(min_length=1, max_length=100)
    user: str | None = None
    team: str | None = None
    workspace: str | None = None
    project: str | None = Field(default=None, description="'workspace/project', or a project of the default workspace.")


class ShareRead(ReadModel):
    """One resource shared with a user or a team, with a project-level role."""

    id: UUID
    resource_type: str
    resource_id: UUID
    principal_type: PrincipalType
    principal_id: UUID
    principal: str
    role_id: UUID
    role: str
    created_at: datetime


class ShareCreate(_Strict):
    role: str = Field(default="Viewer", min_length=1, max_length=100)
    user: str | None = None
    team: str | None = None
