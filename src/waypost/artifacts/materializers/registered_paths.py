"""Files and folders registered in place (``waypost.register_artifact``), loaded as a local ``Path``."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from waypost.artifacts.materializers.base import Materializer

__all__ = ["PathMaterializer"]


class PathMaterializer(Materializer):
    """Loads a registered file or folder as a ``Path`` to a private local copy of it.

    It claims no type, so it never saves a step's output: :func:`waypost.register_artifact`
    records it for files that already lie in the artifact store. The copy is new on each
    load and the caller owns it; the registered files are never handed out to be changed.
    """

    ASSOCIATED_TYPES = ()
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        raise TypeError("PathMaterializer only loads files registered with register_artifact(); it saves nothing")

    def load(self, path: Path, data_type: str) -> Path:
        target = Path(tempfile.mkdtemp(prefix="waypost-registered-")) / path.name
        if path.is_dir():
            shutil.copytree(path, target)
        elif path.is_file():
            shutil.copyfile(path, target)
        else:
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return target
