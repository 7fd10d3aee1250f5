"""Serving stored files safely: store containment, no symbolic links, size limits, Range, and hardening headers.

On a local artifact store nothing is served through a symbolic link: every path component
below the store's root is checked with ``lstat``, and files are opened with ``O_NOFOLLOW``,
so a link planted in the store (pointing outside it, or anywhere) is refused (403), never
followed. The store's root itself may be a link (an admin's choice of where it lives).
"""

from __future__ import annotations

import os
import posixpath
import re
import stat

from fastapi import HTTPException, Response, status

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import ArtifactStoreError

MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""The most bytes one response carries; larger files are read with Range requests."""

SANDBOX = "sandbox"
"""CSP for served content: no scripts, no same-origin access (an SVG cannot script the API)."""
HTML_SANDBOX = "sandbox allow-scripts"
"""CSP for HTML visualizations: their scripts run in an opaque origin, away from the API and session."""

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: ``os.open`` flags for reading a stored file: never through a link, never blocking on a fifo.
READ_NO_FOLLOW = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def checked_uri(store: ArtifactStore, uri: str, *, inside: str | None = None) -> str:
    """``uri`` (read from the database) when it lies in the artifact store (and in ``inside``); else 409.

    403 when a component of it below the store's root is a symbolic link (see :func:`refuse_links`).
    """
    norm = posixpath.normpath(uri) if "://" not in uri else uri
    ok = store.contains(norm) and (inside is None or _within(norm, inside))
    if ok:
        refuse_links(store, norm)
    if ok and store.is_local:  # belt and braces: nothing resolves outside the store
        ok = _within(os.path.realpath(norm), os.path.realpath(store.root))
    if not ok:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "The stored location lies outside the artifact store; it will not be served."
        )
    return norm


def refuse_links(store: ArtifactStore, uri: str) -> None:
    """403 when a component of ``uri`` below the local store's root is a symbolic link.

    A log folder's chunk files are checked too: the log readers open them by name.
    """
    if not store.is_local:
        return  # object stores have no links
    root = os.path.normpath(store.root)
    path = os.path.normpath(uri)
    if not _within(path, root):
        return
    parts = [p for p in path[len(root) :].split("/") if p]
    current = root
    for part in parts:
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return  # what is missing is answered 404 by whoever reads it
        except OSError:
            raise link_refused() from None
        if stat.S_ISLNK(mode):
            raise link_refused()
    # Log folders: anything under logs/, and a workspace's <prefix>/logs/<run>/<step>.
    if (parts[:1] == ["logs"] or parts[-3:-2] == ["logs"]) and os.path.isdir(path):
        with os.scandir(path) as entries:
            if any(entry.is_symlink() for entry in entries):
                raise link_refused()


def link_refused() -> HTTPException:
    """The 403 for a symbolic link (or fifo, device) met inside the artifact store."""
    return HTTPException(
        status.HTTP_403_FORBIDDEN,
        "The stored files include a symbolic link or special file inside the artifact store; "
        "such files are never served.",
    )


def _within(path: str, parent: str) -> bool:
    parent = parent.rstrip("/")
    return path == parent or path.startswith(parent + "/")


def safe_filename(name: str, suffix: str = "") -> str:
    """A file name safe in a Content-Disposition header: ASCII letters, digits, ``._-``."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "artifact"
    return cleaned[:150] + suffix


def file_response(
    store: ArtifactStore, uri: str, media_type: str, range_header: str | None, *, csp: str = SANDBOX
) -> Response:
    """The file at ``uri`` (already checked), whole or the one byte range asked for (206)."""
    try:
        total = store.size(uri)
    except (FileNotFoundError, ArtifactStoreError):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "The file is missing from the artifact store.") from None
    headers = {"Accept-Ranges": "bytes", "Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff"}
    span = parse_range(range_header, total)
    if span is None:
        if total > MAX_RESPONSE_BYTES:
            raise HTTPException(
                413,
                f"The file is {total} bytes, over the {MAX_RESPONSE_BYTES}-byte limit; read it in Range requests.",
            )
        return Response(read(store, uri), media_type=media_type, headers=headers)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{total}"
    return Response(read(store, uri, start, end), status_code=206, media_type=media_type, headers=headers)


def read(store: ArtifactStore, uri: str, start: int | None = None, end: int | None = None) -> bytes:
    """Bytes of a stored file (never through a symbolic link); a missing file is a 404."""
    try:
        if store.is_local:
            return read_local(uri, start, end)
        return store.read_bytes(uri, start, end)
    except (FileNotFoundError, ArtifactStoreError):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "The file is missing from the artifact store.") from None


def read_local(path: str, start: int | None = None, end: int | None = None) -> bytes:
    """A local file's bytes ``[start, end)``, opened with ``O_NOFOLLOW``: a link is a 403, not followed."""
    try:
        fd = os.open(path, READ_NO_FOLLOW)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        if os.path.islink(path):
            raise link_refused() from None
        raise HTTPException(status.HTTP_404_NOT_FOUND, "The file cannot be read from the artifact store.") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a fifo or device planted in the store
            raise link_refused()
        first = start or 0
        fh.seek(first)
        return fh.read() if end is None else fh.read(max(0, end - first))


def parse_range(header: str | None, total: int) -> tuple[int, int] | None:
    """``[start, end)`` of a single ``bytes=`` range; None for no (or a multi-) range; 416 when unsatisfiable."""
    if not header or "," in header:
        return None
    m = _RANGE.match(header.strip())
    if m is None or not (m.group(1) or m.group(2)):
        raise _unsatisfiable(total, f"Range '{header[:80]}' is malformed; send one range like bytes=0-1023.")
    first, last = m.group(1), m.group(2)
    if first:
        start = int(first)
        end = min(int(last) + 1, total) if last else total
    else:  # a suffix: the last N bytes
        start, end = max(total - int(last), 0), total
    if start >= total or end <= start:
        raise _unsatisfiable(total, f"Range '{header[:80]}' lies outside the {total}-byte file.")
    end = min(end, start + MAX_RESPONSE_BYTES)
    return start, end


def _unsatisfiable(total: int, detail: str) -> HTTPException:
    return HTTPException(416, detail, headers={"Content-Range": f"bytes */{total}"})
