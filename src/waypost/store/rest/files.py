"""Files through the server, for machines that cannot reach its artifact store directly."""

from __future__ import annotations

import tarfile
import tempfile
import uuid
from pathlib import Path

from pydantic import TypeAdapter

from waypost.exceptions import ArtifactStoreError
from waypost.schemas.store_api import ArtifactUpload
from waypost.store.rest.http import Http

_OCTETS = {"Content-Type": "application/octet-stream"}


class RestFiles:
    """Version folders and log chunks, sent and fetched by id (the server picks every path)."""

    def __init__(self, http: Http) -> None:
        self._h = http

    def upload_version(self, name: str, version_id: uuid.UUID, folder: Path) -> str:
        """Send a version folder's files as a gzipped tar; return the URI the server stored them at."""
        with tempfile.TemporaryFile() as archive:
            with tarfile.open(fileobj=archive, mode="w:gz") as tar:
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
            archive.seek(0)
            response = self._h.request(
                "PUT",
                f"/artifact-versions/{version_id}/upload",
                params={"name": name},
                content=archive,
                headers=_OCTETS,
            )
        return ArtifactUpload.model_validate_json(response.content).uri

    def download_version(self, name: str, version_id: uuid.UUID, dest: Path) -> None:
        """Fetch a version's files into the folder ``dest``."""
        response = self._h.request("GET", f"/artifact-versions/{version_id}/archive", params={"name": name})
        with tempfile.TemporaryFile() as archive:
            archive.write(response.content)
            archive.seek(0)
            with tarfile.open(fileobj=archive, mode="r:gz") as tar:
                try:
                    tar.extractall(dest, filter="data")  # refuses absolute paths, `..` and links out
                except tarfile.TarError as exc:
                    raise ArtifactStoreError(f"The server sent a damaged archive for '{name}' ({exc}).") from None

    def put_log_chunk(self, run_id: uuid.UUID, step: str, chunk: str, data: bytes) -> None:
        """Write one log chunk of a step run (idempotent: the same name, the same bytes)."""
        self._h.request("PUT", f"/runs/{run_id}/log-chunks/{step}/{chunk}", content=data, headers=_OCTETS)

    def list_log_chunks(self, run_id: uuid.UUID, step: str) -> list[str]:
        """The names of a step run's log chunks."""
        response = self._h.request("GET", f"/runs/{run_id}/log-chunks/{step}")
        return TypeAdapter(list[str]).validate_json(response.content)

    def get_log_chunk(self, run_id: uuid.UUID, step: str, chunk: str) -> bytes:
        """One log chunk."""
        return self._h.request("GET", f"/runs/{run_id}/log-chunks/{step}/{chunk}").content
