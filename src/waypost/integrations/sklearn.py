"""Model evaluation with scikit-learn: a confusion matrix and a classification report as artifacts.

Return one from a step and it is stored as JSON with a dashboard view of its own::

    from waypost import step
    from waypost.integrations.sklearn import ConfusionMatrix, classification_report, confusion_matrix


    @step
    def evaluate(model, x_test, y_test) -> tuple[ConfusionMatrix, ClassificationReport]:
        y_pred = model.predict(x_test)
        return confusion_matrix(y_test, y_pred), classification_report(y_test, y_pred)

Both are computed with :mod:`sklearn.metrics`, so they agree with scikit-learn to the digit.
Importing this module registers their materializers with ``MaterializerRegistry.default()``;
scikit-learn itself is imported only when a helper runs (``pip install "waypost[sklearn]"``).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers import Materializer, MaterializerRegistry, type_name
from waypost.schemas.artifacts import VisualizationRef

__all__ = [
    "ClassScores",
    "ClassificationReport",
    "ClassificationReportMaterializer",
    "ConfusionMatrix",
    "ConfusionMatrixMaterializer",
    "classification_report",
    "confusion_matrix",
]

_DATA_FILE = "data.json"


def _metrics() -> Any:
    try:
        return importlib.import_module("sklearn.metrics")
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            'waypost.integrations.sklearn needs scikit-learn: pip install "waypost[sklearn]"', name=exc.name
        ) from exc


def _plain(value: Any) -> Any:
    """A label as a JSON scalar: numpy integers and strings become Python ones."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return value.item()
    return value


@dataclass(frozen=True)
class ConfusionMatrix:
    """Counts of (true class, predicted class) pairs: ``matrix[i][j]`` is true ``labels[i]``
    predicted as ``labels[j]``. Counts are floats only when sample weights were given."""

    labels: list[Any]
    matrix: list[list[float]]

    @property
    def total(self) -> float:
        """How many samples (or their total weight) the matrix counts."""
        return sum(sum(row) for row in self.matrix)

    @property
    def accuracy(self) -> float | None:
        """The share on the diagonal; ``None`` for an empty matrix."""
        total = self.total
        return sum(self.matrix[i][i] for i in range(len(self.labels))) / total if total else None

    @property
    def normalized(self) -> list[list[float]]:
        """Each row divided by its total, so the diagonal holds each class's recall."""
        return [[v / sum(row) if sum(row) else 0.0 for v in row] for row in self.matrix]

    def to_frame(self) -> Any:
        """The matrix as a pandas DataFrame indexed by true label, one column per predicted label."""
        pd = importlib.import_module("pandas")

        return pd.DataFrame(self.matrix, index=self.labels, columns=self.labels)


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall, F1 and support of one class, or of an average over classes."""

    label: Any
    precision: float
    recall: float
    f1: float
    support: float


@dataclass(frozen=True)
class ClassificationReport:
    """scikit-learn's classification report as data: one :class:`ClassScores` per class."""

    classes: list[ClassScores]
    accuracy: float | None
    macro_avg: ClassScores
    weighted_avg: ClassScores
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, label: Any) -> ClassScores:
        for scores in self.classes:
            if scores.label == label:
                return scores
        raise KeyError(label)


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    sample_weight: Any = None,
) -> ConfusionMatrix:
    """The confusion matrix of ``y_pred`` against ``y_true`` (``sklearn.metrics.confusion_matrix``).

    ``labels`` picks and orders the classes; by default, every label seen in either array,
    sorted.
    """
    metrics = _metrics()
    if labels is None:
        labels = list(importlib.import_module("sklearn.utils.multiclass").unique_labels(y_true, y_pred))
    counts = metrics.confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sample_weight)
    cast = float if sample_weight is not None else int
    return ConfusionMatrix(
        labels=[_plain(v) for v in labels],
        matrix=[[cast(v) for v in row] for row in counts.tolist()],
    )


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    target_names: Sequence[str] | None = None,
    sample_weight: Any = None,
    zero_division: float | str = 0.0,
) -> ClassificationReport:
    """Per-class precision, recall, F1 and support (``sklearn.metrics.classification_report``).

    ``target_names`` renames the classes shown; ``zero_division`` is what a score undefined
    for lack of predictions (or of true samples) becomes, 0 by default, with no warning.
    """
    metrics = _metrics()
    raw = metrics.classification_report(
        y_true,
        y_pred,
        labels=labels,
        target_names=target_names,
        sample_weight=sample_weight,
        zero_division=zero_division,
        output_dict=True,
    )

    def scores(label: Any, entry: dict[str, Any]) -> ClassScores:
        return ClassScores(
            label=label,
            precision=float(entry["precision"]),
            recall=float(entry["recall"]),
            f1=float(entry["f1-score"]),
            support=float(entry["support"]),
        )

    # scikit-learn keys classes by str(label) unless target_names renames them.
    summary = {"accuracy", "macro avg", "weighted avg", "micro avg", "samples avg"}
    if target_names is not None:
        names: list[Any] = list(target_names)
    elif labels is not None:
        names = [_plain(v) for v in labels]
    else:
        names = [_plain(v) for v in importlib.import_module("sklearn.utils.multiclass").unique_labels(y_true, y_pred)]
    by_key = {str(n): n for n in names}
    classes = [scores(by_key.get(key, key), entry) for key, entry in raw.items() if key not in summary]
    # With a labels subset, scikit-learn reports "micro avg" instead of accuracy.
    accuracy = raw.get("accuracy")
    extra = {k: vars(scores(k, raw[k])) for k in ("micro avg", "samples avg") if k in raw}
    return ClassificationReport(
        classes=classes,
        accuracy=None if accuracy is None else float(accuracy),
        macro_avg=scores("macro avg", raw["macro avg"]),
        weighted_avg=scores("weighted avg", raw["weighted avg"]),
        extra=extra,
    )


def _read(path: Path) -> Any:
    return json.loads((path / _DATA_FILE).read_text())


def _write(path: Path, doc: Any) -> None:
    (path / _DATA_FILE).write_text(json.dumps(viz.json_safe(doc), allow_nan=False))


class ConfusionMatrixMaterializer(Materializer):
    """A :class:`ConfusionMatrix` as ``data.json``, viewed as a ``confusion_matrix``."""

    ASSOCIATED_TYPES = (type_name(ConfusionMatrix),)
    VERSION = "1"

    def save(self, data: ConfusionMatrix, path: Path) -> None:
        _write(path, {"labels": data.labels, "matrix": data.matrix})

    def load(self, path: Path, data_type: str) -> ConfusionMatrix:
        doc = _read(path)
        return ConfusionMatrix(labels=doc["labels"], matrix=doc["matrix"])

    def metadata(self, data: ConfusionMatrix) -> dict[str, Any]:
        return {"classes": len(data.labels), "total": data.total, "accuracy": data.accuracy}

    def visualize(self, data: ConfusionMatrix, path: Path) -> list[VisualizationRef]:
        return [viz.confusion_matrix(path, data.labels, data.matrix)]


def _scores_doc(s: ClassScores) -> dict[str, Any]:
    return {"label": s.label, "precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support}


def _scores_from(doc: dict[str, Any]) -> ClassScores:
    return ClassScores(doc["label"], doc["precision"], doc["recall"], doc["f1"], doc["support"])


class ClassificationReportMaterializer(Materializer):
    """A :class:`ClassificationReport` as ``data.json``, viewed as a ``classification_report``."""

    ASSOCIATED_TYPES = (type_name(ClassificationReport),)
    VERSION = "1"

    def save(self, data: ClassificationReport, path: Path) -> None:
        _write(
            path,
            {
                "classes": [_scores_doc(s) for s in data.classes],
                "accuracy": data.accuracy,
                "macro_avg": _scores_doc(data.macro_avg),
                "weighted_avg": _scores_doc(data.weighted_avg),
                "extra": data.extra,
            },
        )

    def load(self, path: Path, data_type: str) -> ClassificationReport:
        doc = _read(path)
        return ClassificationReport(
            classes=[_scores_from(c) for c in doc["classes"]],
            accuracy=doc["accuracy"],
            macro_avg=_scores_from(doc["macro_avg"]),
            weighted_avg=_scores_from(doc["weighted_avg"]),
            extra=doc.get("extra") or {},
        )

    def metadata(self, data: ClassificationReport) -> dict[str, Any]:
        return {"classes": len(data.classes), "accuracy": data.accuracy, "macro_f1": data.macro_avg.f1}

    def visualize(self, data: ClassificationReport, path: Path) -> list[VisualizationRef]:
        return [
            viz.classification_report(
                path,
                [_scores_doc(s) for s in data.classes],
                accuracy=data.accuracy,
                macro_avg=_scores_doc(data.macro_avg),
                weighted_avg=_scores_doc(data.weighted_avg),
            )
        ]


MaterializerRegistry.default().register(ConfusionMatrixMaterializer)
MaterializerRegistry.default().register(ClassificationReportMaterializer)
