"""Each visualization kind, through the materializers that produce it and the helpers."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from matplotlib.figure import Figure
from PIL import Image

from waypost.artifacts import visualizations as viz
from waypost.artifacts.store import ArtifactStore
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import ArtifactVersionCreate, VisualizationRef


def _only(version: ArtifactVersionCreate, kind: VisualizationType) -> VisualizationRef:
    found = [ref for ref in version.visualizations if ref.type == kind]
    assert len(found) == 1, version.visualizations
    return found[0]


def _read_json(version: ArtifactVersionCreate, kind: VisualizationType) -> Any:
    return json.loads((Path(version.uri) / _only(version, kind).path).read_text())


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    score = rng.normal(size=250)
    score[[3, 50, 77]] = np.nan
    return pd.DataFrame({"score": score, "label": ["cat", "dog", None, "cat", "cat"] * 50})


def test_dataframe_table_previews_first_100_rows(store: ArtifactStore, save: Any) -> None:
    version = save(store, _frame())
    table = _read_json(version, VisualizationType.TABLE)
    assert [c["name"] for c in table["columns"]] == ["score", "label"]
    assert table["columns"][0]["dtype"] == "float64"
    assert len(table["rows"]) == 100
    assert table["total_rows"] == 250
    assert table["rows"][3][0] is None  # NaN is JSON null
    assert _only(version, VisualizationType.TABLE).meta["truncated"] is True


def test_dataframe_stats_count_nulls_and_summarize(store: ArtifactStore, save: Any) -> None:
    frame = _frame()
    stats = _read_json(save(store, frame), VisualizationType.STATS)
    score, label = stats["columns"]
    assert score["nulls"] == 3
    assert score["count"] == 247
    assert score["kind"] == "numeric"
    assert score["min"] == pytest.approx(frame["score"].min(), rel=1e-5)
    assert score["mean"] == pytest.approx(frame["score"].mean(), rel=1e-5)
    assert score["std"] == pytest.approx(frame["score"].std(), rel=1e-5)
    assert len(score["histogram"]["counts"]) == 20
    assert sum(score["histogram"]["counts"]) == 247
    assert label["nulls"] == 50
    assert label["kind"] == "categorical"
    assert label["unique"] == 2
    assert label["top"][0] == {"value": "cat", "count": 150}


def test_polars_frame_gets_table_and_stats(store: ArtifactStore, save: Any) -> None:
    frame = pl.DataFrame({"n": [1, None, 3, 4], "s": ["a", "b", "a", None]})
    version = save(store, frame)
    assert _read_json(version, VisualizationType.TABLE)["rows"][1] == [None, "b"]
    n, s = _read_json(version, VisualizationType.STATS)["columns"]
    assert (n["nulls"], n["min"], n["max"]) == (1, 1.0, 4.0)
    assert s["top"][0] == {"value": "a", "count": 2}


def test_wide_dataframe_is_capped(tmp_path: Path) -> None:
    ref = viz.table(tmp_path, [(f"c{i}", "int64") for i in range(500)], [list(range(500))], total_rows=1)
    assert ref.meta["columns"] == viz.MAX_COLUMNS
    assert ref.meta["truncated"] is True


def test_long_1d_array_is_downsampled_to_a_chart(store: ArtifactStore, save: Any) -> None:
    values = np.sin(np.linspace(0, 100, 1_000_000))
    values[123_456] = 5.0  # a spike that min/max downsampling must keep
    version = save(store, values)
    chart = _read_json(version, VisualizationType.CHART)
    assert chart["length"] == 1_000_000
    assert chart["downsampled"] is True
    assert len(chart["x"]) == len(chart["y"]) <= 5_000
    assert chart["x"] == sorted(chart["x"])
    assert max(chart["y"]) == 5.0
    assert chart["x"][chart["y"].index(5.0)] == 123_456
    assert min(chart["y"]) == pytest.approx(values.min(), abs=1e-5)


def test_short_1d_array_chart_keeps_every_point(tmp_path: Path) -> None:
    ref = viz.chart(tmp_path, np.array([1, 2, np.nan, 4]))
    chart = json.loads((tmp_path / ref.path).read_text())
    assert chart["x"] == [0, 1, 2, 3]
    assert chart["y"] == [1.0, 2.0, None, 4.0]


def test_large_2d_array_heatmap_is_block_averaged(store: ArtifactStore, save: Any) -> None:
    values = np.arange(2_000 * 2_000, dtype=np.float64).reshape(2_000, 2_000)
    version = save(store, values)
    heat = _read_json(version, VisualizationType.HEATMAP)
    assert heat["shape"] == [2_000, 2_000]
    assert len(heat["values"]) == 200
    assert len(heat["values"][0]) == 200
    assert heat["min"] == 0
    assert heat["max"] == pytest.approx(values.max(), rel=1e-5)
    assert heat["values"][0][0] == pytest.approx(values[:10, :10].mean(), rel=1e-5)
    assert _only(version, VisualizationType.HEATMAP).meta["shape"] == [2_000, 2_000]


def test_heatmap_of_uneven_shape_ignores_missing_values(tmp_path: Path) -> None:
    values = np.ones((401, 3))
    values[0, 0] = np.nan
    ref = viz.heatmap(tmp_path, values)
    heat = json.loads((tmp_path / ref.path).read_text())
    assert ref.meta["downsampled_shape"] == [134, 3]
    assert ref.meta["shape"] == [401, 3]
    assert all(v == 1.0 for row in heat["values"] for v in row)


def test_image_visualization_is_a_bounded_thumbnail(store: ArtifactStore, save: Any) -> None:
    version = save(store, Image.new("RGB", (4_000, 1_000), (0, 128, 255)))
    ref = _only(version, VisualizationType.IMAGE)
    with Image.open(Path(version.uri) / ref.path) as png:
        assert png.format == "PNG"
        assert png.size == (2_048, 512)
    assert ref.meta == {
        "width": 2_048,
        "height": 512,
        "original_width": 4_000,
        "original_height": 1_000,
    }


def test_figure_visualization_is_a_png(store: ArtifactStore, save: Any) -> None:
    fig = Figure(figsize=(30, 10), dpi=100)
    fig.add_subplot().bar(["a", "b"], [1, 2])
    ref = _only(save(store, fig), VisualizationType.IMAGE)
    assert max(ref.meta["width"], ref.meta["height"]) <= 2_048
    assert ref.path.endswith(".png")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("# Report\n\nAll good.", VisualizationType.MARKDOWN),
        ("See [the docs](https://example.org) for more.", VisualizationType.MARKDOWN),
        ("- one\n- two\n", VisualizationType.MARKDOWN),
        ("```python\nprint(1)\n```", VisualizationType.MARKDOWN),
        ("<!DOCTYPE html><html><body>hi</body></html>", VisualizationType.HTML),
        ("  <div class='x'><p>fragment</p></div>", VisualizationType.HTML),
        ("<table><tr><td>1</td></tr></table>", VisualizationType.HTML),
        ("plain words, 3 < 4 and a #hashtag", VisualizationType.TEXT),
        ("- only one item", VisualizationType.TEXT),
    ],
)
def test_string_kind_is_detected(store: ArtifactStore, save: Any, text: str, kind: VisualizationType) -> None:
    version = save(store, text)
    ref = _only(version, kind)
    assert (Path(version.uri) / ref.path).read_text() == text
    assert ref.meta["truncated"] is False


def test_huge_string_is_truncated_at_5_mb(tmp_path: Path) -> None:
    value = "é" * (3 * 1024 * 1024)  # 6 MiB of UTF-8
    ref = viz.text(tmp_path, value)
    assert ref.meta["truncated"] is True
    assert ref.meta["length"] == len(value)
    assert ref.size <= viz.MAX_BYTES
    assert (tmp_path / ref.path).read_text(encoding="utf-8") == value[: viz.MAX_BYTES // 2]


def test_dict_gets_a_json_tree(store: ArtifactStore, save: Any) -> None:
    value = {"params": {"lr": 0.1, "layers": [64, 32]}, "name": "run"}
    version = save(store, value)
    assert _read_json(version, VisualizationType.JSON) == value


def test_big_json_tree_is_pruned_to_fit(tmp_path: Path) -> None:
    value = [{"text": "x" * 2_000, "i": i} for i in range(5_000)]  # about 10 MB
    ref = viz.json_tree(tmp_path, value)
    tree = json.loads((tmp_path / ref.path).read_text())
    assert ref.meta["truncated"] is True
    assert ref.size <= viz.MAX_BYTES
    assert tree[-1] == "… 4000 more"


def test_scalars_have_no_visualization(store: ArtifactStore, save: Any) -> None:
    assert save(store, 3).visualizations == []
    assert save(store, 3).meta == {"value": 3}


def test_json_safe_handles_what_frames_hold() -> None:
    cells = [
        math.nan,
        np.int64(3),
        np.float32(1.5),
        pd.NA,
        pd.NaT,
        dt.date(2024, 1, 2),
        b"\x00",
        {1: math.inf},
    ]
    assert viz.json_safe(cells) == [None, 3, 1.5, None, None, "2024-01-02", "b'\\x00'", {"1": None}]
    assert viz.json_safe("abcdef", max_chars=3) == "abc…"
    assert viz.json_safe(list(range(5)), max_items=2) == [0, 1, "… 3 more"]
