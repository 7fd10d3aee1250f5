"""The artifact store: where artifact versions, visualizations and step logs live.

Any fsspec URI works (``/path`` or ``file://``, ``s3://bucket/prefix``, ``memory://``).
Writes are atomic: files are written under a temporary name and renamed on local
filesystems, where they are private to their owner (files 0600, folders 0700, whatever
the umask); on object stores each object appears whole when its upload finishes and a
version is only registered in the metadata store once all its objects are written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waypost.exceptions import ArtifactStoreError

if TYPE_CHECKING:
    import fsspec

#: Modes of what the store writes on a local filesystem: step logs and artifacts are private.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
#: A workspace's artifact prefix: one folder name of letters, digits, ``-``, ``_`` and ``.``, starting
#: with a letter or digit (as workspace names do; so never ``.``, ``..`` or a hidden folder).
_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,254}")


def check_prefix(prefix: str) -> str:
    """``prefix`` when it is a safe workspace folder name (or "", the store's root); else ArtifactStoreError.

    A prefix is one path component, so every workspace's files stay under the store's root and
    apart from every other workspace's.
    """
    if prefix == "" or _PREFIX.fullmatch(prefix):
        return prefix
    raise ArtifactStoreError(
        f"The workspace artifact prefix '{prefix[:80]}' is not a single safe folder name; "
        "use letters, digits, '-', '_' and '.', starting with a letter or digit."
    )


class ArtifactStore:
    """An fsspec-backed store of files rooted at ``uri``."""

    def __init__(self, uri: str, **storage_options: Any) -> None:
        self.uri = uri.rstrip("/") or "/"
        self._fs: fsspec.AbstractFileSystem | None = None
        if os.sep == "/" and self.uri.startswith("/") and "::" not in self.uri and not storage_options:
            # An absolute local path (the default store) needs no fsspec until a method below
            # uses it: its import (~20 ms, asyncio included) would slow every run's start.
            # fsspec's root for such a path is the path itself.
            self.root: str = self.uri
            self.is_local = True
            return
        import fsspec

        try:
            fs, root = fsspec.core.url_to_fs(self.uri, **storage_options)
        except (ImportError, ValueError) as exc:
            raise ArtifactStoreError(
                f"Cannot open artifact store '{uri}': {exc}; install the extra for that scheme "
                "(e.g. `pip install waypost[s3]`) or use a local path."
            ) from exc
        from fsspec.implementations.local import LocalFileSystem

        self._fs = fs
        self.root = root.rstrip("/") or "/"
        self.is_local = isinstance(fs, LocalFileSystem)

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        """The fsspec filesystem of the store (for a local path, made on first use)."""
        if self._fs is None:
            from fsspec.implementations.local import LocalFileSystem

            self._fs = LocalFileSystem()
        return self._fs

    # -- locations -------------------------------------------------------------------
    def join(self, *parts: str) -> str:
        """A URI under this store's root."""
        return "/".join([self.root, *(p.strip("/") for p in parts)])

    def artifact_uri(self, artifact_name: str, version_id: uuid.UUID, prefix: str = "") -> str:
        """Where a new artifact version's files go: ``[<prefix>/]artifacts/<name>/<id>``.

        ``prefix`` is the artifact prefix of the workspace the version is recorded in ("" for
        the default workspace, whose files lie at the root).
        """
        return self.join(*_under(prefix), "artifacts", _safe(artifact_name), version_id.hex)

    def log_uri(self, run_id: uuid.UUID, step_name: str, prefix: str = "") -> str:
        """Where a step run's log chunks go: ``[<prefix>/]logs/<run>/<step>`` (``prefix`` as above)."""
        return self.join(*_under(prefix), "logs", run_id.hex, _safe(step_name))

    def contains(self, uri: str) -> bool:
        """True when ``uri`` lies inside this store (guards URIs read from the database)."""
        norm = os.path.normpath(uri) if self.is_local else uri
        root = os.path.normpath(self.root) if self.is_local else self.root
        return norm == root or norm.startswith(root.rstrip("/") + "/")

    def local_path(self, uri: str) -> Path | None:
        """The local filesystem path of ``uri``, or ``None`` for remote stores."""
        return Path(uri) if self.is_local else None

    # -- checks ----------------------------------------------------------------------
    def check_writable(self) -> None:
        """Raise :class:`ArtifactStoreError` unless files can be created under the root."""
        probe = self.join(f".probe-{uuid.uuid4().hex}")
        try:
            if self.is_local:
                private_makedirs(self.root)
                os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
                os.remove(probe)
            else:
                self.fs.makedirs(self.root, exist_ok=True)
                self.fs.pipe_file(probe, b"")
                self.fs.rm_file(probe)
        except OSError as exc:
            raise ArtifactStoreError(
                f"Artifact store '{self.uri}' is not writable ({exc.strerror or exc}); "
                "fix its permissions or point WAYPOST_ARTIFACT_STORE__URI at a writable location."
            ) from exc

    # -- directories -----------------------------------------------------------------
    @contextmanager
    def staging_dir(self) -> Iterator[Path]:
        """A local scratch folder; for local stores it sits on the same filesystem."""
        base: str | None = None
        if self.is_local:
            base = os.path.join(self.root, ".staging")
            try:
                private_makedirs(base)
            except OSError as exc:
                raise _not_writable(self.uri, exc) from exc
        path = Path(tempfile.mkdtemp(prefix="wp-", dir=base))
        try:
            yield path
        finally:
            # After a local commit the folder has been renamed away; only failures leave one.
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)

    def commit_dir(self, local_dir: Path, uri: str) -> None:
        """Publish ``local_dir`` at ``uri`` as a whole, or not at all."""
        try:
            if self.is_local:
                private_makedirs(os.path.dirname(uri))
                _make_private(local_dir)
                os.replace(local_dir, uri)
            else:
                self.fs.put(str(local_dir) + "/", uri, recursive=True)
        except OSError as exc:
            self.remove(uri)
            raise _not_writable(self.uri, exc) from exc

    @contextmanager
    def open_dir(self, uri: str) -> Iterator[Path]:
        """A local folder with the contents of ``uri`` (the folder itself when local).

        A file (one registered with ``register_artifact``) comes as a local path to the file,
        named as in the store.
        """
        if self.is_local:
            if os.path.isfile(uri):
                yield Path(uri)
                return
            if not os.path.isdir(uri):
                raise ArtifactStoreError(
                    f"Artifact files at '{uri}' are missing; they were deleted from the store. "
                    "Re-run the producing step with caching disabled to recreate them."
                )
            yield Path(uri)
            return
        with tempfile.TemporaryDirectory(prefix="wp-load-") as tmp:
            if self.fs.isfile(uri):
                local = Path(tmp) / uri.rstrip("/").rsplit("/", 1)[-1]
                self.fs.get_file(uri, str(local))
                yield local
                return
            try:
                self.fs.get(uri.rstrip("/") + "/", tmp, recursive=True)
            except FileNotFoundError as exc:
                raise ArtifactStoreError(
                    f"Artifact files at '{uri}' are missing from the store; re-run the producing step."
                ) from exc
            yield Path(tmp)

    def remove(self, uri: str) -> None:
        """Delete ``uri`` and everything under it, if present."""
        try:
            if self.fs.exists(uri):
                self.fs.rm(uri, recursive=True)
        except OSError:
            pass  # best effort: removal only cleans up after a failure

    # -- single files ----------------------------------------------------------------
    def write_bytes(self, uri: str, data: bytes) -> None:
        """Write one file atomically."""
        try:
            if self.is_local:
                private_makedirs(os.path.dirname(uri))
                tmp = f"{uri}.tmp-{uuid.uuid4().hex[:8]}"
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
                with os.fdopen(fd, "wb") as fh:
                    os.fchmod(fd, PRIVATE_FILE)  # the umask may have narrowed the mode os.open gave
                    fh.write(data)
                os.replace(tmp, uri)
            else:
                self.fs.pipe_file(uri, data)
        except OSError as exc:
            raise _not_writable(self.uri, exc) from exc

    def read_bytes(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        """Read a file, or the byte range ``[start, end)`` of it."""
        try:
            if start is None and end is None:
                return bytes(self.fs.cat_file(uri))
            return bytes(self.fs.cat_file(uri, start=start, end=end))
        except FileNotFoundError as exc:
            raise ArtifactStoreError(f"File '{uri}' is missing from the artifact store.") from exc

    def exists(self, uri: str) -> bool:
        """True when ``uri`` exists."""
        if self.is_local:  # a stat, without fsspec's path handling (cache hits check every output)
            return os.path.exists(uri)
        return bool(self.fs.exists(uri))

    def listdir(self, uri: str) -> list[str]:
        """Names (not paths) of the entries directly under ``uri``; empty when absent."""
        try:
            if self.is_local:
                return sorted(os.listdir(uri))
            return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in self.fs.ls(uri, detail=False))
        except FileNotFoundError:
            return []

    def size(self, uri: str) -> int:
        """Size of a file in bytes."""
        return int(self.fs.size(uri))


def private_makedirs(path: str) -> None:
    """Create ``path`` and its missing parents as folders only their owner can enter (0700)."""
    missing: list[str] = []
    current = os.path.abspath(path)
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR)
        except FileExistsError:  # another writer made it meanwhile
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode passes through the umask


def _make_private(folder: Path) -> None:
    """Files 0600 and folders 0700 throughout ``folder`` (materializers write with the umask's modes)."""
    os.chmod(folder, PRIVATE_DIR)
    for parent, dirs, names in os.walk(folder):
        for name, mode in [*((d, PRIVATE_DIR) for d in dirs), *((n, PRIVATE_FILE) for n in names)]:
            path = os.path.join(parent, name)
            if not os.path.islink(path):  # a link's target is not the store's to change
                os.chmod(path, mode)


def _under(prefix: str) -> tuple[str, ...]:
    """The folders a workspace's files lie under: none for the default workspace."""
    return (check_prefix(prefix),) if prefix else ()


def _safe(name: str) -> str:
    """A name usable as one path segment."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "_"


def _not_writable(uri: str, exc: OSError) -> ArtifactStoreError:
    return ArtifactStoreError(
        f"Artifact store '{uri}' is not writable ({exc.strerror or exc}); "
        "fix its permissions or point WAYPOST_ARTIFACT_STORE__URI at a writable location."
    )
