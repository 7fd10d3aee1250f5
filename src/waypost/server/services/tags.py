"""Tags on many resources at once: each one needs its kind's update permission where it lives."""

from __future__ import annotations

from waypost.schemas.tags import BulkItem, BulkResult, TagsBulkChange
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.store.sql.store import SqlStore

#: The permission that changes the tags of each kind of resource (as its other changes need).
PERMISSION = {
    "run": "run:update",
    "pipeline": "pipeline:update",
    "artifact_version": "artifact:update",
    "model_version": "model:update",
}
_NOUN = {"run": "run", "pipeline": "pipeline", "artifact_version": "artifact version", "model_version": "model version"}


def unknown(resource: str, rid: object) -> BulkItem:
    """The answer for an id that does not exist or the caller may not read (the two look alike)."""
    return BulkItem(id=rid, outcome="unknown", detail=f"No {_NOUN.get(resource, resource)} '{rid}' exists.")


def denied(permission: str, path: str, rid: object) -> BulkItem:
    """The answer for an id the caller may read but not change."""
    return BulkItem(id=rid, outcome="denied", detail=f"Needs {permission} in project '{path}'.")


def bulk_change(store: SqlStore, caller: Principal, change: TagsBulkChange) -> tuple[BulkResult, list[str]]:
    """Tag and untag each resource the caller may change; per id ok, denied or unknown.

    Also answers the projects (``workspace/project``) where something changed, for the audit trail.
    """
    permission = PERMISSION[change.resource]
    ids = list(dict.fromkeys(change.ids))
    found = scopes.readable_many(store, caller, change.resource, ids)
    allowed = {i: f for i, f in found.items() if scopes.may(caller, f, permission)}
    tags = (
        store.tags.change(
            change.resource,
            list(allowed),
            add=change.add,
            remove=change.remove,
            exclusive=change.exclusive,
            missing_ok=True,
        )
        if allowed
        else {}
    )
    items: list[BulkItem] = []
    for rid in ids:
        if rid in tags:
            items.append(BulkItem(id=rid, outcome="ok", tags=tags[rid]))
        elif rid in found and rid not in allowed:
            items.append(denied(permission, found[rid].scope.path, rid))
        else:
            items.append(unknown(change.resource, rid))
    return BulkResult.of(items), sorted({allowed[i].scope.path for i in tags})
