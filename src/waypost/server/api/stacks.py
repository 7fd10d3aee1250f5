"""/flavors, /components, /stacks, /secrets and /connectors: a workspace's infrastructure as data.

Each route works in one workspace (``?workspace=``, else the request's project's, else
``default``; a hidden one is a 404) and needs ``stack:*`` (stacks, components, connectors) or
``secret:*`` (secrets) there: a 403 names the permission and the workspace (see
:mod:`waypost.server.services.stacks`). The store refuses bad input with a one-line 404 or 422
and changes nothing; every change leaves an audit row (never a secret value). Secret values and
connectors' secret fields are write-only: no answer holds them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.common import Page
from waypost.schemas.org import WorkspaceRead
from waypost.schemas.stacks import (
    COMPONENT_NAME_PATTERN,
    ComponentCreate,
    ComponentRead,
    ComponentType,
    ComponentUpdate,
    ConnectorCreate,
    ConnectorRead,
    ConnectorUpdate,
    FlavorRead,
    SecretCreate,
    SecretRead,
    SecretUpdate,
    StackCreate,
    StackRead,
    StackUpdate,
    VerifyResult,
    WorkerKey,
)
from waypost.server.api._params import PageNo, Size
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, CurrentUser, Principal, StoreDep
from waypost.server.errors import ERROR_HEADER
from waypost.server.services import stacks as service
from waypost.stacks.flavors import FlavorError, get_flavor, list_flavors
from waypost.stacks.references import references
from waypost.store.sql.store import SqlStore

router = APIRouter(tags=["stacks"])

Ref = Annotated[str, Path(max_length=255, description="An id or a name.")]
WorkspaceRef = Annotated[
    str | None,
    Query(max_length=255, description="The workspace (id or name); default: the request's project's, else default."),
]
TypeFilter = Annotated[ComponentType | None, Query(description="Only components of this type.")]
TypeOf = Annotated[ComponentType | None, Query(description="The component's type, where names repeat across types.")]
CREATED = status.HTTP_201_CREATED
NO_CONTENT = status.HTTP_204_NO_CONTENT


class StackCopy(BaseModel):
    """The name of the copy."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=COMPONENT_NAME_PATTERN)


class ActiveStackSet(BaseModel):
    """The stack (name or id) to make the caller's active one in the workspace."""

    model_config = ConfigDict(extra="forbid")
    stack: str = Field(min_length=1, max_length=255)


class ConnectorVerify(BaseModel):
    """What to reach with the connector, e.g. ``s3://bucket/prefix`` for an aws connector."""

    model_config = ConfigDict(extra="forbid")
    resource: str | None = Field(default=None, max_length=2048)


class UnsavedConnectorVerify(ConnectorCreate):
    """A connector not saved yet, and what to reach with it."""

    resource: str | None = Field(default=None, max_length=2048)


def _ws(store: SqlStore, caller: Principal, workspace: str | None, project: str | None) -> WorkspaceRead:
    return service.workspace(store, caller, workspace, project)


def _details(ws: WorkspaceRead, item_id: object, **more: Any) -> dict[str, Any]:
    return {"id": str(item_id), "workspace": ws.name, **more}


def _referenced_values(store: SqlStore, ws: WorkspaceRead, config: dict[str, Any]) -> list[str]:
    """The values of the secrets ``config`` refers to (masked out of verify messages)."""
    out: list[str] = []
    by_name: dict[str, dict[str, str]] = {}
    for name, key in references(config):
        if name not in by_name:
            by_name[name] = store.stacks.secret_values(name, workspace_id=ws.id)
        value = by_name[name].get(key)
        if value:
            out.append(value)
    return out


# -- flavors --------------------------------------------------------------------------------------


@router.get("/flavors")
def list_flavors_route(
    caller: CurrentUser, type: Annotated[ComponentType | None, Query(description="Only this type's.")] = None
) -> list[FlavorRead]:
    """Every flavor (of ``type``), built-in and installed through the ``waypost.flavors`` entry point."""
    return [f.read() for f in list_flavors(type)]


@router.get("/flavors/{type}/{name}")
def get_flavor_route(
    type: ComponentType, name: Annotated[str, Path(max_length=100)], caller: CurrentUser
) -> FlavorRead:
    """One flavor: its configuration's JSON schema, what it needs and what it conflicts with."""
    try:
        return get_flavor(type, name).read()
    except FlavorError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None


# -- components -----------------------------------------------------------------------------------


@router.get("/components")
def list_components(
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    type: TypeFilter = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[ComponentRead]:
    """The workspace's components by type and name (secret fields masked); needs stack:read there."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:read", ws)
    return store.stacks.list_components(ws.id, type=type, page=page, size=size)


@router.post("/components", status_code=CREATED)
def create_component(
    body: ComponentCreate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> ComponentRead:
    """Register a component; its config is checked against the flavor and its secret references must resolve."""
    ws = _ws(store, caller, body.workspace or workspace, project)
    service.authorize(caller, "stack:create", ws)
    service.check_secret_references(caller, ws, body.config)
    made = store.stacks.create_component(body, workspace_id=ws.id, created_by=caller.user_id)
    details = _details(ws, made.id, type=made.type.value, flavor=made.flavor)
    trail.record(store, request, caller, trail.COMPONENT_CREATED, made.name, details)
    return made


@router.post("/components/verify")
def verify_unsaved_component(
    body: ComponentCreate, store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> VerifyResult:
    """Verify a component before registering it (nothing is saved); a config that does not validate is a 422."""
    ws = _ws(store, caller, body.workspace or workspace, project)
    service.authorize(caller, "stack:create", ws)
    service.check_secret_references(caller, ws, body.config)
    resolved = store.stacks.prepare_component(
        body.type, body.flavor, body.config, connector=body.connector, workspace_id=ws.id
    )
    return service.verify_component(resolved, _referenced_values(store, ws, body.config))


@router.get("/components/{component}")
def get_component(
    component: Ref,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    type: TypeOf = None,
) -> ComponentRead:
    """A component by id or name (and ``type`` where names repeat)."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:read", ws)
    return store.stacks.get_component(component, type=type, workspace_id=ws.id)


@router.patch("/components/{component}")
def update_component(
    component: Ref,
    change: ComponentUpdate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    type: TypeOf = None,
) -> ComponentRead:
    """Change a component; ``config`` replaces the whole config, a secret field sent masked keeps its value."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:update", ws)
    service.check_secret_references(caller, ws, change.config)
    changed = store.stacks.update_component(component, change, type=type, workspace_id=ws.id)
    details = _details(ws, changed.id, type=changed.type.value, changed=sorted(change.model_fields_set))
    trail.record(store, request, caller, trail.COMPONENT_UPDATED, changed.name, details)
    return changed


@router.delete("/components/{component}", status_code=NO_CONTENT)
def delete_component(
    component: Ref,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    type: TypeOf = None,
) -> None:
    """Delete a component no stack holds (one in use is refused naming the stacks)."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:delete", ws)
    gone = store.stacks.delete_component(component, type=type, workspace_id=ws.id)
    details = _details(ws, gone.id, type=gone.type.value, flavor=gone.flavor)
    trail.record(store, request, caller, trail.COMPONENT_DELETED, gone.name, details)


@router.post("/components/{component}/verify")
def verify_component(
    component: Ref,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    type: TypeOf = None,
) -> VerifyResult:
    """Check the component can reach its resource; ``ok`` or the exact failure (an answer of 200 either way)."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:read", ws)
    found = store.stacks.get_component(component, type=type, workspace_id=ws.id)
    resolved = store.stacks.resolve_component(found.id, workspace_id=ws.id)
    return service.verify_component(resolved, _referenced_values(store, ws, found.config))


# -- stacks ---------------------------------------------------------------------------------------


@router.get("/stacks")
def list_stacks(
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[StackRead]:
    """The workspace's stacks (the default first) with their components; without stack:read, those shared."""
    ws = _ws(store, caller, workspace, project)
    return service.list_stacks(store, caller, ws, page, size)


@router.post("/stacks", status_code=CREATED)
def create_stack(
    body: StackCreate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> StackRead:
    """A new stack of registered components: one per type, an orchestrator and an artifact store required."""
    ws = _ws(store, caller, body.workspace or workspace, project)
    service.authorize(caller, "stack:create", ws)
    made = store.stacks.create_stack(body, workspace_id=ws.id, created_by=caller.user_id)
    components = {t.value: c.name for t, c in made.components.items()}
    trail.record(store, request, caller, trail.STACK_CREATED, made.name, _details(ws, made.id, components=components))
    return made


@router.get("/stacks/active")
def get_active_stack(
    store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> StackRead:
    """The caller's active stack in the workspace (the default stack when none is set)."""
    ws = _ws(store, caller, workspace, project)
    return store.stacks.active_stack(caller.user_id, ws.id)


@router.put("/stacks/active")
def set_active_stack(
    body: ActiveStackSet, store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> StackRead:
    """Make a stack the caller's active one in the workspace (one they may read)."""
    ws = _ws(store, caller, workspace, project)
    found = service.readable_stack(store, caller, ws, body.stack)
    return store.stacks.set_active_stack(caller.user_id, ws.id, found.id)


@router.get("/stacks/{stack}")
def get_stack(
    stack: Ref, store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> StackRead:
    """A stack by id or name, with its components (secret fields masked)."""
    ws = _ws(store, caller, workspace, project)
    return service.readable_stack(store, caller, ws, stack)


@router.patch("/stacks/{stack}")
def update_stack(
    stack: Ref,
    change: StackUpdate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> StackRead:
    """Rename a stack (not the default one), change its description, or set (name or id) or remove (null) components."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:update", ws)
    before = store.stacks.get_stack(stack, workspace_id=ws.id)
    changed = store.stacks.update_stack(before.id, change, workspace_id=ws.id)
    details = _details(
        ws,
        changed.id,
        changed=sorted(change.model_fields_set),
        components={t.value: c.name for t, c in changed.components.items()},
        **({"renamed_from": before.name} if before.name != changed.name else {}),
    )
    trail.record(store, request, caller, trail.STACK_UPDATED, changed.name, details)
    return changed


@router.delete("/stacks/{stack}", status_code=NO_CONTENT)
def delete_stack(
    stack: Ref,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> None:
    """Delete a stack (not the default one); users whose active stack it was fall back to the default."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:delete", ws)
    gone = store.stacks.delete_stack(stack, workspace_id=ws.id)
    trail.record(store, request, caller, trail.STACK_DELETED, gone.name, _details(ws, gone.id))


@router.post("/stacks/{stack}/copy", status_code=CREATED)
def copy_stack(
    stack: Ref,
    body: StackCopy,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> StackRead:
    """A new stack holding the same components as ``stack``."""
    ws = _ws(store, caller, workspace, project)
    source = service.readable_stack(store, caller, ws, stack)
    service.authorize(caller, "stack:create", ws)
    made = store.stacks.copy_stack(source.id, body.name, workspace_id=ws.id, created_by=caller.user_id)
    details = _details(ws, made.id, copied_from=source.name)
    trail.record(store, request, caller, trail.STACK_CREATED, made.name, details)
    return made


@router.post("/stacks/{stack}/verify")
def verify_stack(
    stack: Ref, store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> dict[ComponentType, VerifyResult]:
    """Verify every component of a stack at once: ``ok`` or the exact failure for each type."""
    ws = _ws(store, caller, workspace, project)
    found = service.readable_stack(store, caller, ws, stack)
    resolved = store.stacks.resolved_components(found.id, workspace_id=ws.id)
    items = {
        t: (r, _referenced_values(store, ws, found.components[t].config))
        for t, r in resolved.items()
        if t in found.components
    }
    return service.verify_many(items)


@router.post("/stacks/{stack}/worker-key")
def issue_worker_key(
    stack: Ref, request: Request, store: StoreDep, caller: CurrentUser, project: ActiveProject
) -> WorkerKey:
    """The API key the stack's dask workers authenticate with, resolved; for whoever may run on the stack.

    Needs to read the stack and ``run:create`` in the request's project (whose workspace holds the
    stack); leaves a ``stack.worker_key_issued`` audit row. A 422 when the stack's orchestrator is
    not dask or has no ``worker_api_key``, or its secret does not resolve.
    """
    ws = _ws(store, caller, None, project)
    try:
        found, key, scope, component = service.worker_key(store, caller, ws, project, stack)
    except HTTPException as exc:
        if exc.status_code != status.HTTP_403_FORBIDDEN:
            raise
        # A refusal, not a bad login: named so, the RestStore raises it with the server's words.
        raise HTTPException(exc.status_code, exc.detail, headers={ERROR_HEADER: "ConfigurationError"}) from None
    details = _details(ws, found.id, component=component, project=scope.path)
    trail.record(store, request, caller, trail.STACK_WORKER_KEY_ISSUED, found.name, details)
    return WorkerKey(api_key=key)


# -- secrets --------------------------------------------------------------------------------------


@router.get("/secrets")
def list_secrets(
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[SecretRead]:
    """The workspace's secrets by name: their key names, never their values; needs secret:read."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "secret:read", ws)
    return store.stacks.list_secrets(ws.id, page=page, size=size)


@router.post("/secrets", status_code=CREATED)
def create_secret(
    body: SecretCreate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> SecretRead:
    """A new secret; its values are encrypted at rest and never returned."""
    ws = _ws(store, caller, body.workspace or workspace, project)
    service.authorize(caller, "secret:create", ws)
    made = store.stacks.create_secret(body, workspace_id=ws.id, created_by=caller.user_id)
    trail.record(store, request, caller, trail.SECRET_CREATED, made.name, _details(ws, made.id, keys=made.keys))
    return made


@router.get("/secrets/{secret}")
def get_secret(
    secret: Ref, store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> SecretRead:
    """A secret's key names (never its values)."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "secret:read", ws)
    return store.stacks.get_secret(secret, workspace_id=ws.id)


@router.patch("/secrets/{secret}")
def update_secret(
    secret: Ref,
    change: SecretUpdate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> SecretRead:
    """Set keys (null removes one; keys components refer to cannot go); ``replace`` drops the keys not given."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "secret:update", ws)
    before = store.stacks.get_secret(secret, workspace_id=ws.id)
    changed = store.stacks.update_secret(before.id, change, workspace_id=ws.id)
    details = _details(
        ws,
        changed.id,
        keys_set=sorted(k for k, v in (change.values or {}).items() if v is not None),
        keys_removed=sorted(set(before.keys) - set(changed.keys)),
    )
    trail.record(store, request, caller, trail.SECRET_UPDATED, changed.name, details)
    return changed


@router.delete("/secrets/{secret}", status_code=NO_CONTENT)
def delete_secret(
    secret: Ref,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> None:
    """Delete a secret no component refers to (one in use is refused naming the components)."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "secret:delete", ws)
    gone = store.stacks.delete_secret(secret, workspace_id=ws.id)
    trail.record(store, request, caller, trail.SECRET_DELETED, gone.name, _details(ws, gone.id, keys=gone.keys))


# -- service connectors ---------------------------------------------------------------------------


@router.get("/connectors")
def list_connectors(
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[ConnectorRead]:
    """The workspace's connectors by name (which secret fields are set, never their values); needs stack:read."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:read", ws)
    return store.stacks.list_connectors(ws.id, page=page, size=size)


@router.post("/connectors", status_code=CREATED)
def create_connector(
    body: ConnectorCreate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> ConnectorRead:
    """A new connector; its secret fields are encrypted at rest and never returned."""
    ws = _ws(store, caller, body.workspace or workspace, project)
    service.authorize(caller, "stack:create", ws)
    made = store.stacks.create_connector(body, workspace_id=ws.id, created_by=caller.user_id)
    details = _details(ws, made.id, type=made.type.value)
    trail.record(store, request, caller, trail.CONNECTOR_CREATED, made.name, details)
    return made


@router.post("/connectors/verify")
def verify_unsaved_connector(
    body: UnsavedConnectorVerify,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> VerifyResult:
    """Verify a connector before registering it (nothing is saved): reach ``resource`` with its credentials."""
    ws = _ws(store, caller, body.workspace or workspace, project)
    service.authorize(caller, "stack:create", ws)
    credentials = service.unsaved_connector(body.type, body.name, body.config)
    return service.verify_connector(credentials, body.resource)


@router.get("/connectors/{connector}")
def get_connector(
    connector: Ref, store: StoreDep, caller: CurrentUser, project: ActiveProject, workspace: WorkspaceRef = None
) -> ConnectorRead:
    """A connector by id or name."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:read", ws)
    return store.stacks.get_connector(connector, workspace_id=ws.id)


@router.patch("/connectors/{connector}")
def update_connector(
    connector: Ref,
    change: ConnectorUpdate,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> ConnectorRead:
    """Change fields of a connector; secret fields left out keep their values."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:update", ws)
    changed = store.stacks.update_connector(connector, change, workspace_id=ws.id)
    details = _details(ws, changed.id, fields=sorted((change.config or {}).keys()))
    trail.record(store, request, caller, trail.CONNECTOR_UPDATED, changed.name, details)
    return changed


@router.delete("/connectors/{connector}", status_code=NO_CONTENT)
def delete_connector(
    connector: Ref,
    request: Request,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    workspace: WorkspaceRef = None,
) -> None:
    """Delete a connector no component is attached to (one in use is refused naming the components)."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:delete", ws)
    gone = store.stacks.delete_connector(connector, workspace_id=ws.id)
    trail.record(store, request, caller, trail.CONNECTOR_DELETED, gone.name, _details(ws, gone.id))


@router.post("/connectors/{connector}/verify")
def verify_connector(
    connector: Ref,
    store: StoreDep,
    caller: CurrentUser,
    project: ActiveProject,
    body: ConnectorVerify | None = None,
    workspace: WorkspaceRef = None,
) -> VerifyResult:
    """Reach ``resource`` (an aws connector: ``s3://bucket/prefix``) with the connector's credentials."""
    ws = _ws(store, caller, workspace, project)
    service.authorize(caller, "stack:read", ws)
    credentials = store.stacks.connector_credentials(connector, workspace_id=ws.id)
    return service.verify_connector(credentials, body.resource if body else None)
