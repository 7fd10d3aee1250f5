"""matplotlib figures: a cloudpickle copy to load back, and a PNG to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.artifacts.materializers.pickle_fallback import read_pickle, write_pickle
from waypost.schemas.artifacts import VisualizationRef

FIGURE_FILE = "figure.pkl"


class MatplotlibFigureMaterializer(Materializer):
    """``matplotlib.figure.Figure``, loaded back as a Figure; the PNG is only its view."""

    ASSOCIATED_TYPES = ("matplotlib.figure.Figure",)
    VERSION = "1"
    UNSAFE_LOAD = True  # the figure is a pickle

    def save(self, data: Any, path: Path) -> None:
        write_pickle(data, path / FIGURE_FILE)

    def load(self, path: Path, data_type: str) -> Any:
        return read_pickle(path / FIGURE_FILE)

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        title = data.get_suptitle() if hasattr(data, "get_suptitle") else ""
        return [viz.figure_image(path, data, title=title or "Figure")]

    def metadata(self, data: Any) -> dict[str, Any]:
        width, height = (float(v) for v in data.get_size_inches())
        return {
            "width_in": width,
            "height_in": height,
            "dpi": float(data.dpi),
            "axes": len(data.axes),
        }
