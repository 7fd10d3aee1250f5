"""Artifacts, their versions, and the content of a version (served by version id only)."""

from __future__ import annotations

import io
import mimetypes
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException, Response, status
from pydantic import BaseModel, Field

from waypost.artifacts import locate
from waypost.artifacts.store import ArtifactStore
from waypost.enums import VisualizationType
from waypost.exceptions import WaypostError
from waypost.schemas import ArtifactFileRead, ArtifactRead, ArtifactVersionRead, Page, StepRunRead
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404
from waypost.server.services._files import (
    HTML_SANDBOX,
    MAX_RESPONSE_BYTES,
    checked_uri,
    file_response,
    read,
    safe_filename,
)
from waypost.store.sql.store import SqlStore

_TEXT = {
    VisualizationType.HTML: "text/html; charset=utf-8",
    VisualizationType.MARKDOWN: "text/markdown; charset=utf-8",
    VisualizationType.TEXT: "text/plain; charset=utf-8",
}


# -- records ---------------------------------------------------------------------------
def list_artifacts(
    store: SqlStore, caller: Principal, q: str, sort: str | None, page: int, size: int, project: str | None = None
) -> Page[ArtifactRead]:
    """Artifacts matching the filter ``q`` that the caller may read."""
    return store.artifacts.list(
        q,
        sort=sort,
        page=page,
        size=size,
        visibility=scopes.visibility(caller, "artifact"),
        project_id=scopes.project_filter(store, caller, project),
    )


class ArtifactSuggestions(BaseModel):
    """Values the artifacts search box can offer for one filter key."""

    key: str
    values: list[str] = Field(description="Distinct known values matching what was typed, alphabetically.")


def suggest(
    store: SqlStore, caller: Principal, key: str, prefix: str, limit: int, project: str | None = None
) -> ArtifactSuggestions:
    """Known values of artifact filter key ``key`` matching ``prefix``, from the artifacts the caller may read."""
    values = store.artifacts.suggest(
        key,
        prefix,
        limit,
        visibility=scopes.visibility(caller, "artifact"),
        project_id=scopes.project_filter(store, caller, project),
    )
    return ArtifactSuggestions(key=key, values=values)


def get_artifact_or_404(store: SqlStore, caller: Principal, ref: str, project: str | None = None) -> ArtifactRead:
    """An artifact by id or exact name that the caller may read."""
    found = scopes.readable(store, caller, "artifact", ref, project)
    return or_404(lambda: store.artifacts.get(found.id))


def list_artifact_versions(
    store: SqlStore, caller: Principal, ref: str, q: str, sort: str | None, page: int, size: int, project: str | None
) -> Page[ArtifactVersionRead]:
    """Versions of the artifact ``ref``, newest first, filtered by ``q`` too."""
    found = scopes.readable(store, caller, "artifact", ref, project)
    artifact = or_404(lambda: store.artifacts.get(found.id))
    quoted = artifact.name.replace("\\", "\\\\").replace('"', '\\"')
    # Names are unique per project: the artifact's name in its project is this artifact.
    query = f'{q} name:"{quoted}"'
    return store.artifacts.list_versions(query, sort=sort, page=page, size=size, project_id=found.scope.project_id)


def list_versions(
    store: SqlStore, caller: Principal, q: str, sort: str | None, page: int, size: int, project: str | None = None
) -> Page[ArtifactVersionRead]:
    """Artifact versions matching ``q`` of every artifact the caller may read."""
    return store.artifacts.list_versions(
        q,
        sort=sort,
        page=page,
        size=size,
        visibility=scopes.visibility(caller, "artifact"),
        project_id=scopes.project_filter(store, caller, project),
    )


def get_version_or_404(
    store: SqlStore, caller: Principal, ref: str | uuid.UUID, project: str | None = None
) -> ArtifactVersionRead:
    """A version by id, or ``name`` (latest) / ``name:N``, of an artifact the caller may read."""
    found = scopes.readable(store, caller, "artifact_version", ref, project)
    return or_404(lambda: store.artifacts.get_version(found.id))


def list_consumers(
    store: SqlStore, caller: Principal, version_id: uuid.UUID, page: int, size: int
) -> Page[StepRunRead]:
    """Step runs that took the version as an input: only those of runs the caller may read (counted alike)."""
    get_version_or_404(store, caller, version_id)
    return store.steps.consumers(version_id, visibility=scopes.visibility(caller, "run"), page=page, size=size)


# -- where the files are ---------------------------------------------------------------
def located(
    store: SqlStore,
    files: ArtifactStore,
    uri: str,
    workspaces: uuid.UUID | Callable[[], uuid.UUID | Sequence[uuid.UUID] | None],
) -> ArtifactStore:
    """The store holding ``uri`` (read from the database): ``files`` (the server's) when it contains it,
    else the artifact store component of ``workspaces`` whose root holds it (see :mod:`waypost.artifacts.locate`).

    409 when none does (as for any location outside the server's store); a component that cannot
    be opened is a one-line ArtifactStoreError (502).
    """
    if files.contains(uri):  # the server's own store: no query
        return files
    try:
        return locate.locator(files, store.stacks).store_for(uri, workspaces)
    except locate.OutsideStoresError:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "The stored location lies outside the artifact store; it will not be served."
        ) from None


@contextmanager
def guarded_reads(files: ArtifactStore) -> Iterator[None]:
    """Reads from ``files``: a remote store that fails to answer is a one-line 502, never a 500.

    Answers already decided (HTTP errors, our own errors, a missing file) pass through.
    """
    if files.is_local:
        yield
        return
    try:
        yield
    except (HTTPException, WaypostError, FileNotFoundError):
        raise
    except Exception as exc:  # botocore, aiohttp, fsspec: the store did not answer
        raise locate.unreadable(files.uri, exc, locate.secrets_of(files)) from None


def version_and_files(
    store: SqlStore, files: ArtifactStore, caller: Principal, version_id: uuid.UUID
) -> tuple[ArtifactVersionRead, ArtifactStore]:
    """A version the caller may read and the store that holds its files (the one its run wrote to)."""
    found = scopes.readable(store, caller, "artifact_version", version_id)
    version = or_404(lambda: store.artifacts.get_version(found.id))
    return version, located(store, files, version.uri, found.scope.workspace_id)


# -- content ---------------------------------------------------------------------------
def list_files(
    store: SqlStore, files: ArtifactStore, caller: Principal, version_id: uuid.UUID
) -> list[ArtifactFileRead]:
    """Every file inside the version's folder, by path relative to it."""
    version, files = version_and_files(store, files, caller, version_id)
    with guarded_reads(files):
        return [ArtifactFileRead(path=rel, size=size) for rel, _, size in _walk(files, version)]


def visualization(
    store: SqlStore,
    files: ArtifactStore,
    caller: Principal,
    version_id: uuid.UUID,
    index: int,
    range_header: str | None,
) -> Response:
    """The ``index``-th visualization file; HTML in a CSP sandbox without same-origin access."""
    version, files = version_and_files(store, files, caller, version_id)
    if not 0 <= index < len(version.visualizations):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"Artifact version '{version_id}' has {len(version.visualizations)} visualizations; "
            f"ask for an index from 0 to {len(version.visualizations) - 1}.",
        )
    ref = version.visualizations[index]
    folder = checked_uri(files, version.uri)
    uri = checked_uri(files, f"{folder.rstrip('/')}/{ref.path}", inside=folder)
    if ref.type in _TEXT:
        media = _TEXT[ref.type]
    elif ref.type == VisualizationType.IMAGE:
        media = mimetypes.guess_type(uri)[0] or "image/png"
    else:
        media = "application/json"
    with guarded_reads(files):
        if ref.type == VisualizationType.HTML:
            return file_response(files, uri, media, range_header, csp=HTML_SANDBOX)
        return file_response(files, uri, media, range_header)


def download(
    store: SqlStore, files: ArtifactStore, caller: Principal, version_id: uuid.UUID, range_header: str | None
) -> Response:
    """The version as an attachment: its one file as is, or a zip of its folder."""
    version, files = version_and_files(store, files, caller, version_id)
    with guarded_reads(files):
        return _download(files, version, range_header)


def _download(files: ArtifactStore, version: ArtifactVersionRead, range_header: str | None) -> Response:
    found = _walk(files, version)
    base = safe_filename(f"{version.name}-v{version.version}")
    if len(found) == 1:
        rel, uri, _ = found[0]
        ext = safe_filename(rel.rsplit(".", 1)[1]) if "." in rel else ""
        response = file_response(files, uri, "application/octet-stream", range_header)
        name = f"{base}.{ext}" if ext else base
    else:
        total = sum(size for _, _, size in found)
        if total > MAX_RESPONSE_BYTES:
            raise HTTPException(
                413,
                f"The version holds {total} bytes, over the {MAX_RESPONSE_BYTES}-byte download limit; "
                "list its files and fetch them from the artifact store.",
            )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel, uri, _ in found:
                zf.writestr(rel, read(files, uri))
        response = Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
        )
        name = f"{base}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _walk(files: ArtifactStore, version: ArtifactVersionRead) -> list[tuple[str, str, int]]:
    """(relative path, checked URI, size) of each file of the version, sorted by path."""
    version_id = version.id
    folder = checked_uri(files, version.uri).rstrip("/")
    try:
        found: dict[str, dict[str, Any]] = files.fs.find(folder, detail=True)
    except FileNotFoundError:
        found = {}
    if not found:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"The files of artifact version '{version_id}' are missing from the store."
        )
    out = []
    for path, info in sorted(found.items()):
        uri = checked_uri(files, path, inside=folder)
        out.append((uri[len(folder) + 1 :], uri, int(info.get("size") or 0)))
    return out
