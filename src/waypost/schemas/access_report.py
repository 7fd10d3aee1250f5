"""What a caller may do, and why, on the wire: the answers of ``/organization`` and ``/access/*``; team members."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.org import ShareRead

__all__ = [
    "AccessSource",
    "MyAccess",
    "OrganizationRead",
    "ResourceAccess",
    "ResourceHolder",
    "ScopeAccess",
    "SharedAccess",
    "TeamMembers",
    "UserAccess",
]


class OrganizationRead(BaseModel):
    """The organization, with counts of what the caller may see (hidden things are never counted)."""

    id: UUID
    name: str
    workspaces: int
    projects: int
    teams: int | None = Field(default=None, description="None when the caller may not read teams.")
    members: int | None = Field(default=None, description="None when the caller may not read members.")
    roles: int | None = Field(default=None, description="None when the caller may not read roles.")


class ScopeAccess(BaseModel):
    """The permissions held in one workspace or project."""

    id: UUID
    name: str = Field(description="The workspace's name, or 'workspace/project'.")
    permissions: list[str]


class SharedAccess(BaseModel):
    """The permissions held on one resource shared with the caller."""

    resource_type: str
    resource_id: UUID
    permissions: list[str]


class MyAccess(BaseModel):
    """Every permission the caller holds, and where."""

    user: str
    is_org_admin: bool
    organization: list[str]
    workspaces: list[ScopeAccess]
    projects: list[ScopeAccess]
    shares: list[SharedAccess]


class AccessSource(BaseModel):
    """One grant or share a user holds, directly or through a team, with its role's permissions."""

    kind: Literal["grant", "share"]
    role: str
    level: str = Field(description="organization, workspace or project; 'resource' for a share.")
    scope_type: str = Field(description="organization, workspace or project; the resource type for a share.")
    scope_id: UUID
    scope: str
    via: str = Field(description="'direct', or 'team NAME'.")
    permissions: list[str]


class UserAccess(BaseModel):
    """Where each of a user's permissions comes from."""

    user: str
    sources: list[AccessSource]


class ResourceHolder(BaseModel):
    """One grant covering a resource (at its project, its workspace or the organization)."""

    principal_type: Literal["user", "team"]
    principal: str
    role: str
    scope_type: str
    scope: str
    permissions: list[str] = Field(description="The role's permissions on this resource's type.")


class ResourceAccess(BaseModel):
    """Who may do what with one resource: the grants that cover it, and its shares."""

    resource_type: str
    resource_id: UUID
    project: str = Field(description="'workspace/project'.")
    grants: list[ResourceHolder]
    shares: list[ShareRead]


class TeamMembers(BaseModel):
    """Users (by name) to add to a team."""

    model_config = ConfigDict(extra="forbid")

    users: list[str] = Field(min_length=1, max_length=10_000)
