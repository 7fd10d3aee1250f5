"""whylogs profiles as artifacts with a per-column ``profile`` view.

A step returns what ``why.log(frame)`` gives back (a ``ResultSet``) or its ``DatasetProfileView``
(``why.log(frame).view()``); it is stored in whylogs' own binary format, so it loads back with
whylogs, and the dashboard shows one row per column (inferred type, count, nulls, min, max, mean,
standard deviation, estimated distinct values) with a histogram drawn from the profile's
distribution sketch::

    import whylogs as why
    from whylogs.core import DatasetProfileView
    from waypost import step
    import waypost.integrations.whylogs  # registers the materializer


    @step
    def profile(frame: pd.DataFrame) -> DatasetProfileView:
        return why.log(frame).view()

A stored ``DatasetProfileView`` loads back as one; a stored ``ResultSet`` loads back as a
``ViewResultSet`` around its profile (the logger state of the original is not kept).

There is no ``waypost[whylogs]`` extra: whylogs 1.6 (the latest) still uses ``np.unicode_``,
which NumPy 2 removed, and needs ``platformdirs<4``, so it cannot share an environment with
NumPy 2. Install it into an environment of its own with ``pip install whylogs "numpy<2"``
(and ``"pandas<3"``, ``"pyarrow<24"``). whylogs is imported only when a profile is loaded.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers import Materializer, MaterializerRegistry
from waypost.schemas.artifacts import VisualizationRef

__all__ = ["WhylogsProfileMaterializer", "profile_columns"]

PROFILE_FILE = "profile.bin"
_VIEW = "whylogs.core.view.dataset_profile_view.DatasetProfileView"
_RESULT_SET = "whylogs.api.logger.result_set.ResultSet"
# whylogs' type counters, in the order a tie is settled, and the names the view shows.
_TYPES = (
    ("integral", "int"),
    ("fractional", "float"),
    ("boolean", "bool"),
    ("string", "string"),
    ("tensor", "tensor"),
    ("object", "object"),
)


def _view(data: Any) -> Any:
    """The ``DatasetProfileView`` of a view or of a result set."""
    return data.view() if hasattr(data, "view") and not hasattr(data, "get_columns") else data


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _type(summary: dict[str, Any]) -> str:
    counts = [(int(summary.get(f"types/{key}") or 0), name) for key, name in _TYPES]
    best, name = max(counts, key=lambda item: item[0])  # max keeps the first of equal counts
    return name if best > 0 else "null"


def _histogram(column: Any, low: float, high: float, bins: int) -> dict[str, list[float]] | None:
    """Bin counts over ``[low, high]`` from the column's KLL sketch: rank differences at the edges."""
    metric = column.get_metric("distribution")
    if metric is None or metric.kll.value.is_empty():
        return None
    sketch = metric.kll.value
    total = int(sketch.get_n())
    if high <= low:
        return {"bins": [low, high], "counts": [total]}
    step = (high - low) / bins
    edges = [low + i * step for i in range(bins)] + [high]
    # get_cdf(inner edges) gives the share below each edge and 1.0 last; rounding the running
    # totals (not each bin) keeps the counts summing to the column's count exactly.
    cdf = sketch.get_cdf(edges[1:-1])
    running = [round(share * total) for share in cdf[:-1]] + [total]
    counts = [after - before for before, after in zip([0, *running[:-1]], running, strict=True)]
    return {"bins": edges, "counts": counts}


def profile_columns(data: Any, *, bins: int = viz.HISTOGRAM_BINS) -> list[dict[str, Any]]:
    """The per-column rows of the ``profile`` view for a ``DatasetProfileView`` or ``ResultSet``."""
    rows = []
    for name, column in sorted(_view(data).get_columns().items()):
        summary = column.to_summary_dict()
        numeric = int(summary.get("distribution/n") or 0) > 0
        low = _finite(summary.get("distribution/min")) if numeric else None
        high = _finite(summary.get("distribution/max")) if numeric else None
        rows.append(
            {
                "name": name,
                "type": _type(summary),
                "count": summary.get("counts/n"),
                "null_count": summary.get("counts/null"),
                "min": low,
                "max": high,
                "mean": _finite(summary.get("distribution/mean")) if numeric else None,
                "stddev": _finite(summary.get("distribution/stddev")) if numeric else None,
                "unique_est": _finite(summary.get("cardinality/est")),
                "histogram": None if low is None or high is None else _histogram(column, low, high, bins),
            }
        )
    return rows


class WhylogsProfileMaterializer(Materializer):
    """A whylogs ``DatasetProfileView`` or ``ResultSet`` in whylogs' binary format, with a profile view."""

    ASSOCIATED_TYPES = (_VIEW, _RESULT_SET)
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        (path / PROFILE_FILE).write_bytes(_view(data).serialize())

    def load(self, path: Path, data_type: str) -> Any:
        views = importlib.import_module("whylogs.core.view.dataset_profile_view")
        view = views.DatasetProfileView.deserialize((path / PROFILE_FILE).read_bytes())
        if data_type == _VIEW:
            return view
        result_sets = importlib.import_module("whylogs.api.logger.result_set")
        return result_sets.ViewResultSet(view)

    def metadata(self, data: Any) -> dict[str, Any]:
        columns = _view(data).get_columns()
        rows = max((int(c.to_summary_dict().get("counts/n") or 0) for c in columns.values()), default=0)
        return {"columns": len(columns), "rows": rows}

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return [viz.profile(path, profile_columns(data), title="whylogs profile", name="whylogs_profile.json")]


MaterializerRegistry.default().register(WhylogsProfileMaterializer)
