"""Removing stored locations (artifact version folders, log folders) for a cleanup, measuring what they held."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import ArtifactStoreError


def _local_size(path: str) -> int:
    """Bytes of the files under ``path`` (never following a link)."""
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        return info.st_size if stat.S_ISREG(info.st_mode) else 0
    total = 0
    for folder, _, names in os.walk(path, followlinks=False):
        for name in names:
            item = os.lstat(os.path.join(folder, name))
            if stat.S_ISREG(item.st_mode):
                total += item.st_size
    return total


def _remove_one(store: ArtifactStore, uri: str) -> int | None:
    """Remove ``uri`` from ``store``; the bytes it held, or None when it was already gone."""
    if store.is_local:
        path = os.path.normpath(uri)
        if not os.path.lexists(path):
            return None
        root = os.path.realpath(store.root)
        if os.path.islink(path) or not os.path.realpath(path).startswith(root.rstrip(os.sep) + os.sep):
            raise ArtifactStoreError(f"'{uri}' leads out of the artifact store; a cleanup removes only what it holds.")
        size = _local_size(path)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
        return size
    if not store.fs.exists(uri):
        return None
    size = int(store.fs.du(uri, total=True))
    store.fs.rm(uri, recursive=True)
    return size


def remove_locations(uris: list[str], store_for: Callable[[str], ArtifactStore]) -> tuple[int, int, list[str]]:
    """Remove each location in ``uris`` from the artifact store ``store_for`` names for it.

    A location outside its store, or one that cannot be removed, is left and reported; one
    already gone is skipped. Answers how many were removed, the bytes they held, and the failures.
    """
    removed, freed, failed = 0, 0, []
    for uri in uris:
        try:
            store = store_for(uri)
            if not store.contains(uri) or os.path.normpath(uri) == os.path.normpath(store.root):
                failed.append(uri)
                continue
            size = _remove_one(store, uri)
        except (OSError, ArtifactStoreError):
            failed.append(uri)
            continue
        if size is not None:
            removed += 1
            freed += size
    return removed, freed, failed
