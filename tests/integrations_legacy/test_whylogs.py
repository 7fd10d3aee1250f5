"""waypost.integrations.whylogs against the real whylogs 1.6, which needs NumPy < 2 and so runs
in an environment of its own: ``make test-legacy``."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import VisualizationType
from waypost.integrations.whylogs import WhylogsProfileMaterializer, profile_columns

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import whylogs as why
    from whylogs.core import DatasetProfileView

ROWS = 1_000


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    age = rng.normal(40, 10, ROWS)
    age[:25] = np.nan
    return pd.DataFrame(
        {
            "age": age,
            "visits": rng.integers(0, 50, ROWS),
            "city": rng.choice(["Oslo", "Lima", "Pune", None], ROWS, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )


def _log(frame: pd.DataFrame) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return why.log(frame)


def _profile_viz(version: Any) -> dict[str, Any]:
    (ref,) = version.visualizations
    assert ref.type == VisualizationType.PROFILE, version.meta.get("visualization_errors")
    doc = json.loads((Path(version.uri) / ref.path).read_text())
    return {column["name"]: column for column in doc["columns"]}


def _check_columns(columns: dict[str, Any], frame: pd.DataFrame) -> None:
    assert set(columns) == {"age", "visits", "city"}
    age, visits, city = columns["age"], columns["visits"], columns["city"]
    assert (age["type"], visits["type"], city["type"]) == ("float", "int", "string")
    for column in columns.values():
        assert column["count"] == ROWS
    assert age["null_count"] == 25
    assert city["null_count"] == frame["city"].isna().sum()
    assert visits["null_count"] == 0
    assert age["min"] == pytest.approx(frame["age"].min(), rel=1e-5)
    assert age["max"] == pytest.approx(frame["age"].max(), rel=1e-5)
    assert age["mean"] == pytest.approx(frame["age"].mean(), rel=1e-5)
    assert age["stddev"] == pytest.approx(frame["age"].std(), rel=1e-3)
    assert visits["unique_est"] == pytest.approx(frame["visits"].nunique(), abs=1)
    assert city["unique_est"] == pytest.approx(3, abs=0.01)
    # Numbers get a histogram whose counts add up to the non-null values; strings get none.
    for column, present in ((age, ROWS - 25), (visits, ROWS)):
        hist = column["histogram"]
        assert len(hist["bins"]) == len(hist["counts"]) + 1 == 21
        assert hist["bins"][0] == pytest.approx(column["min"], rel=1e-5)
        assert hist["bins"][-1] == pytest.approx(column["max"], rel=1e-5)
        assert sum(hist["counts"]) == present
        assert all(count >= 0 for count in hist["counts"])
    assert city["histogram"] is None
    assert city["min"] is None
    assert city["mean"] is None
    # The sketch is exact at this size: the bins match numpy's.
    expected, _ = np.histogram(frame["visits"], bins=visits["histogram"]["bins"])
    assert visits["histogram"]["counts"] == pytest.approx(list(expected), abs=2)


def test_a_profile_view_is_stored_with_a_profile_and_loads_back(save: Any, load: Any) -> None:
    frame = _frame()
    view = _log(frame).view()
    version = save(view)
    assert version.materializer.endswith(WhylogsProfileMaterializer.__name__)
    assert version.meta["columns"] == 3
    assert version.meta["rows"] == ROWS
    _check_columns(_profile_viz(version), frame)
    loaded = load(version)
    assert isinstance(loaded, DatasetProfileView)
    assert profile_columns(loaded) == profile_columns(view)


def test_a_result_set_loads_back_as_a_result_set_of_the_same_profile(save: Any, load: Any) -> None:
    results = _log(_frame())
    version = save(results)
    assert version.materializer.endswith(WhylogsProfileMaterializer.__name__)
    loaded = load(version)
    assert type(loaded).__name__ == "ViewResultSet"
    assert profile_columns(loaded.view()) == profile_columns(results)


def test_an_empty_or_constant_column_still_shows() -> None:
    frame = pd.DataFrame({"same": [3.0] * 10, "empty": [None] * 10})
    columns = {c["name"]: c for c in profile_columns(_log(frame))}
    assert columns["same"]["histogram"] == {"bins": [3.0, 3.0], "counts": [10]}
    assert columns["empty"]["null_count"] == 10
    assert columns["empty"]["histogram"] is None


@step
def load_frame() -> pd.DataFrame:
    return _frame()


@step
def profile(frame: pd.DataFrame) -> DatasetProfileView:
    return _log(frame).view()


def test_a_pipeline_step_returning_a_profile_shows_it() -> None:
    @pipeline
    def monitoring():
        profile(load_frame())

    monitoring()
    client = Client()
    version = client.get_artifact_version("monitoring::profile::output")
    assert [v.type for v in version.visualizations] == [VisualizationType.PROFILE]
    _check_columns(_profile_viz(version), _frame())
    loaded = client.load_artifact(version)
    assert isinstance(loaded, DatasetProfileView)
    assert profile_columns(loaded)[0]["count"] == ROWS
