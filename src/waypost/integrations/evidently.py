"""Evidently reports as artifacts with their own interactive HTML as the view.

A step returns the ``Snapshot`` that ``Report.run`` gives back; it is stored as Evidently's
JSON (so it loads back as a ``Snapshot``) and the dashboard shows Evidently's interactive
report, charts and all, in a sandboxed frame::

    from evidently import Report
    from evidently.core.report import Snapshot
    from evidently.presets import DataDriftPreset
    from waypost import step
    import waypost.integrations.evidently  # registers the materializer


    @step
    def drift(reference: pd.DataFrame, current: pd.DataFrame) -> Snapshot:
        return Report([DataDriftPreset()]).run(current, reference)

Install it with the ``evidently`` extra (``pip install "waypost[evidently]"``), which also
holds pandas below 3: Evidently 0.7 fails to import under pandas 3. Evidently is imported
only when a snapshot is loaded.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers import Materializer, MaterializerRegistry
from waypost.schemas.artifacts import VisualizationRef

__all__ = ["EvidentlySnapshotMaterializer"]

SNAPSHOT_FILE = "snapshot.json"


class EvidentlySnapshotMaterializer(Materializer):
    """An Evidently ``Snapshot`` (the result of ``Report.run``) as ``snapshot.json``, viewed as HTML."""

    ASSOCIATED_TYPES = ("evidently.core.report.Snapshot",)
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        # dumps(), not save_json(): in evidently 0.7 Snapshot.load() cannot read what
        # save_json() writes (the report's results, not the snapshot model).
        (path / SNAPSHOT_FILE).write_text(data.dumps(), encoding="utf-8")

    def load(self, path: Path, data_type: str) -> Any:
        report = importlib.import_module("evidently.core.report")
        return report.Snapshot.loads((path / SNAPSHOT_FILE).read_text(encoding="utf-8"))

    def metadata(self, data: Any) -> dict[str, Any]:
        tests = list(data.tests_results or [])
        passed = sum(1 for t in tests if str(getattr(t, "status", "")).upper().endswith("SUCCESS"))
        return {"metrics": len(data.metric_results or {}), "tests": len(tests), "tests_passed": passed}

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        page = data.get_html_str(as_iframe=False)
        size = len(page.encode("utf-8", errors="replace"))
        if size > viz.MAX_BYTES:
            # Cut HTML would be a broken page, not a shorter one: better no view and a clear reason.
            raise ValueError(
                f"the Evidently report is {size / 1e6:.1f} MB of HTML, over the "
                f"{viz.MAX_BYTES / 2**20:.0f} MiB view limit; split it into smaller reports"
            )
        return [viz.html(path, page, title=data.get_name() or "Evidently report", name="evidently.html")]


MaterializerRegistry.default().register(EvidentlySnapshotMaterializer)
