"""Artifact uploads from clients that cannot reach the artifact store: unpacked safely, committed whole.

The archive (tar, optionally gzip/bzip2/xz-compressed, or zip) holds the version folder's
files. Nothing in the request names a place on disk: the destination is
``artifact_uri(name, id, prefix)``, ``prefix`` being the artifact prefix of the workspace of the
project the version is recorded into (:func:`waypost.server.services.transfer.workspace_prefix`),
and every member must be a plain file or folder with a relative path that stays inside the
folder (no absolute paths, no ``..``, no links or devices), with path components of at most
255 bytes and 1,024 in all. The archive's headers are not
trusted for sizes: the bytes actually written are counted, and unpacking stops (413) at the
``max_unpacked_bytes`` or ``max_archive_members`` limit. The files are unpacked into a
staging folder that is renamed into place only when all of them are there, so a refused
archive leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import bz2
import errno
import gzip
import lzma
import stat
import struct
import tarfile
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore
from waypost.schemas.store_api import ArtifactUpload

CHUNK = 1024 * 1024
MAX_COMPONENT_BYTES = 255
"""Longest path component (file or folder name) of a member, in UTF-8 bytes (what filesystems allow)."""
MAX_PATH_CHARS = 1024
"""Longest member path."""
_MAX_HEADER_READ = 16 * 1024 * 1024  # tarfile reads a long-name or pax header whole: a bomb must not fill memory


@dataclass(frozen=True)
class Limits:
    """What one archive may unpack to."""

    max_bytes: int
    max_members: int


class _Budget:
    """Counts members, and the files and bytes actually written; 413 past a limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.bytes = 0
        self.members = 0
        self.files = 0

    def member(self, count: int = 1) -> None:
        self.members += count
        if self.members > self.limits.max_members:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                f"The archive holds more than {self.limits.max_members} members, the server's "
                "server.max_archive_members limit; upload fewer files, or pack them into one.",
            )

    def copy(self, source: IO[bytes], target: Path) -> None:
        self.files += 1
        with open(target, "xb") as out:
            while block := source.read(CHUNK):
                self.bytes += len(block)
                if self.bytes > self.limits.max_bytes:
                    raise HTTPException(
                        status.HTTP_413_CONTENT_TOO_LARGE,
                        f"The archive unpacks to more than {self.limits.max_bytes} bytes, the server's "
                        "server.max_unpacked_bytes limit; upload a smaller artifact.",
                    )
                out.write(block)


def _refuse(name: str, why: str) -> HTTPException:
    shown = "".join(c if c.isprintable() else "?" for c in name[:80])
    more = "…" if len(name) > 80 else ""
    return HTTPException(status.HTTP_400_BAD_REQUEST, f"Archive member '{shown}{more}' {why}; refused.")


def member_path(name: str) -> PurePosixPath:
    """The member's relative path, or a 400 for one that could leave the folder or no filesystem takes."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or "\0" in name or path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise _refuse(name, "has an unsafe path (absolute, '..', a drive or a NUL)")
    if len(name) > MAX_PATH_CHARS:
        raise _refuse(name, f"has a path of {len(name)} characters, over {MAX_PATH_CHARS}")
    long = next((p for p in path.parts if len(p.encode("utf-8", "surrogateescape")) > MAX_COMPONENT_BYTES), None)
    if long is not None:
        raise _refuse(name, f"has a name part of {len(long.encode('utf-8', 'surrogateescape'))} bytes, over 255")
    return path


def _place(target: Path, rel: PurePosixPath) -> Path:
    """``target / rel``, with its parent folders made (a member path's folders are never links)."""
    out = target.joinpath(*rel.parts)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


class _CappedReader:
    """A read-only file that refuses single reads over :data:`_MAX_HEADER_READ` (see tarfile headers)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > _MAX_HEADER_READ:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, "The archive holds a tar header of many megabytes; refused."
            )
        data: bytes = self.raw.read(size)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        position: int = self.raw.seek(offset, whence)
        return position

    def tell(self) -> int:
        position: int = self.raw.tell()
        return position


def _looks_like_tar(archive: Path) -> bool:
    """Compressed, or a ``ustar`` header: tried as a tar first (a zip inside a tar must not turn it into a zip)."""
    with open(archive, "rb") as fh:
        head = fh.read(512)
    return head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar"


def _open_decompressed(archive: Path) -> Any:
    with open(archive, "rb") as fh:
        magic = fh.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(archive, "rb")
    if magic.startswith(b"BZh"):
        return bz2.open(archive, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        return lzma.open(archive, "rb")
    return open(archive, "rb")


def _extract_tar(archive: Path, target: Path, budget: _Budget) -> None:
    with _open_decompressed(archive) as raw, tarfile.open(fileobj=_CappedReader(raw), mode="r:") as tar:  # type: ignore[call-overload]
        for member in tar:  # one header at a time: never the whole member list in memory
            budget.member()
            rel = member_path(member.name)
            if member.isdir():
                target.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                source = tar.extractfile(member)
                if source is not None:
                    with source:
                        budget.copy(source, _place(target, rel))
            else:
                raise _refuse(member.name, "is a link or device")


def _zip_entries(archive: Path) -> int:
    """The member count the zip's end record declares (read before zipfile loads the whole directory)."""
    with open(archive, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return 0
    count: int = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    locator = tail.rfind(b"PK\x06\x07", 0, at)
    if count == 0xFFFF and locator >= 0:  # zip64: the real count is in the zip64 end record
        with open(archive, "rb") as fh:
            fh.seek(struct.unpack("<Q", tail[locator + 8 : locator + 16])[0])
            record = fh.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            count = struct.unpack("<Q", record[32:40])[0]
    return count


def _extract_zip(archive: Path, target: Path, budget: _Budget) -> None:
    _Budget(budget.limits).member(_zip_entries(archive))  # before zipfile reads the whole directory
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            budget.member()
            rel = member_path(info.filename)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):  # a symlink (zip -y), device or fifo
                raise _refuse(info.filename, "is a link or device")
            if info.is_dir():
                target.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
                continue
            with zf.open(info) as source:
                budget.copy(source, _place(target, rel))


def extract(archive: Path, target: Path, limits: Limits) -> tuple[int, int]:
    """Unpack a tar or zip ``archive`` into ``target`` within ``limits``; (files, bytes) written.

    Raises:
        HTTPException: 400 for an unsafe, damaged or unknown archive, 413 past a limit,
            507 when the artifact store is full.
    """
    budget = _Budget(limits)
    try:
        if not _looks_like_tar(archive) and zipfile.is_zipfile(archive):
            _extract_zip(archive, target, budget)
        else:
            try:
                _extract_tar(archive, target, budget)
            except tarfile.ReadError:
                if budget.members:
                    raise
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST, "The upload is neither a tar nor a zip archive; send one."
                ) from None
    except HTTPException:
        raise
    except FileExistsError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The archive holds the same file twice; refused.") from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise HTTPException(
                status.HTTP_507_INSUFFICIENT_STORAGE, "The server's artifact store is full; free space and retry."
            ) from None
        if isinstance(exc, gzip.BadGzipFile | lzma.LZMAError) or exc.errno is None:
            raise _damaged(exc) from None
        # Never echo the path: it names the server's folders.
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"The archive cannot be unpacked ({exc.strerror or 'bad member'}); refused."
        ) from None
    except (tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, lzma.LZMAError, zlib.error) as exc:
        raise _damaged(exc) from None
    except (NotImplementedError, RuntimeError, ValueError) as exc:  # encrypted zip, unknown compression …
        raise _damaged(exc) from None
    return budget.files, budget.bytes


def _damaged(exc: BaseException) -> HTTPException:
    text = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return HTTPException(
        status.HTTP_400_BAD_REQUEST, f"The archive is damaged or unsupported ({text}); upload it again."
    )


async def upload_version(
    files: ArtifactStore,
    name: str,
    version_id: uuid.UUID,
    body: AsyncIterator[bytes],
    limits: Limits,
    prefix: str = "",
) -> ArtifactUpload:
    """Store the uploaded archive's files as the version's folder (under ``prefix``), as a whole or not at all."""
    dest = files.artifact_uri(name, version_id, prefix)
    if files.exists(dest):
        raise HTTPException(status.HTTP_409_CONFLICT, f"Version {version_id} of '{name}' has files already.")
    with tempfile.TemporaryDirectory(prefix="wp-upload-") as tmp:
        archive = Path(tmp) / "upload"
        with open(archive, "wb") as out:
            async for chunk in body:
                out.write(chunk)
        return await asyncio.to_thread(_commit, files, archive, dest, limits)


def _commit(files: ArtifactStore, archive: Path, dest: str, limits: Limits) -> ArtifactUpload:
    with files.staging_dir() as staging:
        count, size = extract(archive, staging, limits)
        files.commit_dir(staging, dest)
    return ArtifactUpload(uri=dest, files=count, size=size)
