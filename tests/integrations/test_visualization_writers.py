"""The writers of the evaluation, data-quality and document views, file by file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from waypost.artifacts import visualizations as viz
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import VisualizationRef


def _doc(folder: Path, ref: VisualizationRef) -> Any:
    assert ref.path.startswith("_viz/")
    data = (folder / ref.path).read_bytes()
    assert ref.size == len(data)
    return json.loads(data)


def test_confusion_matrix_counts_normalized_rows_and_accuracy(tmp_path: Path) -> None:
    ref = viz.confusion_matrix(tmp_path, ["cat", "dog", "owl"], [[5, 1, 0], [2, 8, 0], [0, 0, 0]])
    assert ref.type == VisualizationType.CONFUSION_MATRIX
    assert ref.title == "Confusion matrix"
    doc = _doc(tmp_path, ref)
    assert doc["labels"] == ["cat", "dog", "owl"]
    assert doc["matrix"] == [[5, 1, 0], [2, 8, 0], [0, 0, 0]]
    assert doc["normalized"][0] == pytest.approx([5 / 6, 1 / 6, 0], abs=1e-6)
    assert doc["normalized"][2] == [0.0, 0.0, 0.0]  # a class never seen: zeros, not NaN
    assert ref.meta == {"classes": 3, "total": 16, "accuracy": 0.8125}


def test_confusion_matrix_keeps_weighted_counts_and_rejects_bad_shapes(tmp_path: Path) -> None:
    doc = _doc(tmp_path, viz.confusion_matrix(tmp_path, [0, 1], [[0.5, 1.0], [math.nan, 2.25]]))
    assert doc["matrix"] == [[0.5, 1], [None, 2.25]]
    with pytest.raises(ValueError, match="2 x 2"):
        viz.confusion_matrix(tmp_path, [0, 1], [[1, 2, 3], [4, 5, 6]])
    many = range(viz.MAX_CLASSES + 1)
    with pytest.raises(ValueError, match="over the"):
        viz.confusion_matrix(tmp_path, list(many), [[0] * len(many) for _ in many])


def test_classification_report_rounds_and_keeps_labels(tmp_path: Path) -> None:
    scores = {"precision": 0.123456789, "recall": 1.0, "f1": 0.5, "support": 10}
    ref = viz.classification_report(
        tmp_path,
        [{"label": 3, **scores}, {"label": "b", **scores, "support": 2.0}],
        accuracy=0.75,
        macro_avg=scores,
        weighted_avg={**scores, "f1": math.nan},
    )
    assert ref.type == VisualizationType.CLASSIFICATION_REPORT
    doc = _doc(tmp_path, ref)
    assert doc["classes"][0] == {"label": 3, "precision": 0.123457, "recall": 1.0, "f1": 0.5, "support": 10}
    assert doc["classes"][1]["support"] == 2
    assert doc["accuracy"] == 0.75
    assert doc["weighted_avg"]["f1"] is None
    assert ref.meta == {"classes": 2, "accuracy": 0.75, "macro_f1": 0.5}


def test_classification_report_without_accuracy(tmp_path: Path) -> None:
    scores = {"precision": 1, "recall": 1, "f1": 1, "support": 1}
    doc = _doc(tmp_path, viz.classification_report(tmp_path, [], accuracy=None, macro_avg=scores, weighted_avg=scores))
    assert doc["accuracy"] is None
    assert doc["classes"] == []


def test_validation_caps_samples_and_derives_statistics(tmp_path: Path) -> None:
    results = [
        {
            "expectation": "expect_column_values_to_not_be_null",
            "column": "age",
            "kwargs": {"column": "age", "mostly": 0.9},
            "success": False,
            "unexpected_count": 50,
            "unexpected_percent": 50.0,
            "unexpected_sample": [{"_index": i, "age": None} for i in range(50)],
        },
        {"expectation": "expect_table_row_count_to_equal", "success": True, "observed_value": 100},
        {"expectation": "expect_column_to_exist", "column": "x", "success": False, "exception": "boom"},
    ]
    ref = viz.validation(tmp_path, results, success=False)
    assert ref.type == VisualizationType.VALIDATION
    doc = _doc(tmp_path, ref)
    assert doc["success"] is False
    assert doc["statistics"] == {
        "evaluated_expectations": 3,
        "successful_expectations": 1,
        "unsuccessful_expectations": 2,
        "success_percent": 33.3333,
    }
    first, second, third = doc["results"]
    assert len(first["unexpected_sample"]) == viz.UNEXPECTED_SAMPLE
    assert first["unexpected_sample"][0] == {"_index": 0, "age": None}
    assert first["kwargs"] == {"column": "age", "mostly": 0.9}
    assert second == {
        "expectation": "expect_table_row_count_to_equal",
        "column": None,
        "kwargs": {},
        "success": True,
        "observed_value": 100,
        "unexpected_count": None,
        "unexpected_sample": [],
        "unexpected_percent": None,
        "exception": None,
    }
    assert third["exception"] == "boom"
    assert ref.meta == {"success": False, "evaluated": 3, "failed": 2}


def test_validation_keeps_given_statistics_and_makes_values_json(tmp_path: Path) -> None:
    results = [{"expectation": "e", "success": True, "observed_value": {"mean": math.inf, "at": {1, 2}}}]
    doc = _doc(tmp_path, viz.validation(tmp_path, results, success=True, statistics={"run": "nightly"}))
    assert doc["statistics"] == {"run": "nightly"}
    assert doc["results"][0]["observed_value"]["mean"] is None
    assert sorted(doc["results"][0]["observed_value"]["at"]) == [1, 2]


def test_profile_columns_with_histograms_and_gaps(tmp_path: Path) -> None:
    columns = [
        {
            "name": "age",
            "type": "fractional",
            "count": 100,
            "null_count": 3,
            "min": 1.0,
            "max": 90.123456789,
            "mean": 40.5,
            "stddev": math.nan,
            "unique_est": 61.2,
            "histogram": {"bins": [0, 50, 100], "counts": [70, 27]},
        },
        {"name": "city", "type": "string", "count": 100},
    ]
    ref = viz.profile(tmp_path, columns)
    assert ref.type == VisualizationType.PROFILE
    age, city = _doc(tmp_path, ref)["columns"]
    assert age["max"] == 90.1235
    assert age["stddev"] is None
    assert age["histogram"] == {"bins": [0, 50, 100], "counts": [70, 27]}
    assert city == {
        "name": "city",
        "type": "string",
        "count": 100,
        "null_count": None,
        "min": None,
        "max": None,
        "mean": None,
        "stddev": None,
        "unique_est": None,
        "histogram": None,
    }
    assert ref.meta == {"columns": 2, "total_columns": 2, "truncated": False}


def test_profile_shows_at_most_200_columns(tmp_path: Path) -> None:
    ref = viz.profile(tmp_path, [{"name": f"c{i}"} for i in range(250)])
    assert len(_doc(tmp_path, ref)["columns"]) == viz.MAX_COLUMNS
    assert ref.meta == {"columns": 200, "total_columns": 250, "truncated": True}


def test_html_and_markdown_helpers_never_overwrite_an_earlier_view(tmp_path: Path) -> None:
    first = viz.html(tmp_path, "<p>one</p>")
    second = viz.html(tmp_path, "plain words, still shown as HTML", title="Two")
    notes = viz.markdown(tmp_path, "just a line")
    assert (first.type, second.type, notes.type) == (
        VisualizationType.HTML,
        VisualizationType.HTML,
        VisualizationType.MARKDOWN,
    )
    assert (first.path, second.path, notes.path) == ("_viz/report.html", "_viz/report-2.html", "_viz/notes.md")
    assert (tmp_path / first.path).read_text() == "<p>one</p>"
    assert (tmp_path / second.path).read_text().startswith("plain words")
    third = viz.table(tmp_path, [("a", "int64")], [[1]], total_rows=1, name="report.html")
    assert third.path == "_viz/report-3.html"
    noext = viz.json_tree(tmp_path, [1], name="tree")
    again = viz.json_tree(tmp_path, [2], name="tree")
    assert (noext.path, again.path) == ("_viz/tree", "_viz/tree-2")


def test_chart_takes_its_own_x_positions(tmp_path: Path) -> None:
    doc = _doc(tmp_path, viz.chart(tmp_path, [0.9, 0.5, 0.2], x=[10, 20, 40]))
    assert doc["x"] == [10, 20, 40]
    assert doc["y"] == [0.9, 0.5, 0.2]
    long = _doc(tmp_path, viz.chart(tmp_path, list(range(20_000)), x=[v / 2 for v in range(20_000)]))
    assert long["downsampled"] is True
    assert long["x"] == [v / 2 for v in long["y"]]
    with pytest.raises(ValueError, match="2 values for 3"):
        viz.chart(tmp_path, [1, 2, 3], x=[1, 2])
