"""Tags on many resources at once."""

from __future__ import annotations

from fastapi import APIRouter, Request

from waypost.schemas.tags import BulkResult, TagsBulkChange
from waypost.server.auth import trail
from waypost.server.deps import CurrentUser, StoreDep
from waypost.server.services import tags

router = APIRouter(prefix="/tags", tags=["tags"])


@router.post("/bulk", response_model=BulkResult)
def change_tags_in_bulk(change: TagsBulkChange, request: Request, store: StoreDep, user: CurrentUser) -> BulkResult:
    """Add and remove tags on up to 500 runs, pipelines, artifact versions or model versions.

    Each one needs its kind's update permission where it lives (run:update, pipeline:update,
    artifact:update, model:update); the answer says per id ok, denied or unknown (missing and
    unreadable look alike).
    """
    result, projects = tags.bulk_change(store, user, change)
    if result.ok:
        details = {
            "resource": change.resource,
            "ids": [str(i.id) for i in result.items if i.outcome == "ok"],
            "add": change.add,
            "remove": change.remove,
            "projects": projects,
        }
        trail.record(store, request, user, trail.TAGS_CHANGED, f"{result.ok} {change.resource}(s)", details)
    return result
