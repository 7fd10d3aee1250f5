"""The contract every built-in materializer keeps, run against a local and a memory store."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from matplotlib.figure import Figure
from PIL import Image

from waypost.artifacts.materializers import (
    BytesMaterializer,
    JsonMaterializer,
    Materializer,
    MaterializerRegistry,
    MatplotlibFigureMaterializer,
    NumpyMaterializer,
    PandasMaterializer,
    PillowImageMaterializer,
    PolarsMaterializer,
)
from waypost.artifacts.store import ArtifactStore


@dataclass
class Case:
    id: str
    make: Callable[[], Any]
    materializer: type[Materializer]
    same: Callable[[Any, Any], bool] = lambda a, b: type(a) is type(b) and a == b


def _figure() -> Figure:
    fig = Figure(figsize=(4, 3))
    fig.add_subplot().plot([1, 3, 2])
    fig.suptitle("loss")
    return fig


def _frames_equal(a: Any, b: Any) -> bool:
    pd.testing.assert_frame_equal(a, b)
    return True


def _series_equal(a: Any, b: Any) -> bool:
    pd.testing.assert_series_equal(a, b)
    return True


def _images_equal(a: Image.Image, b: Image.Image) -> bool:
    return a.mode == b.mode and a.size == b.size and a.tobytes() == b.tobytes()


CASES = [
    Case("none", lambda: None, JsonMaterializer),
    Case("bool", lambda: True, JsonMaterializer),
    Case("int", lambda: 42, JsonMaterializer),
    Case("float", lambda: 2.5, JsonMaterializer),
    Case("nan", lambda: math.nan, JsonMaterializer, lambda a, b: math.isnan(b)),
    Case("str", lambda: "hello", JsonMaterializer),
    Case("list", lambda: [1, "a", None, 2.5, [True]], JsonMaterializer),
    Case("dict", lambda: {"a": [1, 2], "b": {"c": None}}, JsonMaterializer),
    Case("tuple", lambda: (1, "a", (2, [3, (4,)])), JsonMaterializer),
    Case("list-of-tuples", lambda: [(1, "a"), (2, "b")], JsonMaterializer),
    Case("bytes", lambda: b"\x00\x01\xff", BytesMaterializer),
    Case("bytearray", lambda: bytearray(b"ab"), BytesMaterializer),
    Case(
        "ndarray",
        lambda: np.arange(12, dtype=np.float32).reshape(3, 4),
        NumpyMaterializer,
        lambda a, b: b.dtype == a.dtype and np.array_equal(a, b),
    ),
    Case(
        "ndarray-str",
        lambda: np.array(["a", "bc"]),
        NumpyMaterializer,
        lambda a, b: np.array_equal(a, b),
    ),
    Case("numpy-scalar", lambda: np.float64(1.5), NumpyMaterializer),
    Case(
        "dataframe",
        lambda: pd.DataFrame(
            {"x": [1.0, None, 3.0], "s": ["a", None, "c"], "t": pd.to_datetime(["2024-01-01"] * 3)},
            index=pd.Index(["r1", "r2", "r3"], name="row"),
        ),
        PandasMaterializer,
        _frames_equal,
    ),
    Case(
        "series",
        lambda: pd.Series([1, 2, 3], name="count"),
        PandasMaterializer,
        _series_equal,
    ),
    Case("series-unnamed", lambda: pd.Series(["x", "y"]), PandasMaterializer, _series_equal),
    Case(
        "polars-frame",
        lambda: pl.DataFrame({"a": [1, None, 3], "b": ["x", "y", None]}),
        PolarsMaterializer,
        lambda a, b: a.equals(b),
    ),
    Case(
        "polars-series",
        lambda: pl.Series("v", [1.5, 2.5]),
        PolarsMaterializer,
        lambda a, b: a.equals(b) and a.name == b.name,
    ),
    Case(
        "image-rgb",
        lambda: Image.new("RGB", (40, 30), (200, 10, 10)),
        PillowImageMaterializer,
        _images_equal,
    ),
    Case("image-float", lambda: Image.new("F", (8, 8), 0.5), PillowImageMaterializer, _images_equal),
    Case(
        "figure",
        _figure,
        MatplotlibFigureMaterializer,
        lambda a, b: isinstance(b, Figure) and b.get_suptitle() == "loss" and len(b.axes) == 1,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_round_trip(case: Case, any_store: ArtifactStore, save: Any, load: Any, registry: MaterializerRegistry) -> None:
    value = case.make()
    assert registry.for_value(value) is case.materializer
    version = save(any_store, value)
    assert version.materializer == f"{case.materializer.__module__}.{case.materializer.__qualname__}"
    assert version.materializer_version == case.materializer.VERSION
    assert version.data_type == f"{type(value).__module__}.{type(value).__qualname__}"
    assert version.size > 0
    assert len(version.content_hash) == 64
    assert "visualization_errors" not in version.meta
    json.dumps(version.meta, allow_nan=False)  # metadata is plain JSON
    assert case.same(value, load(any_store, version))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_visualizations_are_files_under_viz(case: Case, store: ArtifactStore, save: Any) -> None:
    version = save(store, case.make())
    for ref in version.visualizations:
        assert ref.path.startswith("_viz/")
        file = Path(version.uri) / ref.path
        assert file.is_file()
        assert ref.size == file.stat().st_size > 0
        assert ref.title


@pytest.mark.parametrize("materializer", MaterializerRegistry.with_builtins().materializers)
def test_declares_types_and_version(materializer: type[Materializer]) -> None:
    assert materializer.ASSOCIATED_TYPES
    assert all("." in name for name in materializer.ASSOCIATED_TYPES)
    assert isinstance(materializer.VERSION, str)
    assert materializer.VERSION
