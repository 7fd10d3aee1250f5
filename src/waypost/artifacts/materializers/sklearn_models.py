"""scikit-learn estimators with joblib, shown as scikit-learn's own diagram and their hyperparameters."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.artifacts.trust import check_unpickle
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import VisualizationRef

MODEL_FILE = "model.joblib"


class SklearnEstimatorMaterializer(Materializer):
    """Any ``sklearn.base.BaseEstimator`` (fitted or not) as ``model.joblib``.

    joblib, not the pickle fallback: it stores large numpy arrays inside estimators
    efficiently, and scikit-learn documents it as the way to persist models. Loading needs
    a compatible scikit-learn version; the version that saved it is in the metadata.
    """

    ASSOCIATED_TYPES = ("sklearn.base.BaseEstimator",)
    VERSION = "1"
    UNSAFE_LOAD = True  # joblib files are pickles

    def save(self, data: Any, path: Path) -> None:
        joblib = importlib.import_module("joblib")  # ships with scikit-learn
        joblib.dump(data, path / MODEL_FILE)

    def load(self, path: Path, data_type: str) -> Any:
        check_unpickle()
        joblib = importlib.import_module("joblib")
        return joblib.load(path / MODEL_FILE)

    def metadata(self, data: Any) -> dict[str, Any]:
        sklearn = importlib.import_module("sklearn")
        return {
            "estimator": type(data).__name__,
            "sklearn_version": sklearn.__version__,
            "params": viz.json_safe(data.get_params(deep=False), max_chars=200),
        }

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        diagram = viz.text(path, data._repr_html_(), title="Estimator", kind=VisualizationType.HTML)
        params = viz.json_tree(path, data.get_params(deep=False), title="Hyperparameters", name="params.json")
        return [diagram, params]
