"""Artifact uploads from clients that cannot reach the artifact store: unpacked safely, committed whole.

The archive (tar, optionally gzipped, or zip) holds the version folder's files. Nothing in
the request names a place on disk: the destination is ``artifact_uri(name, id)``, and every
member must be a plain file or folder with a relative path that stays inside the folder
(no absolute paths, no ``..``, no links or devices).
"""

from __future__ import annotations

import asyncio
import shutil
import tarfile
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore
from waypost.schemas.store_api import ArtifactUpload

CHUNK = 1024 * 1024


def _member_path(name: str) -> PurePosixPath:
    """The member's relative path, or a 400 for one that could leave the folder."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Archive member '{name[:80]}' has an unsafe path; refused.")
    return path


def _extract_tar(archive: Path, target: Path) -> None:
    with tarfile.open(archive, "r:*") as tar:
        for member in tar.getmembers():
            rel = _member_path(member.name)
            if member.isdir():
                (target / rel).mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                source = tar.extractfile(member)
                if source is None:
                    continue
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                with source, open(target / rel, "xb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
            else:
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST, f"Archive member '{member.name[:80]}' is a link or device; refused."
                )


def _extract_zip(archive: Path, target: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            rel = _member_path(info.filename)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:  # a symlink stored by zip -y
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST, f"Archive member '{info.filename[:80]}' is a link; refused."
                )
            if info.is_dir():
                (target / rel).mkdir(parents=True, exist_ok=True)
                continue
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target / rel, "xb") as out:
                shutil.copyfileobj(source, out, CHUNK)


def extract(archive: Path, target: Path) -> None:
    """Unpack a tar or zip ``archive`` into ``target``, refusing members that could escape it."""
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, target)
        elif tarfile.is_tarfile(archive):
            _extract_tar(archive, target)
        else:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "The upload is neither a tar nor a zip archive.")
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"The archive is damaged ({exc}); upload it again.") from None
    except FileExistsError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The archive holds the same file twice; refused.") from None


async def upload_version(
    files: ArtifactStore, name: str, version_id: uuid.UUID, body: AsyncIterator[bytes]
) -> ArtifactUpload:
    """Store the uploaded archive's files as the version's folder, as a whole or not at all."""
    dest = files.artifact_uri(name, version_id)
    if files.exists(dest):
        raise HTTPException(status.HTTP_409_CONFLICT, f"Version {version_id} of '{name}' has files already.")
    with tempfile.TemporaryDirectory(prefix="wp-upload-") as tmp:
        archive = Path(tmp) / "upload"
        with open(archive, "wb") as out:
            async for chunk in body:
                out.write(chunk)
        return await asyncio.to_thread(_commit, files, archive, dest)


def _commit(files: ArtifactStore, archive: Path, dest: str) -> ArtifactUpload:
    with files.staging_dir() as staging:
        extract(archive, staging)
        sizes = [p.stat().st_size for p in staging.rglob("*") if p.is_file()]
        files.commit_dir(staging, dest)
    return ArtifactUpload(uri=dest, files=len(sizes), size=sum(sizes))
