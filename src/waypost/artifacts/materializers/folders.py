"""Local folders, given as a ``pathlib.Path``, copied whole into the artifact store."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.schemas.artifacts import VisualizationRef

FOLDER = "folder"
_LISTED = 1_000


class FolderMaterializer(Materializer):
    """A ``pathlib.Path`` to a directory; loads as a ``Path`` to a private copy of it.

    Symbolic links are followed, so the artifact holds the files they point to. Loading
    copies into a new temporary folder that the caller owns (the store's copy is never
    handed out, so it cannot be changed by accident). Paths to files are declined.
    """

    ASSOCIATED_TYPES = ("pathlib.Path", "pathlib._local.Path")  # _local: Python 3.13+
    VERSION = "1"

    @classmethod
    def can_save(cls, value: Any) -> bool:
        return isinstance(value, Path) and value.is_dir()

    def save(self, data: Any, path: Path) -> None:
        shutil.copytree(data, path / FOLDER)

    def load(self, path: Path, data_type: str) -> Any:
        source = path / FOLDER
        if not source.is_dir():
            raise FileNotFoundError(f"folder '{FOLDER}' is missing from the artifact")
        target = Path(tempfile.mkdtemp(prefix="waypost-folder-")) / FOLDER
        shutil.copytree(source, target)
        return target

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return [viz.json_tree(path, _listing(path / FOLDER), title="Files")]

    def metadata(self, data: Any) -> dict[str, Any]:
        return {"name": Path(data).name}


def _listing(root: Path) -> dict[str, Any]:
    """The first 1,000 files under ``root`` with their sizes, and the totals."""
    files: dict[str, int] = {}
    count = total = 0
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            size = os.path.getsize(os.path.join(folder, name))
            count, total = count + 1, total + size
            if len(files) < _LISTED:
                files[os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")] = size
    return {"files": count, "bytes": total, "listing": files, "truncated": count > len(files)}
