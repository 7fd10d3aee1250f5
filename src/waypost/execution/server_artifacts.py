"""The server's artifact store, reached through the server when this machine cannot reach it directly.

URIs are the server's own (what the records hold is the same as for a direct write); files
travel by id through :class:`~waypost.store.rest.files.RestFiles`: a version folder is
uploaded whole when committed and fetched when opened, log chunks one by one. The server puts
them under the artifact prefix of the workspace they are recorded in, as a direct write does
(``[<prefix>/]artifacts/<name>/<id>``, ``[<prefix>/]logs/<run>/<step>``).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import ArtifactStoreError
from waypost.store.rest.files import RestFiles


class ServerArtifactStore(ArtifactStore):
    """An :class:`ArtifactStore` at the server's ``uri`` whose files go through the server's API."""

    def __init__(self, uri: str, files: RestFiles, scratch: Path) -> None:
        scratch.mkdir(parents=True, exist_ok=True)
        super().__init__(str(scratch))  # staging happens in a local scratch folder
        self.server_root = uri.rstrip("/")
        self.uri = uri
        self.is_local = False
        self.files = files

    def join(self, *parts: str) -> str:
        return "/".join([self.server_root, *(p.strip("/") for p in parts)])

    def contains(self, uri: str) -> bool:
        return uri.startswith(self.server_root + "/")

    def local_path(self, uri: str) -> Path | None:
        return None

    def check_writable(self) -> None:
        """The server checks its own store; nothing to do here."""

    def _parts(self, uri: str, kind: str, count: int) -> list[str]:
        """The ``count - 1`` parts after ``kind`` in ``uri``, which may start with a workspace's prefix."""
        parts = uri[len(self.server_root) + 1 :].split("/") if self.contains(uri) else []
        if len(parts) == count + 1:  # <prefix>/<kind>/...: the names after kind hold no "/"
            parts = parts[1:]
        if len(parts) != count or parts[0] != kind:
            raise ArtifactStoreError(f"'{uri}' is not a {kind} location of the server's artifact store.")
        return parts[1:]

    def _version(self, uri: str) -> tuple[str, uuid.UUID]:
        name, hex_id = self._parts(uri, "artifacts", 3)
        return name, uuid.UUID(hex_id)

    def _chunk(self, uri: str) -> tuple[uuid.UUID, str, str]:
        run_hex, step, chunk = self._parts(uri, "logs", 4)
        return uuid.UUID(run_hex), step, chunk

    @contextmanager
    def staging_dir(self) -> Iterator[Path]:
        path = Path(tempfile.mkdtemp(prefix="wp-"))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def commit_dir(self, local_dir: Path, uri: str) -> None:
        name, version_id = self._version(uri)
        stored = self.files.upload_version(name, version_id, local_dir)
        # The server picks the folder (its workspace's prefix included): it must be the one recorded.
        # It names it by its store's root, which may lack the scheme the URI has (file://, s3://).
        if uri != stored and not uri.endswith("/" + stored.strip("/")):
            raise ArtifactStoreError(
                f"The server stored version {version_id} of '{name}' at '{stored}', not at '{uri}'; "
                "the server places files by another rule (an older version?): run the same Waypost version on both."
            )

    @contextmanager
    def open_dir(self, uri: str) -> Iterator[Path]:
        name, version_id = self._version(uri)
        with tempfile.TemporaryDirectory(prefix="wp-load-") as tmp:
            self.files.download_version(name, version_id, Path(tmp))
            yield Path(tmp)

    def remove(self, uri: str) -> None:
        """Nothing to undo: an upload is committed whole or not at all."""

    def exists(self, uri: str) -> bool:
        """Versions the server recorded are trusted to have their files (it checks on read)."""
        return self.contains(uri)

    def write_bytes(self, uri: str, data: bytes) -> None:
        run_id, step, chunk = self._chunk(uri)
        self.files.put_log_chunk(run_id, step, chunk, data)

    def read_bytes(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        run_id, step, chunk = self._chunk(uri)
        return self.files.get_log_chunk(run_id, step, chunk)[start:end]

    def listdir(self, uri: str) -> list[str]:
        run_hex, step = self._parts(uri, "logs", 3)
        return self.files.list_log_chunks(uuid.UUID(run_hex), step)

    def size(self, uri: str) -> int:
        return len(self.read_bytes(uri))
