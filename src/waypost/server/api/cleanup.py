"""Cleanup: a preview of what old runs and unreferenced artifact versions would go, then the confirmed deletion."""

from __future__ import annotations

from fastapi import APIRouter, Request

from waypost.schemas.cleanup import CleanupConfirm, CleanupFilter, CleanupPreview, CleanupResult
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, ArtifactStoreDep, CurrentUser, StoreDep
from waypost.server.services import cleanup

router = APIRouter(prefix="/cleanup", tags=["cleanup"])


@router.post("/preview", response_model=CleanupPreview)
def preview_cleanup(f: CleanupFilter, store: StoreDep, user: CurrentUser, project: ActiveProject) -> CleanupPreview:
    """What a cleanup would delete now: runs created before the cut-off (not running, not keep-tagged, not a
    model version's producer) and the artifact versions and files nothing kept references; changes nothing.

    Needs run:delete in some project. Its token confirms exactly this set (for an hour).
    """
    return cleanup.preview(store, user, f, project)


@router.post("", response_model=CleanupResult)
def run_cleanup(
    confirm: CleanupConfirm,
    request: Request,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> CleanupResult:
    """Delete what the preview with this filter listed, then its files; what it freed.

    A 409 when the token is not the preview's, has expired, or the set changed since (preview again).
    """
    result, done = cleanup.run(store, files, user, confirm, project)
    details = {
        "older_than": confirm.older_than,
        "keep_tags": confirm.keep_tags,
        "pipeline": confirm.pipeline,
        "cutoff": done.cutoff.isoformat(),
        "runs": result.runs,
        "run_ids": [str(i) for i in done.runs[:1000]],
        "artifact_versions": result.artifact_versions,
        "files": result.files,
        "bytes": result.bytes,
        "files_failed": len(result.files_failed),
    }
    trail.record(store, request, user, trail.CLEANUP_DONE, f"{result.runs} run(s)", details)
    return result
