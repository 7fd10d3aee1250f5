"""The metadata explorer: keys across what the caller may read, and one key's history."""

from __future__ import annotations

from waypost.schemas.metadata_explorer import MetadataHistory, MetadataKeyPage
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.store.sql.repositories.metadata_explorer import MetadataExplorerRepository, Readable
from waypost.store.sql.store import SqlStore


def _readable(store: SqlStore, caller: Principal, project: str | None) -> Readable:
    return Readable(
        runs=scopes.visibility(caller, "run"),
        artifacts=scopes.visibility(caller, "artifact"),
        models=scopes.visibility(caller, "model"),
        project_id=scopes.project_filter(store, caller, project),
    )


def _filter(q: str | None) -> str | None:
    """A blank filter is none: the key list then comes from the summary, archived runs' keys included."""
    return q if q is not None and q.strip() else None


def list_keys(
    store: SqlStore,
    caller: Principal,
    *,
    entity: str | None,
    prefix: str,
    contains: str,
    q: str | None,
    sort: str,
    page: int,
    size: int,
    project: str | None,
) -> MetadataKeyPage:
    """Every metadata key of the runs, steps, artifact versions and model versions the caller may read."""
    return MetadataExplorerRepository(store.sessions).keys(
        _readable(store, caller, project),
        entity=entity,
        prefix=prefix,
        contains=contains,
        query=_filter(q),
        sort=sort,
        page=page,
        size=size,
    )


def history(
    store: SqlStore, caller: Principal, key: str, *, pipeline: str | None, q: str | None, project: str | None
) -> MetadataHistory:
    """The values of ``key`` over time in the runs the caller may read."""
    return MetadataExplorerRepository(store.sessions).history(
        key, _readable(store, caller, project), pipeline=pipeline, query=_filter(q)
    )
