"""Files for clients that cannot reach the artifact store: version folders and log chunks, by id only.

Each location is computed here from ids and names (``artifact_uri(name, id)``,
``log_uri(run_id, step)``); the request never supplies a path.
"""

from __future__ import annotations

import io
import re
import tarfile
import uuid

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore

CHUNK_RE = re.compile(r"^\d{12}\.jsonl$")
PROBE = ".waypost-id"


def probe_token(files: ArtifactStore) -> str:
    """The token in the artifact store's probe file (written once): a client that reads it can reach the store."""
    uri = files.join(PROBE)
    try:
        return files.read_bytes(uri).decode()
    except Exception:  # absent (or unreadable): write a new one
        token = uuid.uuid4().hex
        files.write_bytes(uri, token.encode())
        return token


def archive_version(files: ArtifactStore, name: str, version_id: uuid.UUID) -> bytes:
    """A gzipped tar of a version's folder."""
    uri = files.artifact_uri(name, version_id)
    if not files.exists(uri):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Version {version_id} of '{name}' has no files.")
    buffer = io.BytesIO()
    with files.open_dir(uri) as folder, tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buffer.getvalue()


def _step_logs(files: ArtifactStore, run_id: uuid.UUID, step: str) -> str:
    """The log folder of step ``step``; a name that looks like a path is refused (400), not cleaned up."""
    if "/" in step or "\\" in step or step.startswith(".."):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"'{step[:40]}' is not a step name; it looks like a path.")
    return files.log_uri(run_id, step)


def _chunk_uri(files: ArtifactStore, run_id: uuid.UUID, step: str, chunk: str) -> str:
    if not CHUNK_RE.match(chunk):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"'{chunk[:40]}' is not a log chunk name (NNNNNNNNNNNN.jsonl)."
        )
    return f"{_step_logs(files, run_id, step)}/{chunk}"


def put_log_chunk(files: ArtifactStore, run_id: uuid.UUID, step: str, chunk: str, data: bytes) -> None:
    """Write one log chunk of a step run."""
    files.write_bytes(_chunk_uri(files, run_id, step, chunk), data)


def list_log_chunks(files: ArtifactStore, run_id: uuid.UUID, step: str) -> list[str]:
    """The names of a step run's log chunks."""
    return [n for n in files.listdir(_step_logs(files, run_id, step)) if CHUNK_RE.match(n)]


def get_log_chunk(files: ArtifactStore, run_id: uuid.UUID, step: str, chunk: str) -> bytes:
    """One log chunk of a step run."""
    uri = _chunk_uri(files, run_id, step, chunk)
    if not files.exists(uri):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Log chunk {chunk} of step '{step}' does not exist.")
    return files.read_bytes(uri)
