"""waypost.integrations.evidently against the real Evidently (the ``evidently`` extra, which
the lock installs with pandas 2.x: Evidently 0.7 fails to import under pandas 3)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import VisualizationType
from waypost.integrations.evidently import EvidentlySnapshotMaterializer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import evidently
    from evidently.presets import DataDriftPreset


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"age": rng.normal(40, 10, 300), "income": rng.lognormal(10, 1, 300)})
    current = reference.assign(age=reference["age"] + 8)
    return reference, current


def _snapshot() -> Any:
    reference, current = _frames()
    return evidently.Report([DataDriftPreset()], include_tests=True).run(current, reference)


def test_snapshot_is_stored_with_its_interactive_html(save: Any, load: Any) -> None:
    version = save(_snapshot())
    assert version.materializer.endswith(EvidentlySnapshotMaterializer.__name__)
    (ref,) = version.visualizations
    assert ref.type == VisualizationType.HTML
    page = (Path(version.uri) / ref.path).read_text()
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "age" in page
    assert ref.meta["truncated"] is False
    loaded = load(version)
    assert type(loaded).__name__ == "Snapshot"
    assert len(loaded.metric_results) == len(_snapshot().metric_results)
    assert "<html" in loaded.get_html_str(as_iframe=False)


def test_a_report_too_big_for_a_view_is_skipped_with_a_reason(save: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("waypost.artifacts.visualizations.MAX_BYTES", 1000)
    version = save(_snapshot())
    assert version.visualizations == []
    assert "over the" in str(version.meta["visualization_errors"])


@step
def drift() -> Any:
    return _snapshot()


def test_a_step_returning_a_snapshot_shows_the_report() -> None:
    @pipeline
    def monitoring():
        drift()

    monitoring()
    version = Client().get_artifact_version("monitoring::drift::output")
    assert [v.type for v in version.visualizations] == [VisualizationType.HTML]
    assert version.visualizations[0].size > 100_000  # Evidently's page carries its own scripts
