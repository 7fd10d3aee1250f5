"""Who may read and change stacks, components, connectors and secrets, and verifying them.

Everything lives in a workspace: the one ``?workspace=`` names, else the request's project's
(``X-Waypost-Project``), else ``default``. A workspace the caller holds nothing in is a 404. Then
``stack:read|create|update|delete`` (stacks, components, connectors) or
``secret:read|create|update|delete`` (secrets) must hold there, else a 403 naming the permission
and the workspace. A stack shared with the caller may be read (and made active) without
``stack:read``. A component config that refers to secrets needs ``secret:read`` too: whoever
writes ``{{secret.NAME.KEY}}`` into a config can send that value wherever the config points.

The workers of a stack's dask orchestrator authenticate with its ``worker_api_key``, usually a
``{{secret.NAME.KEY}}``. :func:`worker_key` gives it, resolved, to whoever may run on the stack
(read it, and ``run:create`` in the request's project): a run on a server launches those workers.
So anyone who may run on the stack can obtain the key; give its service account only the roles
workers need. Each key given leaves a ``stack.worker_key_issued`` audit row (never the value).

Verify resolves the component (secrets, connector), then runs :meth:`Flavor.verify` in a worker
thread for at most :data:`VERIFY_TIMEOUT_S`; every failure is a :class:`VerifyResult` with
``ok=False`` and the exact reason (secret values masked), never an error answer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from fastapi import HTTPException, status
from pydantic import ValidationError

from waypost.schemas.access import DEFAULT_NAME
from waypost.schemas.common import Page
from waypost.schemas.org import WorkspaceRead
from waypost.schemas.stacks import ComponentType, ConnectorType, StackRead, VerifyResult
from waypost.server import scopes
from waypost.server.deps import Principal, ProjectScope
from waypost.server.services import access as access_service
from waypost.server.services._common import or_404
from waypost.stacks.connectors import connector_secret_fields, split_connector_config
from waypost.stacks.flavors import ConnectorCredentials, Flavor, FlavorError, VerifyError, get_flavor, secret_fields
from waypost.stacks.references import mask_text, references
from waypost.store.sql.repositories.stacks import ResolvedComponent
from waypost.store.sql.store import SqlStore

__all__ = [
    "VERIFY_TIMEOUT_S",
    "authorize",
    "check_secret_references",
    "list_stacks",
    "readable_stack",
    "verify_component",
    "verify_connector",
    "worker_key",
    "workspace",
]

#: The longest one verify may take before it answers ``ok=False``.
VERIFY_TIMEOUT_S = 10.0
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="waypost-verify")


def workspace(store: SqlStore, caller: Principal, ref: str | None, project: str | None) -> WorkspaceRead:
    """The workspace a request works in (``?workspace=``, else the request's project's, else default); 404 if hidden."""
    if ref:
        return access_service.get_workspace(store, caller, ref)
    if project:
        found = access_service.get_project(store, caller, project)
        return or_404(lambda: store.access.get_workspace(found.workspace_id))
    return access_service.get_workspace(store, caller, DEFAULT_NAME)


def authorize(caller: Principal, permission: str, ws: WorkspaceRead) -> None:
    """Refuse (403, naming the permission and the workspace) unless ``permission`` holds in ``ws``."""
    access_service.authorize_workspace(caller, permission, ws)


def check_secret_references(caller: Principal, ws: WorkspaceRead, config: Mapping[str, Any] | None) -> None:
    """Refuse (403) a config that refers to secrets when the caller may not read the workspace's secrets."""
    if config and references(config) and not caller.access.can("secret:read", workspace_id=ws.id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Referring to secrets needs the 'secret:read' permission in workspace '{ws.name}'; "
            "ask an Admin of the workspace for a role that has it (Stack Admin).",
        )


def _shared_stacks(caller: Principal) -> set[uuid.UUID]:
    return {rid for (rtype, rid) in caller.access.shares if rtype == "stack"}


def list_stacks(store: SqlStore, caller: Principal, ws: WorkspaceRead, page: int, size: int) -> Page[StackRead]:
    """The workspace's stacks with ``stack:read`` there; else only those shared with the caller."""
    if caller.access.can("stack:read", workspace_id=ws.id):
        return store.stacks.list_stacks(ws.id, page=page, size=size)
    shared = [s for s in store.stacks.list_stacks_by_ids(_shared_stacks(caller)) if s.workspace_id == ws.id]
    start = (page - 1) * size
    return Page(items=shared[start : start + size], total=len(shared), page=page, size=size)


def readable_stack(store: SqlStore, caller: Principal, ws: WorkspaceRead, ref: str) -> StackRead:
    """A stack the caller may read (``stack:read`` in the workspace, or shared with them); else a 403."""
    found = store.stacks.get_stack(ref, workspace_id=ws.id)
    if not (caller.access.can("stack:read", workspace_id=ws.id) or ("stack", found.id) in caller.access.shares):
        authorize(caller, "stack:read", ws)
    return found


def worker_key(
    store: SqlStore, caller: Principal, ws: WorkspaceRead, project: str | None, ref: str
) -> tuple[StackRead, str, ProjectScope, str]:
    """The stack, its dask orchestrator's ``worker_api_key`` resolved, the project and the component's name.

    Needs what running on the stack needs: reading it (404 hidden, 403 without ``stack:read`` and
    no share) and ``run:create`` in the request's project (403). A stack without a dask
    orchestrator or without a ``worker_api_key``, or a secret that does not resolve, is a 422.
    """
    found = readable_stack(store, caller, ws, ref)
    scope = scopes.record_scope(store, caller, project, "run:create")
    component = found.components.get(ComponentType.ORCHESTRATOR)
    if component is None or component.flavor != "dask":
        raise HTTPException(
            422,
            f"Stack '{found.name}' has no dask orchestrator, so no workers' API key; only a dask "
            "orchestrator's workers take one.",
        )
    if not component.config.get("worker_api_key"):
        raise HTTPException(
            422,
            f"The dask orchestrator '{component.name}' of stack '{found.name}' has no worker_api_key; set it, e.g. "
            f"`waypost component update orchestrator {component.name} --worker-api-key {{{{secret.NAME.KEY}}}}`.",
        )
    _, config, _ = store.stacks.resolve_component(component.id, workspace_id=ws.id)
    key = getattr(config, "worker_api_key", None)
    if not isinstance(key, str) or not key:  # a secret holding an empty value
        raise HTTPException(
            422,
            f"The worker_api_key of the dask orchestrator '{component.name}' resolves to nothing; "
            "give the secret it names a value.",
        )
    return found, key, scope, component.name


# -- verify -----------------------------------------------------------------------------------


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _texts(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _texts(v)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"


def _run(flavor: type[Flavor], config: Any, credentials: ConnectorCredentials | None, hide: list[str]) -> VerifyResult:
    """``flavor.verify`` in a worker thread, at most VERIFY_TIMEOUT_S; any failure is ``ok=False``."""
    started = time.perf_counter()
    future: Future[str] = _POOL.submit(flavor.verify, config, credentials)
    try:
        reached = future.result(timeout=VERIFY_TIMEOUT_S)
        ok, message, resource = True, f"Reached {reached}.", reached
    except FutureTimeout:
        future.cancel()
        ok, message, resource = (
            False,
            f"No answer within {VERIFY_TIMEOUT_S:g} s; check the address and the network.",
            None,
        )
    except VerifyError as exc:
        ok, message, resource = False, _one_line(str(exc)), None
    except Exception as exc:  # a flavor's own bug or a library's error: still an answer, never a 500
        ok, message, resource = False, _one_line(f"{type(exc).__name__}: {exc}"), None
    duration = (time.perf_counter() - started) * 1000
    # Only the fields a secret filled in are hidden: a bucket or an address stays readable.
    message = mask_text(message, hide)
    return VerifyResult(
        ok=ok,
        message=message,
        resource=mask_text(resource, hide) if resource else None,
        duration_ms=round(duration, 1),
    )


def _credential_secrets(credentials: ConnectorCredentials | None) -> list[str]:
    if credentials is None:
        return []
    hidden = connector_secret_fields(credentials.type)
    return [v for k, v in credentials.values.items() if k in hidden and isinstance(v, str)]


def _hidden_values(flavor: type[Flavor], resolved: ResolvedComponent) -> list[str]:
    """The values of the config's secret-marked fields and the connector's secret fields."""
    config = resolved[1].model_dump()
    return [v for k in secret_fields(flavor) for v in _texts(config.get(k))] + _credential_secrets(resolved[2])


def verify_component(resolved: ResolvedComponent, secret_values: Iterable[str] = ()) -> VerifyResult:
    """Verify a resolved component: the flavor reaches its resource (or says exactly why not)."""
    flavor, config, credentials = resolved
    return _run(flavor, config, credentials, [*_hidden_values(flavor, resolved), *secret_values])


def verify_many(items: Mapping[Any, tuple[ResolvedComponent, list[str]]]) -> dict[Any, VerifyResult]:
    """Verify several components at once (a stack's): each in its own worker, all within the timeout."""
    futures = {key: _POOL.submit(verify_component, resolved, hide) for key, (resolved, hide) in items.items()}
    out: dict[Any, VerifyResult] = {}
    for key, future in futures.items():
        try:
            out[key] = future.result(timeout=VERIFY_TIMEOUT_S + 2)
        except Exception:
            out[key] = VerifyResult(ok=False, message=f"No answer within {VERIFY_TIMEOUT_S:g} s.")
    return out


def verify_connector(credentials: ConnectorCredentials, resource: str | None) -> VerifyResult:
    """Reach ``resource`` with a connector's credentials (an ``aws`` connector: ``s3://bucket[/prefix]``)."""
    if credentials.type != ConnectorType.AWS:
        return VerifyResult(
            ok=False,
            message=(
                f"A {credentials.type.value} connector cannot reach a resource on its own; verify a component "
                "that uses it (`waypost component verify NAME`)."
            ),
        )
    if not resource:
        return VerifyResult(
            ok=False, message="Name the resource to reach, e.g. s3://bucket/prefix (`--resource s3://...`)."
        )
    flavor = get_flavor("artifact_store", "s3")
    values = credentials.values
    try:
        config = flavor.config.model_validate(
            {"path": resource, "endpoint_url": values.get("endpoint_url"), "region": values.get("region")}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise HTTPException(
            422,
            f"Cannot verify against '{resource}': '{field}' {first['msg'][:1].lower() + first['msg'][1:]}; "
            "give an s3://bucket/prefix resource.",
        ) from None
    return _run(flavor, config, credentials, _credential_secrets(credentials))


def unsaved_connector(connector_type: ConnectorType, name: str, config: Mapping[str, Any]) -> ConnectorCredentials:
    """The credentials of a connector not saved yet (verify before registering); a 422 for a bad config."""
    try:
        public, hidden = split_connector_config(connector_type, config)
    except FlavorError as exc:
        raise HTTPException(422, _one_line(str(exc))) from None
    return ConnectorCredentials(name=name, type=connector_type, values={**public, **hidden})
