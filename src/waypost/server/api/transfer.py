"""File transfer for clients that cannot reach the artifact store (``waypost login`` from elsewhere).

Uploads need artifact:create in the request's project (the version is registered after its
files), downloads the read of the version; log chunks the run's run:read, or run:update to write.
Files lie under the artifact prefix of the workspace of the project they are recorded in: the
run's or version's once recorded, else the request's (where the upload's record will go).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status

from waypost.schemas.store_api import ArtifactUpload
from waypost.server import scopes
from waypost.server.deps import ActiveProject, ArtifactStoreDep, CurrentUser, Principal, ProjectScope, StoreDep
from waypost.server.services import transfer, uploads
from waypost.server.services.events import blocking
from waypost.settings import ServerSettings
from waypost.store.sql.store import SqlStore

router = APIRouter(tags=["transfer"])
Name = Annotated[str, Query(min_length=1, max_length=255)]
Step = Annotated[str, Path(min_length=1, max_length=255)]
Chunk = Annotated[str, Path(min_length=1, max_length=40)]
_OCTETS = {"content": {"application/octet-stream": {}}, "required": True}
_BYTES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The bytes.", "content": {"application/octet-stream": {}}}
}


def _log_access(store: SqlStore, user: Principal, run_id: uuid.UUID, project: str | None, *needs: str) -> str:
    """A known run's logs need ``needs`` in its project; those of a run not recorded (yet) in the request's.

    Returns the artifact prefix of that project's workspace, where the run's logs lie.
    """
    scope: ProjectScope
    if scopes.exists(store, "run", run_id):
        scope = scopes.changeable(store, user, "run", run_id, *needs).scope
    else:
        scope = scopes.record_scope(store, user, project, *needs)
    return transfer.workspace_prefix(store, scope)


def _upload_prefix(store: SqlStore, user: Principal, project: str | None) -> str:
    """The prefix of the workspace an upload is recorded into, once the caller may create artifacts there."""
    return transfer.workspace_prefix(store, scopes.record_scope(store, user, project, "artifact:create"))


@router.put(
    "/artifact-versions/{version_id}/upload",
    response_model=ArtifactUpload,
    openapi_extra={"requestBody": _OCTETS},
)
async def upload_version(
    version_id: uuid.UUID,
    name: Name,
    request: Request,
    files: ArtifactStoreDep,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> ArtifactUpload:
    """Store a tar or zip body as the files of version ``version_id`` of artifact ``name``, unpacked safely.

    400 for an unsafe member (absolute, ``..``, a link or device, a name part over 255 bytes
    or a path over 1,024 characters); 413 past ``server.max_unpacked_bytes`` or
    ``server.max_archive_members``. A refused archive leaves no files.
    """
    prefix = await blocking(_upload_prefix, store, user, project)
    server: ServerSettings = request.app.state.settings.server
    limits = uploads.Limits(server.max_unpacked_bytes, server.max_archive_members)
    return await uploads.upload_version(files, name, version_id, request.stream(), limits, prefix)


@router.get("/artifact-versions/{version_id}/archive", responses=_BYTES)
def archive_version(
    version_id: uuid.UUID,
    name: Name,
    files: ArtifactStoreDep,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> Response:
    """The files of version ``version_id`` of artifact ``name`` as a gzipped tar.

    A registered version needs its read; one uploaded but not registered yet artifact:create (as its upload did).
    """
    if scopes.exists(store, "artifact_version", version_id):
        prefix = transfer.workspace_prefix(store, scopes.readable(store, user, "artifact_version", version_id).scope)
    else:
        prefix = _upload_prefix(store, user, project)
    return Response(transfer.archive_version(files, name, version_id, prefix), media_type="application/octet-stream")


@router.get("/runs/{run_id}/log-chunks/{step}", response_model=list[str])
def list_log_chunks(
    run_id: uuid.UUID, step: Step, files: ArtifactStoreDep, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> list[str]:
    """The names of a step run's log chunks, in order."""
    prefix = _log_access(store, user, run_id, project, "run:read")
    return transfer.list_log_chunks(files, run_id, step, prefix)


@router.get("/runs/{run_id}/log-chunks/{step}/{chunk}", responses=_BYTES)
def get_log_chunk(
    run_id: uuid.UUID,
    step: Step,
    chunk: Chunk,
    files: ArtifactStoreDep,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> Response:
    """One log chunk (JSON lines)."""
    prefix = _log_access(store, user, run_id, project, "run:read")
    return Response(transfer.get_log_chunk(files, run_id, step, chunk, prefix), media_type="application/octet-stream")


@router.put(
    "/runs/{run_id}/log-chunks/{step}/{chunk}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra={"requestBody": _OCTETS},
)
async def put_log_chunk(
    run_id: uuid.UUID,
    step: Step,
    chunk: Chunk,
    request: Request,
    files: ArtifactStoreDep,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> None:
    """Write one log chunk of a step run."""
    prefix = await blocking(_log_access, store, user, run_id, project, "run:update", "run:create")
    await transfer.put_log_chunk(files, run_id, step, chunk, request.stream(), prefix)
