"""Pillow images as lossless PNG (TIFF for modes PNG cannot hold)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.schemas.artifacts import VisualizationRef

PNG_FILE = "image.png"
TIFF_FILE = "image.tiff"
_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"})


class PillowImageMaterializer(Materializer):
    """``PIL.Image.Image`` (single frame) as ``image.png``; animated images are declined."""

    ASSOCIATED_TYPES = ("PIL.Image.Image",)
    VERSION = "1"

    @classmethod
    def can_save(cls, value: Any) -> bool:
        return int(getattr(value, "n_frames", 1)) == 1

    def save(self, data: Any, path: Path) -> None:
        if data.mode in _PNG_MODES:
            data.save(path / PNG_FILE, format="PNG")
        else:
            data.save(path / TIFF_FILE, format="TIFF")

    def load(self, path: Path, data_type: str) -> Any:
        from PIL import Image

        file = path / PNG_FILE
        if not file.exists() and (path / TIFF_FILE).exists():
            file = path / TIFF_FILE
        with Image.open(file) as image:
            image.load()
            return image.copy()  # detached from the file, which may be a temporary copy

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return [viz.image(path, data)]

    def metadata(self, data: Any) -> dict[str, Any]:
        width, height = data.size
        return {"width": width, "height": height, "mode": data.mode}
