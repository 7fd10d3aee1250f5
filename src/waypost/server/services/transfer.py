"""Files for clients that cannot reach the artifact store: version folders and log chunks, by id only.

Each location is computed here from ids and names (``artifact_uri(name, id, prefix)``,
``log_uri(run_id, step, prefix)``); the request never supplies a path. ``prefix`` is the artifact
prefix of the workspace the files belong to (:func:`workspace_prefix`): that of the run or
version's project when it is recorded, else that of the project the request records into.
Nothing is served through a symbolic link planted in the store (403): every component is
checked with ``lstat`` and files are opened with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tarfile
import uuid
from collections.abc import AsyncIterator

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore, check_prefix
from waypost.exceptions import ArtifactStoreError
from waypost.schemas.access import DEFAULT_WORKSPACE_ID
from waypost.server.deps import ProjectScope
from waypost.server.services._files import READ_NO_FOLLOW, link_refused, read, refuse_links
from waypost.store.sql.store import SqlStore

CHUNK_RE = re.compile(r"^\d{12}\.jsonl$")
PROBE = ".waypost-id"
MAX_LOG_CHUNK_BYTES = 64 * 1024 * 1024
"""The largest log chunk a client may upload (Waypost's log writer starts a new chunk every megabyte)."""


def probe_token(files: ArtifactStore) -> str:
    """The token in the artifact store's probe file (written once): a client that reads it can reach the store."""
    uri = files.join(PROBE)
    try:
        return files.read_bytes(uri).decode()
    except Exception:  # absent (or unreadable): write a new one
        token = uuid.uuid4().hex
        files.write_bytes(uri, token.encode())
        return token


def workspace_prefix(store: SqlStore, scope: ProjectScope) -> str:
    """The artifact prefix of the workspace of ``scope``: where its files lie under the store's root.

    The default workspace's is "" (its files lie at the root, as they did before workspaces):
    no query. A prefix that is not one safe folder name is refused (409), never used as a path.
    """
    if scope.workspace_id == DEFAULT_WORKSPACE_ID:
        return ""
    prefix = store.access.get_workspace(scope.workspace_id).artifact_prefix
    try:
        return check_prefix(prefix)
    except ArtifactStoreError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


def archive_version(files: ArtifactStore, name: str, version_id: uuid.UUID, prefix: str = "") -> bytes:
    """A gzipped tar of a version's folder (under the workspace ``prefix``)."""
    uri = files.artifact_uri(name, version_id, prefix)
    refuse_links(files, uri)
    if not files.exists(uri):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Version {version_id} of '{name}' has no files.")
    buffer = io.BytesIO()
    with files.open_dir(uri) as folder, tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        if files.is_local:
            _add_local_tree(tar, str(folder))
        else:  # a temporary copy of an object store's files: no links in it
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def _add_local_tree(tar: tarfile.TarFile, top: str) -> None:
    """Add the regular files under ``top``; a link or special file anywhere is a 403, never followed."""
    found: list[str] = []
    for root, folders, names in os.walk(top):  # links to folders are listed, not entered
        if any(os.path.islink(os.path.join(root, entry)) for entry in (*folders, *names)):
            raise link_refused()
        found.extend(os.path.join(root, name) for name in names)
    for full in sorted(found):
        try:
            fd = os.open(full, READ_NO_FOLLOW)
        except OSError:
            raise link_refused() from None  # replaced by a link since the walk, or unreadable
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # a fifo or device
                raise link_refused()
            member = tarfile.TarInfo(os.path.relpath(full, top).replace(os.sep, "/"))
            member.size, member.mtime, member.mode = info.st_size, int(info.st_mtime), 0o644
            tar.addfile(member, fh)


def _step_logs(files: ArtifactStore, run_id: uuid.UUID, step: str, prefix: str) -> str:
    """The log folder of step ``step``; a name that looks like a path is refused (400), not cleaned up."""
    if "/" in step or "\\" in step or step.startswith(".."):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"'{step[:40]}' is not a step name; it looks like a path.")
    return files.log_uri(run_id, step, prefix)


def _chunk_uri(files: ArtifactStore, run_id: uuid.UUID, step: str, chunk: str, prefix: str) -> str:
    if not CHUNK_RE.match(chunk):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"'{chunk[:40]}' is not a log chunk name (NNNNNNNNNNNN.jsonl)."
        )
    return f"{_step_logs(files, run_id, step, prefix)}/{chunk}"


async def put_log_chunk(
    files: ArtifactStore, run_id: uuid.UUID, step: str, chunk: str, body: AsyncIterator[bytes], prefix: str = ""
) -> None:
    """Write one log chunk of a step run (413 over :data:`MAX_LOG_CHUNK_BYTES`; nothing written then)."""
    uri = _chunk_uri(files, run_id, step, chunk, prefix)
    refuse_links(files, uri)
    parts: list[bytes] = []
    size = 0
    async for part in body:
        size += len(part)
        if size > MAX_LOG_CHUNK_BYTES:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"A log chunk may hold {MAX_LOG_CHUNK_BYTES} bytes; split the log into smaller chunks.",
            )
        parts.append(part)
    files.write_bytes(uri, b"".join(parts))


def list_log_chunks(files: ArtifactStore, run_id: uuid.UUID, step: str, prefix: str = "") -> list[str]:
    """The names of a step run's log chunks."""
    folder = _step_logs(files, run_id, step, prefix)
    refuse_links(files, folder)
    return [n for n in files.listdir(folder) if CHUNK_RE.match(n)]


def get_log_chunk(files: ArtifactStore, run_id: uuid.UUID, step: str, chunk: str, prefix: str = "") -> bytes:
    """One log chunk of a step run; never read through a symbolic link (403)."""
    uri = _chunk_uri(files, run_id, step, chunk, prefix)
    refuse_links(files, uri)
    if not files.exists(uri):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Log chunk {chunk} of step '{step}' does not exist.")
    return read(files, uri)
