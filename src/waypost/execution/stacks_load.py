"""Loading a run's stack: from a local SQL store (one query for a stack of defaults) or from a server.

Loaded on a run's start (by :func:`waypost.execution.stacks.for_run`), not at import. The artifact
store of a stack is opened once per process per configuration, and checked writable then.

A local store resolves ``{{secret.NAME.KEY}}`` references and connector credentials here, in this
process (the same trust as the server: the database and its key are the user's own). A server
never sends secret values to clients, and it records only files inside its own artifact store
(it reads them later): a run against a server on a stack whose artifact store takes secrets or a
connector's credentials, or lies outside the server's artifact store, fails before anything is
recorded, with a one-line error. A stack whose artifact store lies under the server's (a prefix
of its bucket, a folder under its folder) and needs no secrets is written directly by the client,
with the client's own credentials (e.g. AWS environment variables).

The one secret a server does hand to a client is a dask orchestrator's ``worker_api_key``: the
workers a run starts report to the server with it (``POST /stacks/{stack}/worker-key``). This is a
deliberate trade: whoever may run on the stack (read it, and ``run:create`` in the project) can
obtain the workers' key, and act with its service account's roles. Give that service account
only the roles workers need (recording runs in the projects that use the stack), never an Admin
role; each key given out leaves a ``stack.worker_key_issued`` audit row. The key is masked in the
run's step logs like every resolved secret.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import ArtifactStoreError, ConfigurationError, NotFoundError, ParameterError
from waypost.execution.stacks import RunStack, StackChoice, max_parallel, not_found, snapshot_of
from waypost.schemas.access import DEFAULT_NAME
from waypost.schemas.stack_snapshot import ComponentType, StackComponentSnapshot, StackSnapshot

if TYPE_CHECKING:
    from pydantic import BaseModel

    from waypost.execution.runtime import Runtime
    from waypost.stacks.flavors import ConnectorCredentials, Flavor
    from waypost.store.sql.store import SqlStore

__all__ = ["local_run_stack", "open_artifact_store", "remote_run_stack"]


# -- a local store ------------------------------------------------------------------------------


def local_run_stack(rt: Runtime, choice: StackChoice, workspace_id: uuid.UUID) -> RunStack:
    """The stack ``choice`` names (None: ``default``) in the workspace, from the local SQL store."""
    store: SqlStore = rt.store  # type: ignore[assignment]
    name = choice.ref or DEFAULT_NAME
    rows = _stack_rows(store, workspace_id, name)
    if not rows:
        raise not_found(choice)
    first = rows[0]
    plain = all(r.component_id is None or (not r.config and r.connector_id is None) for r in rows)
    if plain:  # a stack of flavors' defaults (the default stack): no flavor models, no secrets
        snapshot = StackSnapshot(
            id=first.stack_id,
            name=first.stack_name,
            components={
                ComponentType(r.component_type): StackComponentSnapshot(
                    id=r.component_id, name=r.component_name, flavor=r.flavor, config={}
                )
                for r in rows
                if r.component_id is not None
            },
        )
        kinds = {r.component_type: r.flavor for r in rows}
        store_flavor = kinds.get(ComponentType.ARTIFACT_STORE.value)
        if store_flavor == "local":
            return RunStack(first.stack_id, first.stack_name, choice.source, snapshot, None)
    return _full(rt, store, choice, workspace_id, first.stack_id)


def _stack_rows(store: SqlStore, workspace_id: uuid.UUID, ref: str) -> list[Any]:
    """The stack ``ref`` (name or id) with one row per component: one query."""
    from waypost.store.sql import tables as db

    s, link, c = db.stacks, db.stack_component_links, db.stack_components
    try:
        by = s.c.id == uuid.UUID(ref)
    except ValueError:
        by = s.c.name == ref
    query = (
        select(
            s.c.id.label("stack_id"),
            s.c.name.label("stack_name"),
            link.c.component_type,
            c.c.id.label("component_id"),
            c.c.name.label("component_name"),
            c.c.flavor,
            c.c.config,
            c.c.connector_id,
        )
        .select_from(s.outerjoin(link, link.c.stack_id == s.c.id).outerjoin(c, c.c.id == link.c.component_id))
        .where(s.c.workspace_id == workspace_id, by)
    )
    with store.sessions.read() as conn:
        return list(conn.execute(query).all())


def _full(rt: Runtime, store: SqlStore, choice: StackChoice, workspace_id: uuid.UUID, stack_id: uuid.UUID) -> RunStack:
    """A stack with configurations: masked for the snapshot, resolved (secrets, connectors) for the store."""
    repo = store.stacks
    stack = repo.get_stack(stack_id, workspace_id=workspace_id)
    snapshot = snapshot_of(stack)
    try:
        resolved = repo.resolved_components(stack_id, workspace_id=workspace_id)
    except (ParameterError, NotFoundError) as exc:
        raise ConfigurationError(f"Stack '{stack.name}' cannot be used: {exc}") from None
    found = resolved.get(ComponentType.ARTIFACT_STORE)
    if found is None:
        raise ConfigurationError(
            f"Stack '{stack.name}' has no artifact store; add one with "
            f"`waypost stack update {stack.name} --artifact-store NAME`."
        )
    flavor, config, credentials = found
    artifact_store = open_artifact_store(rt, flavor, config, credentials, stack.name)
    used = RunStack(stack.id, stack.name, choice.source, snapshot, artifact_store, max_parallel(snapshot))
    used.secrets = _secret_values(resolved.values())
    orchestrator = resolved.get(ComponentType.ORCHESTRATOR)
    recorded = snapshot.components.get(ComponentType.ORCHESTRATOR)
    if orchestrator is not None and recorded is not None and recorded.config and recorded.flavor != "local":
        used.orchestrator_config = orchestrator[1].model_dump()
    return used


def _secret_values(resolved: Any) -> tuple[str, ...]:
    """The secret values the run's components were resolved with: kept out of its step logs."""
    from waypost.stacks.connectors import connector_secret_fields
    from waypost.stacks.flavors import secret_fields

    found: set[str] = set()
    for flavor, config, credentials in resolved:
        dumped = config.model_dump()
        found.update(str(dumped[k]) for k in secret_fields(flavor) if dumped.get(k))
        if credentials is not None:
            hidden = connector_secret_fields(credentials.type)
            found.update(str(v) for k, v in credentials.values.items() if k in hidden and v)
    return tuple(sorted(found))


# -- a server -----------------------------------------------------------------------------------


def remote_run_stack(rt: Runtime, choice: StackChoice) -> RunStack:
    """The stack ``choice`` names (None: the user's active one) in the project's workspace, from the server."""
    stacks = rt.store.stacks  # type: ignore[attr-defined]
    if choice.ref is None:
        stack = stacks.active()
        source = "default" if stack.is_default else "user"
    else:
        try:
            stack = stacks.get(choice.ref)
        except NotFoundError:
            raise not_found(choice) from None
        source = choice.source
    snapshot = snapshot_of(stack)
    component = stack.components.get(ComponentType.ARTIFACT_STORE)
    if component is None:
        raise ConfigurationError(f"Stack '{stack.name}' has no artifact store; add one to it.")
    artifact_store = None
    if not (component.flavor == "local" and not component.config.get("path")):
        needs = _needs_secrets(component.config, component.connector)
        if needs:
            raise ConfigurationError(
                f"The artifact store '{component.name}' of stack '{stack.name}' takes {needs}, which a Waypost "
                "server never sends to clients; give this machine its own credentials (leave the component's "
                "secret fields empty) or run against the local store."
            )
        from waypost.stacks.flavors import FlavorError, get_flavor

        try:
            flavor = get_flavor(ComponentType.ARTIFACT_STORE, component.flavor)
            config = flavor.config.model_validate(component.config)
        except (FlavorError, ValueError) as exc:
            raise ConfigurationError(f"Stack '{stack.name}' cannot be used here: {exc}") from None
        uri, _ = _location(flavor, config, None, stack.name)
        server_uri = rt.store.info.artifact_store_uri  # type: ignore[attr-defined]
        if uri is not None and not _inside(uri, server_uri):
            raise ConfigurationError(
                f"Stack '{stack.name}' writes artifacts to {uri}, outside the server's artifact store "
                f"({server_uri}), where the server could not read them; give its artifact store a location "
                "under the server's, or use the default stack."
            )
        artifact_store = open_artifact_store(rt, flavor, config, None, stack.name)
    used = RunStack(stack.id, stack.name, source, snapshot, artifact_store, max_parallel(snapshot))  # type: ignore[arg-type]
    orchestrator = stack.components.get(ComponentType.ORCHESTRATOR)
    if orchestrator is not None and orchestrator.config and orchestrator.flavor != "local":
        used.orchestrator_config = dict(orchestrator.config)
        if orchestrator.flavor == "dask" and _held_by_server(orchestrator.config.get("worker_api_key")):
            try:
                key = stacks.worker_key(str(stack.id))
            except (ConfigurationError, ParameterError) as exc:
                raise ConfigurationError(
                    f"The dask workers of stack '{stack.name}' need its worker_api_key, which the server did not "
                    f"give: {exc}"
                ) from None
            used.orchestrator_config["worker_api_key"] = key
            used.secrets = (key,)
    return used


def _held_by_server(value: Any) -> bool:
    """Whether a config value as the server sends it stands for a secret only the server holds."""
    from waypost.stacks.references import MASK, references

    return value == MASK or (isinstance(value, str) and bool(references({"value": value})))


def _inside(uri: str, root: str) -> bool:
    """Whether ``uri`` is ``root`` or lies under it (schemes aside: ``s3://b/x`` is under ``s3://b``)."""

    def bare(value: str) -> str:
        return value.split("://", 1)[-1].rstrip("/")

    return bare(uri) == bare(root) or (bare(uri).startswith(bare(root) + "/") and ".." not in uri.split("/"))


def _needs_secrets(config: dict[str, Any], connector: str | None) -> str | None:
    from waypost.stacks.references import MASK, references

    if connector:
        return f"credentials from the connector '{connector}'"
    refs = references(config)
    if refs:
        name, key = sorted(refs)[0]
        return f"the secret {{{{secret.{name}.{key}}}}}"
    masked = sorted(k for k, v in config.items() if v == MASK)
    if masked:
        return f"the secret field '{masked[0]}'"
    return None


# -- the artifact store -------------------------------------------------------------------------


def open_artifact_store(
    rt: Runtime, flavor: type[Flavor], config: BaseModel, credentials: ConnectorCredentials | None, stack: str
) -> ArtifactStore | None:
    """The artifact store of a component (None: the runtime's own), opened and checked once per process."""
    uri, options = _location(flavor, config, credentials, stack)
    if uri is None:
        return None
    key = hashlib.sha256(json.dumps([uri, options], sort_keys=True, default=str).encode()).hexdigest()
    known = rt.stack_stores.get(key)
    if known is None:
        try:
            known = ArtifactStore(uri, **options)
            known.check_writable()
        except Exception as exc:  # botocore, aiohttp, fsspec: anything means "cannot write there"
            cause = exc.__cause__ if isinstance(exc, ArtifactStoreError) and exc.__cause__ else exc
            text = " ".join(str(cause).split()).rstrip(".") or type(cause).__name__
            raise ArtifactStoreError(
                f"The artifact store of stack '{stack}' ({uri}) cannot be written: {type(cause).__name__}: "
                f"{text[:300]}; `waypost stack verify {stack}` checks it."
            ) from None
        rt.stack_stores[key] = known
    return known


def _location(
    flavor: type[Flavor], config: BaseModel, credentials: ConnectorCredentials | None, stack: str
) -> tuple[str | None, dict[str, Any]]:
    """Where a component's files go and the fsspec options to get there (None: the settings' store)."""
    from waypost.artifacts.locate import component_location

    found = component_location(flavor.name, config, credentials)
    if found is not None:
        return found
    raise ConfigurationError(
        f"Stack '{stack}' has an artifact store of flavor '{flavor.name}', which runs cannot write to yet; "
        "use a local, s3 or fsspec artifact store."
    )
