"""A materializer for scikit-learn estimators: joblib to load back, an HTML diagram to look at.

Without it, Waypost stores an estimator with its cloudpickle fallback and warns that the file
may not load under other library versions. Steps opt in with
``@step(output_materializers=SklearnEstimatorMaterializer)``; to use it for every step,
register it once: ``MaterializerRegistry.default().register(SklearnEstimatorMaterializer)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.base import BaseEstimator

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers import Materializer
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import VisualizationRef

MODEL_FILE = "model.joblib"


class SklearnEstimatorMaterializer(Materializer):
    """A fitted (or unfitted) ``sklearn.base.BaseEstimator`` as ``model.joblib``."""

    ASSOCIATED_TYPES = ("sklearn.base.BaseEstimator",)
    VERSION = "1"

    def save(self, data: BaseEstimator, path: Path) -> None:
        joblib.dump(data, path / MODEL_FILE)

    def load(self, path: Path, data_type: str) -> BaseEstimator:
        return joblib.load(path / MODEL_FILE)

    def metadata(self, data: BaseEstimator) -> dict[str, Any]:
        return {
            "estimator": type(data).__name__,
            "sklearn_version": sklearn.__version__,
            "params": viz.json_safe(data.get_params(deep=False), max_chars=200),
        }

    def visualize(self, data: BaseEstimator, path: Path) -> list[VisualizationRef]:
        # scikit-learn draws its own estimator diagram; the dashboard shows it as a page.
        diagram = viz.text(path, data._repr_html_(), title="Estimator", kind=VisualizationType.HTML)
        params = viz.json_tree(path, data.get_params(deep=False), title="Hyperparameters", name="params.json")
        return [diagram, params]
