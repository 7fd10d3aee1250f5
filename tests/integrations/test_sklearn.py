"""waypost.integrations.sklearn against scikit-learn's own metrics, stored and viewed."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pytest
from sklearn import metrics

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import VisualizationType
from waypost.integrations.sklearn import (
    ClassificationReport,
    ClassificationReportMaterializer,
    ConfusionMatrix,
    ConfusionMatrixMaterializer,
    classification_report,
    confusion_matrix,
)

Y_TRUE = ["cat", "dog", "dog", "bird", "cat", "dog", "bird", "bird", "cat", "dog"]
Y_PRED = ["cat", "dog", "cat", "bird", "cat", "bird", "bird", "dog", "dog", "dog"]


def test_confusion_matrix_matches_sklearn_and_orders_labels() -> None:
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    assert cm.labels == ["bird", "cat", "dog"]
    assert cm.matrix == metrics.confusion_matrix(Y_TRUE, Y_PRED, labels=cm.labels).tolist()
    assert cm.total == 10
    assert cm.accuracy == pytest.approx(metrics.accuracy_score(Y_TRUE, Y_PRED))
    assert cm.normalized[0] == pytest.approx([2 / 3, 0, 1 / 3])
    assert cm.to_frame().loc["dog", "bird"] == 1

    picked = confusion_matrix(Y_TRUE, Y_PRED, labels=["dog", "cat"])
    assert picked.labels == ["dog", "cat"]
    assert picked.matrix == [[2, 1], [1, 2]]


def test_confusion_matrix_with_numpy_labels_and_weights_is_json_plain() -> None:
    cm = confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), sample_weight=[0.5, 1.0, 2.0])
    assert cm.labels == [0, 1]
    assert type(cm.labels[0]) is int
    assert cm.matrix == [[0.5, 0.0], [2.0, 1.0]]


def test_classification_report_matches_sklearn() -> None:
    report = classification_report(Y_TRUE, Y_PRED)
    expected = metrics.classification_report(Y_TRUE, Y_PRED, output_dict=True, zero_division=0)
    assert [c.label for c in report.classes] == ["bird", "cat", "dog"]
    assert report["dog"].f1 == pytest.approx(expected["dog"]["f1-score"])
    assert report["bird"].support == 3
    assert report.accuracy == pytest.approx(expected["accuracy"])
    assert report.macro_avg.recall == pytest.approx(expected["macro avg"]["recall"])
    assert report.weighted_avg.precision == pytest.approx(expected["weighted avg"]["precision"])

    named = classification_report([0, 1, 1, 2], [0, 1, 2, 2], target_names=["a", "b", "c"])
    assert [c.label for c in named.classes] == ["a", "b", "c"]
    numeric = classification_report([0, 1, 1, 2], [0, 1, 2, 2])
    assert [c.label for c in numeric.classes] == [0, 1, 2]
    with pytest.raises(KeyError):
        numeric["0"]


def test_a_label_subset_reports_micro_average_instead_of_accuracy() -> None:
    report = classification_report(Y_TRUE, Y_PRED, labels=["cat", "dog"])
    assert report.accuracy is None
    assert report.extra["micro avg"]["f1"] > 0


def test_confusion_matrix_is_stored_with_its_view(save: Any, load: Any, read_viz: Any) -> None:
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    version = save(cm)
    assert version.materializer.endswith("ConfusionMatrixMaterializer")
    doc = read_viz(version, VisualizationType.CONFUSION_MATRIX)
    assert doc["labels"] == ["bird", "cat", "dog"]
    assert doc["matrix"] == cm.matrix
    assert doc["normalized"][0] == pytest.approx([0.666667, 0, 0.333333])
    assert load(version) == cm


def test_classification_report_is_stored_with_its_view(save: Any, load: Any, read_viz: Any) -> None:
    report = classification_report(Y_TRUE, Y_PRED)
    version = save(report)
    doc = read_viz(version, VisualizationType.CLASSIFICATION_REPORT)
    assert [c["label"] for c in doc["classes"]] == ["bird", "cat", "dog"]
    assert set(doc["classes"][0]) == {"label", "precision", "recall", "f1", "support"}
    assert doc["accuracy"] == pytest.approx(0.6)
    assert doc["macro_avg"]["f1"] == pytest.approx(report.macro_avg.f1, rel=1e-5)
    assert set(doc["weighted_avg"]) == {"precision", "recall", "f1", "support"}
    assert load(version) == report


def test_materializers_claim_the_result_types() -> None:
    assert ConfusionMatrix.__module__ + ".ConfusionMatrix" in ConfusionMatrixMaterializer.ASSOCIATED_TYPES
    assert ClassificationReportMaterializer.ASSOCIATED_TYPES == ("waypost.integrations.sklearn.ClassificationReport",)


@step
def evaluate() -> tuple[Annotated[ConfusionMatrix, "cm"], Annotated[ClassificationReport, "report"]]:
    return confusion_matrix(Y_TRUE, Y_PRED), classification_report(Y_TRUE, Y_PRED)


def test_a_step_returning_them_stores_data_and_views() -> None:
    @pipeline
    def evaluation():
        evaluate()

    evaluation()
    client = Client()
    cm = client.get_artifact_version("cm")
    assert [v.type for v in cm.visualizations] == [VisualizationType.CONFUSION_MATRIX]
    assert client.load_artifact("cm") == confusion_matrix(Y_TRUE, Y_PRED)
    report = client.get_artifact_version("report")
    assert [v.type for v in report.visualizations] == [VisualizationType.CLASSIFICATION_REPORT]
    assert client.load_artifact("report").accuracy == pytest.approx(0.6)
