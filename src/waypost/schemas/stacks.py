"""Stacks on the wire: component types and flavors, components, stacks, secrets and service connectors.

A *component* is one piece of infrastructure (an orchestrator, an artifact store, an alerter …)
of a *flavor* (``local``, ``s3``, ``slack`` …) whose pydantic configuration model validates its
``config``. A *stack* holds at most one component per type; the orchestrator and the artifact
store are required. Components, stacks, secrets and connectors belong to a workspace; names are
unique per workspace (per type, for components).

Secrets hold key/value pairs encrypted at rest; the API returns their key names only. A component
config refers to a secret's value as ``{{secret.NAME.KEY}}``. A *service connector* holds the
credentials for one kind of resource (``aws``: access keys and an endpoint URL; ``bearer``: a
token; ``basic``: a user name and a password) and is attached to components; its secret fields are
write-only too.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.common import ReadModel
from waypost.schemas.stack_snapshot import ComponentType, StackComponentSnapshot, StackSnapshot, StackSource

__all__ = [
    "COMPONENT_NAME_PATTERN",
    "REQUIRED_TYPES",
    "ComponentCreate",
    "ComponentRead",
    "ComponentType",
    "ComponentUpdate",
    "ConnectorCreate",
    "ConnectorRead",
    "ConnectorType",
    "ConnectorUpdate",
    "FlavorRead",
    "SecretCreate",
    "SecretRead",
    "SecretUpdate",
    "StackComponentSnapshot",
    "StackCreate",
    "StackRead",
    "StackSnapshot",
    "StackSource",
    "StackUpdate",
    "VerifyResult",
    "WorkerKey",
]

#: Names of stacks, components, secrets and connectors (CLI arguments, URL segments, `{{secret.NAME.KEY}}`).
COMPONENT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


#: Every stack has these.
REQUIRED_TYPES: tuple[ComponentType, ...] = (ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE)


class ConnectorType(StrEnum):
    """The kinds of credentials a service connector holds."""

    AWS = "aws"
    """Access key id and secret access key (and optionally a session token), region, endpoint URL."""
    BEARER = "bearer"
    """A bearer token sent as ``Authorization: Bearer …``."""
    BASIC = "basic"
    """A user name and a password."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_Name = Field(pattern=COMPONENT_NAME_PATTERN)
_Description = Field(default=None, max_length=10_000)


class FlavorRead(BaseModel):
    """A flavor of a component type: its configuration's JSON schema and its needs."""

    type: ComponentType
    name: str
    description: str
    config_schema: dict[str, Any]
    """The JSON schema of the flavor's configuration (fields marked ``"secret": true`` are masked)."""
    requires: list[ComponentType] = Field(default_factory=list)
    """Component types a stack must also hold for this flavor to work."""
    conflicts: list[ComponentType] = Field(default_factory=list)
    """Component types this flavor cannot work with in one stack."""
    connector_types: list[ConnectorType] = Field(default_factory=list)
    """Connectors this flavor can take its credentials from (empty: none)."""
    source: str = "builtin"
    """``builtin``, or the distribution that registered it through the ``waypost.flavors`` entry point."""


class ComponentRead(ReadModel):
    id: UUID
    workspace_id: UUID
    name: str
    type: ComponentType
    flavor: str
    config: dict[str, Any]
    """As saved: secret references stay ``{{secret.NAME.KEY}}``, secret-marked values are masked."""
    connector_id: UUID | None = None
    connector: str | None = None
    description: str | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    stacks: list[str] = Field(default_factory=list)
    """Names of the stacks that hold this component."""


class ComponentCreate(_Strict):
    name: str = _Name
    type: ComponentType
    flavor: str = Field(min_length=1, max_length=100)
    config: dict[str, Any] = {}
    connector: str | None = Field(default=None, max_length=100)
    """A service connector's name or id in the same workspace."""
    description: str | None = _Description
    workspace: str | None = Field(default=None, max_length=100)
    """The workspace (name or id); the request's project's workspace when left out."""


class ComponentUpdate(_Strict):
    """A change to a component; fields left out stay. ``config`` replaces the whole configuration."""

    name: str | None = Field(default=None, pattern=COMPONENT_NAME_PATTERN)
    config: dict[str, Any] | None = None
    connector: str | None = Field(default=None, max_length=100)
    """A connector's name or id; the empty string detaches the connector."""
    description: str | None = _Description


class StackRead(ReadModel):
    id: UUID
    workspace_id: UUID
    name: str
    description: str | None = None
    components: dict[ComponentType, ComponentRead]
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    is_default: bool = False
    active_for: list[str] = Field(default_factory=list)
    """Names of the users whose active stack (in this workspace) it is."""


class StackCreate(_Strict):
    name: str = _Name
    components: dict[ComponentType, str]
    """Component name or id for each type; orchestrator and artifact store are required."""
    description: str | None = _Description
    workspace: str | None = Field(default=None, max_length=100)


class StackUpdate(_Strict):
    """A change to a stack: ``components`` sets (a name or id) or removes (``null``) one type's component."""

    name: str | None = Field(default=None, pattern=COMPONENT_NAME_PATTERN)
    components: dict[ComponentType, str | None] | None = None
    description: str | None = _Description


class SecretRead(ReadModel):
    """A secret without its values: only the names of its keys."""

    id: UUID
    workspace_id: UUID
    name: str
    keys: list[str]
    description: str | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class SecretCreate(_Strict):
    name: str = _Name
    values: dict[str, str] = Field(min_length=1, max_length=100)
    description: str | None = _Description
    workspace: str | None = Field(default=None, max_length=100)


class SecretUpdate(_Strict):
    """``values`` set keys (a ``null`` value removes that key); ``replace`` drops the keys not given."""

    values: dict[str, str | None] | None = None
    replace: bool = False
    description: str | None = _Description


class ConnectorRead(ReadModel):
    """A service connector; its secret fields (keys, tokens, passwords) never leave the server."""

    id: UUID
    workspace_id: UUID
    name: str
    type: ConnectorType
    config: dict[str, Any]
    """The non-secret fields (region, endpoint URL, user name …)."""
    secret_fields: list[str]
    """Which secret fields are set (their values are write-only)."""
    description: str | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class ConnectorCreate(_Strict):
    name: str = _Name
    type: ConnectorType
    config: dict[str, Any] = {}
    """Every field of the type, secret ones included (see ``waypost connector register --help``)."""
    description: str | None = _Description
    workspace: str | None = Field(default=None, max_length=100)


class ConnectorUpdate(_Strict):
    config: dict[str, Any] | None = None
    """Fields to change; secret fields left out keep their values."""
    description: str | None = _Description


class VerifyResult(BaseModel):
    """What ``verify`` found: ``ok``, or the exact failure."""

    ok: bool
    message: str
    resource: str | None = None
    """What was reached (e.g. ``s3://bucket/prefix``)."""
    duration_ms: float = 0.0


class WorkerKey(BaseModel):
    """The API key a stack's dask workers authenticate with: its orchestrator's ``worker_api_key``, resolved."""

    api_key: str
