"""numpy arrays and scalars as ``.npy`` files (never pickled)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.schemas.artifacts import VisualizationRef

ARRAY_FILE = "data.npy"
_NUMERIC_KINDS = frozenset("biuf")  # bool, signed, unsigned, float


class NumpyMaterializer(Materializer):
    """``numpy.ndarray`` (exact type) and numpy scalars, saved with ``allow_pickle=False``.

    Arrays of Python objects are declined and fall through to the pickle fallback. A 1-D
    numeric array is shown as a chart and a 2-D one as a heatmap.
    """

    ASSOCIATED_TYPES = ("numpy.ndarray", "numpy.generic")
    VERSION = "1"

    @classmethod
    def can_save(cls, value: Any) -> bool:
        import numpy as np

        if type(value) is not np.ndarray and not isinstance(value, np.generic):
            return False  # a subclass (matrix, masked array) would lose what makes it one
        return not value.dtype.hasobject

    def save(self, data: Any, path: Path) -> None:
        import numpy as np

        np.save(path / ARRAY_FILE, np.asarray(data), allow_pickle=False)

    def load(self, path: Path, data_type: str) -> Any:
        import numpy as np

        array = np.load(path / ARRAY_FILE, allow_pickle=False)
        return array if data_type == "numpy.ndarray" else array[()]

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        if getattr(data, "ndim", 0) == 0 or data.size == 0 or data.dtype.kind not in _NUMERIC_KINDS:
            return []
        if data.ndim == 1:
            return [viz.chart(path, data)]
        if data.ndim == 2:
            return [viz.heatmap(path, data)]
        return []

    def metadata(self, data: Any) -> dict[str, Any]:
        return {"shape": list(data.shape), "dtype": str(data.dtype), "size": int(data.size)}
