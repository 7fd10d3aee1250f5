"""Materializers turn step outputs into files in the artifact store and back.

:class:`Materializer` is the extension point and :class:`MaterializerRegistry` the explicit
map from types to materializers (``MaterializerRegistry.default()`` holds the built-ins).
Importing this package loads no numpy, pandas, polars, Pillow or matplotlib: each built-in
imports its library only when it saves or loads such a value.
"""

from waypost.artifacts.materializers.base import Materializer, type_name
from waypost.artifacts.materializers.builtin_types import (
    BytesMaterializer,
    JsonMaterializer,
)
from waypost.artifacts.materializers.figures import MatplotlibFigureMaterializer
from waypost.artifacts.materializers.folders import FolderMaterializer
from waypost.artifacts.materializers.images import PillowImageMaterializer
from waypost.artifacts.materializers.numpy_arrays import NumpyMaterializer
from waypost.artifacts.materializers.pandas_frames import PandasMaterializer
from waypost.artifacts.materializers.pickle_fallback import (
    PickleFallbackWarning,
    PickleMaterializer,
)
from waypost.artifacts.materializers.polars_frames import PolarsMaterializer
from waypost.artifacts.materializers.registry import (
    BUILTIN_MATERIALIZERS,
    MaterializerRegistry,
    unsupported_message,
)
from waypost.artifacts.materializers.sklearn_models import SklearnEstimatorMaterializer

__all__ = [
    "BUILTIN_MATERIALIZERS",
    "BytesMaterializer",
    "FolderMaterializer",
    "JsonMaterializer",
    "Materializer",
    "MaterializerRegistry",
    "MatplotlibFigureMaterializer",
    "NumpyMaterializer",
    "PandasMaterializer",
    "PickleFallbackWarning",
    "PickleMaterializer",
    "PillowImageMaterializer",
    "PolarsMaterializer",
    "SklearnEstimatorMaterializer",
    "type_name",
    "unsupported_message",
]
