"""File operations on local paths and on any fsspec URI, with ZenML's ``fileio`` functions.

    from waypost.io import fileio

    fileio.makedirs("s3://bucket/reports")
    with fileio.open("s3://bucket/reports/summary.txt", "w") as f:
        f.write("accuracy 0.93")
    fileio.listdir("s3://bucket/reports")          # ['summary.txt']

A path without a scheme is a local path and goes to :mod:`os`, :mod:`shutil` and :mod:`glob`;
a URI (``file://``, ``memory://``, ``s3://``, ``gs://`` …) goes to the fsspec filesystem for
its scheme, whose package must be installed (``s3fs`` for ``s3://``). Paths that come back
(``glob``, ``walk``, ``listdir(only_file_names=False)``) are spelled like the path given:
``s3://bucket/a`` in, ``s3://bucket/a/b`` out. fsspec is imported on the first URI only.
"""

from __future__ import annotations

import builtins
import errno
import glob as _glob
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = [
    "copy",
    "exists",
    "glob",
    "isdir",
    "listdir",
    "makedirs",
    "mkdir",
    "open",
    "remove",
    "rename",
    "rmtree",
    "size",
    "stat",
    "walk",
]

PathType = str | bytes | os.PathLike[str] | os.PathLike[bytes]
"""A path: ``str`` (a local path or a URI), ``bytes`` or a path object; paths come back as ``str``."""

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_CHUNK = 1 << 20


class _Remote:
    """A URI as its fsspec filesystem and the path that filesystem uses."""

    def __init__(self, uri: str) -> None:
        import fsspec

        try:
            self.fs, self.path = fsspec.core.url_to_fs(uri)
        except (ImportError, ValueError) as exc:
            scheme = uri.split("://", 1)[0]
            raise ValueError(
                f"No filesystem handles '{scheme}://' paths ({exc}); install the fsspec package for "
                "that scheme (s3fs for s3://, gcsfs for gs://, adlfs for az://) or use a local path."
            ) from exc
        # The caller's spelling of the root, so paths come back as given ("memory://a/b", not "memory:///a/b").
        trimmed = uri.rstrip("/")
        path = self.path.rstrip("/")
        self._prefix = trimmed[: len(trimmed) - len(path)] if path and trimmed.endswith(path) else None

    def outward(self, path: str) -> str:
        """``path`` (as the filesystem names it) spelled as a URI like the one given."""
        if self._prefix is not None:
            return self._prefix + path
        return str(self.fs.unstrip_protocol(path))


def _str(path: PathType) -> str:
    return os.fsdecode(path)


def _where(path: PathType) -> tuple[str, _Remote | None]:
    """The path as text, and its filesystem when it is a URI (``None``: a local path)."""
    text = _str(path)
    return text, (_Remote(text) if _SCHEME.match(text) else None)


def _same_filesystem(a: _Remote | None, b: _Remote | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.fs is b.fs)


# -- reading and checks -------------------------------------------------------------------
def open(path: PathType, mode: str = "r") -> Any:  # ZenML's name: shadows the builtin on purpose
    """Open a file; use it as a context manager, like the builtin ``open``.

    Args:
        path: A local path or a URI.
        mode: ``"r"``, ``"rb"``, ``"w"``, ``"wb"``, ``"a"`` … as for the builtin ``open``.

    Returns:
        The open file object.
    """
    text, remote = _where(path)
    if remote is None:
        return builtins.open(text, mode)
    return remote.fs.open(remote.path, mode)


def exists(path: PathType) -> bool:
    """True when a file or folder is at ``path``."""
    text, remote = _where(path)
    return os.path.exists(text) if remote is None else bool(remote.fs.exists(remote.path))


def isdir(path: PathType) -> bool:
    """True when ``path`` is a folder."""
    text, remote = _where(path)
    return os.path.isdir(text) if remote is None else bool(remote.fs.isdir(remote.path))


def glob(pattern: PathType) -> list[str]:
    """The paths that match the glob ``pattern`` (``*``, ``?``, ``[…]``), spelled like the pattern."""
    text, remote = _where(pattern)
    if remote is None:
        return _glob.glob(text)
    return [remote.outward(p) for p in remote.fs.glob(remote.path)]


def listdir(path: PathType, only_file_names: bool = True) -> list[str]:
    """The entries of the folder ``path``: their names, or (``only_file_names=False``) their paths.

    A folder that does not exist lists as ``[]``.
    """
    text, remote = _where(path)
    try:
        if remote is None:
            names = os.listdir(text)
        else:
            found = remote.fs.ls(remote.path, detail=False)
            names = [str(p).rstrip("/").rsplit("/", 1)[-1] for p in found]
    except OSError:
        return []
    if only_file_names:
        return names
    return [os.path.join(text, name) if remote is None else f"{text.rstrip('/')}/{name}" for name in names]


def stat(path: PathType) -> Any:
    """``os.stat_result`` for a local path; fsspec's info dict (``name``, ``size``, ``type`` …) for a URI."""
    text, remote = _where(path)
    return os.stat(text) if remote is None else remote.fs.stat(remote.path)


def size(path: PathType) -> int:
    """Bytes in the file ``path``, or in all files under the folder ``path``; 0 when nothing is there."""
    text, remote = _where(path)
    if remote is None:
        if not os.path.exists(text):
            return 0
        if not os.path.isdir(text):
            return os.path.getsize(text)
        return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(text) for name in names)
    fs = remote.fs
    if not fs.exists(remote.path):
        return 0
    if not fs.isdir(remote.path):
        return int(fs.size(remote.path))
    return int(fs.du(remote.path, total=True))


def walk(
    top: PathType,
    topdown: bool = True,
    onerror: Callable[..., None] | None = None,
) -> Iterable[tuple[str, list[str], list[str]]]:
    """``(folder, subfolder names, file names)`` for ``top`` and each folder under it, as :func:`os.walk` gives."""
    text, remote = _where(top)
    if remote is None:
        return os.walk(text, topdown=topdown, onerror=onerror)
    return _walk_remote(remote, topdown, onerror)


def _walk_remote(
    remote: _Remote, topdown: bool, onerror: Callable[..., None] | None
) -> Iterator[tuple[str, list[str], list[str]]]:
    on_error: Any = onerror if onerror is not None else "omit"
    for root, dirs, files in remote.fs.walk(remote.path, topdown=topdown, on_error=on_error):
        yield remote.outward(root), list(dirs), list(files)


# -- changes ------------------------------------------------------------------------------
def makedirs(path: PathType) -> None:
    """Create the folder ``path`` and any missing parents; nothing happens when it exists."""
    text, remote = _where(path)
    if remote is None:
        os.makedirs(text, exist_ok=True)
    else:
        remote.fs.makedirs(remote.path, exist_ok=True)


def mkdir(path: PathType) -> None:
    """Create the folder ``path``; its parent must exist (object stores may not check)."""
    text, remote = _where(path)
    if remote is None:
        os.mkdir(text)
    else:
        remote.fs.mkdir(remote.path, create_parents=False)


def remove(path: PathType) -> None:
    """Delete the file ``path``.

    Raises:
        FileNotFoundError: Nothing is at ``path``.
    """
    text, remote = _where(path)
    if not exists(text):
        raise FileNotFoundError(f"{text} does not exist; nothing was removed.")
    if remote is None:
        os.remove(text)
    else:
        remote.fs.rm_file(remote.path)


def rmtree(dir_path: str) -> None:
    """Delete the folder ``dir_path`` and everything under it.

    Raises:
        TypeError: ``dir_path`` is not a folder (as ZenML raises).
    """
    text, remote = _where(dir_path)
    if not isdir(text):
        raise TypeError(f"Path '{text}' is not a directory; use remove() for a file.")
    if remote is None:
        shutil.rmtree(text)
    else:
        remote.fs.rm(remote.path, recursive=True)


def copy(src: PathType, dst: PathType, overwrite: bool = False) -> None:
    """Copy the file ``src`` to ``dst``, across filesystems too (a local file to ``s3://`` …).

    Raises:
        FileExistsError: ``dst`` exists and ``overwrite`` is false.
    """
    src_text, src_remote = _where(src)
    dst_text, dst_remote = _where(dst)
    if not overwrite and exists(dst_text):
        raise FileExistsError(f"Destination file '{dst_text}' already exists; pass overwrite=True to replace it.")
    if src_remote is None and dst_remote is None:
        shutil.copyfile(src_text, dst_text)
    elif src_remote is not None and dst_remote is not None and src_remote.fs is dst_remote.fs:
        src_remote.fs.copy(src_remote.path, dst_remote.path)
    else:
        with open(src_text, "rb") as source, open(dst_text, "wb") as target:
            shutil.copyfileobj(source, target, _CHUNK)


def rename(src: PathType, dst: PathType, overwrite: bool = False) -> None:
    """Move the file or folder ``src`` to ``dst`` on the same filesystem.

    Raises:
        FileExistsError: ``dst`` exists and ``overwrite`` is false.
        NotImplementedError: ``src`` and ``dst`` are on different filesystems (as ZenML raises).
    """
    src_text, src_remote = _where(src)
    dst_text, dst_remote = _where(dst)
    if not _same_filesystem(src_remote, dst_remote):
        raise NotImplementedError(
            f"Renaming '{src_text}' to '{dst_text}' crosses filesystems; copy() it and remove() the source instead."
        )
    if not overwrite and exists(dst_text):
        raise FileExistsError(f"Destination '{dst_text}' already exists; pass overwrite=True to replace it.")
    if src_remote is None or dst_remote is None:
        try:
            os.replace(src_text, dst_text)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.move(src_text, dst_text)  # another device: copy, then delete
    else:
        src_remote.fs.mv(src_remote.path, dst_remote.path, recursive=True)
