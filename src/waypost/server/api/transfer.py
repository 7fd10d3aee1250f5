"""File transfer for clients that cannot reach the artifact store (``waypost login`` from elsewhere)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from waypost.schemas.store_api import ArtifactUpload
from waypost.server.deps import ArtifactStoreDep, CurrentUser, require
from waypost.server.services import transfer, uploads
from waypost.settings import ServerSettings

router = APIRouter(tags=["transfer"])
WRITE = [Depends(require("write"))]
Name = Annotated[str, Query(min_length=1, max_length=255)]
Step = Annotated[str, Path(min_length=1, max_length=255)]
Chunk = Annotated[str, Path(min_length=1, max_length=40)]
_OCTETS = {"content": {"application/octet-stream": {}}, "required": True}
_BYTES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The bytes.", "content": {"application/octet-stream": {}}}
}


@router.put(
    "/artifact-versions/{version_id}/upload",
    response_model=ArtifactUpload,
    dependencies=WRITE,
    openapi_extra={"requestBody": _OCTETS},
)
async def upload_version(
    version_id: uuid.UUID, name: Name, request: Request, files: ArtifactStoreDep
) -> ArtifactUpload:
    """Store a tar or zip body as the files of version ``version_id`` of artifact ``name``, unpacked safely.

    400 for an unsafe member (absolute, ``..``, a link or device, a name part over 255 bytes
    or a path over 1,024 characters); 413 past ``server.max_unpacked_bytes`` or
    ``server.max_archive_members``. A refused archive leaves no files.
    """
    server: ServerSettings = request.app.state.settings.server
    limits = uploads.Limits(server.max_unpacked_bytes, server.max_archive_members)
    return await uploads.upload_version(files, name, version_id, request.stream(), limits)


@router.get("/artifact-versions/{version_id}/archive", responses=_BYTES)
def archive_version(version_id: uuid.UUID, name: Name, files: ArtifactStoreDep, user: CurrentUser) -> Response:
    """The files of version ``version_id`` of artifact ``name`` as a gzipped tar."""
    return Response(transfer.archive_version(files, name, version_id), media_type="application/octet-stream")


@router.get("/runs/{run_id}/log-chunks/{step}", response_model=list[str])
def list_log_chunks(run_id: uuid.UUID, step: Step, files: ArtifactStoreDep, user: CurrentUser) -> list[str]:
    """The names of a step run's log chunks, in order."""
    return transfer.list_log_chunks(files, run_id, step)


@router.get("/runs/{run_id}/log-chunks/{step}/{chunk}", responses=_BYTES)
def get_log_chunk(run_id: uuid.UUID, step: Step, chunk: Chunk, files: ArtifactStoreDep, user: CurrentUser) -> Response:
    """One log chunk (JSON lines)."""
    return Response(transfer.get_log_chunk(files, run_id, step, chunk), media_type="application/octet-stream")


@router.put(
    "/runs/{run_id}/log-chunks/{step}/{chunk}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=WRITE,
    openapi_extra={"requestBody": _OCTETS},
)
async def put_log_chunk(run_id: uuid.UUID, step: Step, chunk: Chunk, request: Request, files: ArtifactStoreDep) -> None:
    """Write one log chunk of a step run."""
    await transfer.put_log_chunk(files, run_id, step, chunk, request.stream())
