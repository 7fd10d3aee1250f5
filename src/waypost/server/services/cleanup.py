"""Cleanup through the API: previews and confirmed deletions of the caller's old runs.

Only runs the caller may read are considered; a run is deleted where they hold ``run:delete``, an
artifact version where they hold ``artifact:delete`` (the rest is kept and counted). Files go from
the server's artifact store after the rows are committed.
"""

from __future__ import annotations

from fastapi import HTTPException, status

from waypost.artifacts.removal import remove_locations
from waypost.artifacts.store import ArtifactStore
from waypost.schemas.cleanup import CleanupConfirm, CleanupFilter, CleanupPreview, CleanupResult
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.store.sql.repositories.cleanup import CleanupPlan, CleanupScope
from waypost.store.sql.store import SqlStore


def _scope(store: SqlStore, caller: Principal, project: str | None) -> CleanupScope:
    deletes = caller.access.visibility("run:delete", "run")
    if deletes.nothing:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Cleanup needs run:delete in a project; ask a project admin for the Developer role.",
        )
    return CleanupScope(
        read=scopes.visibility(caller, "run"),
        delete_runs=deletes,
        delete_artifacts=caller.access.visibility("artifact:delete", "artifact"),
        project_id=scopes.project_filter(store, caller, project),
    )


def preview(store: SqlStore, caller: Principal, f: CleanupFilter, project: str | None = None) -> CleanupPreview:
    """What a cleanup with ``f`` would delete now, and the token that confirms it."""
    return store.cleanup.preview(f, scope=_scope(store, caller, project))


def run(
    store: SqlStore, files: ArtifactStore, caller: Principal, confirm: CleanupConfirm, project: str | None = None
) -> tuple[CleanupResult, CleanupPlan]:
    """Delete what the preview confirmed (a 409 when it changed), then its files; what it freed, and the plan."""
    done = store.cleanup.delete(confirm, scope=_scope(store, caller, project))
    removed, freed, failed = remove_locations(done.files, lambda _: files)
    result = CleanupResult(
        runs=len(done.runs), artifact_versions=len(done.versions), files=removed, bytes=freed, files_failed=failed[:100]
    )
    return result, done
