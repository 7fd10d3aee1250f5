"""polars DataFrames and Series as parquet, with a table preview and statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.schemas.artifacts import VisualizationRef

PARQUET_FILE = "data.parquet"


class PolarsMaterializer(Materializer):
    """``polars.DataFrame`` and ``polars.Series`` as ``data.parquet`` (a Series as one column)."""

    ASSOCIATED_TYPES = ("polars.dataframe.frame.DataFrame", "polars.series.series.Series")
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        frame = data.to_frame() if _is_series(data) else data
        frame.write_parquet(path / PARQUET_FILE)

    def load(self, path: Path, data_type: str) -> Any:
        import polars as pl

        frame = pl.read_parquet(path / PARQUET_FILE)
        return frame.to_series(0) if data_type.endswith(".Series") else frame

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        frame = data.to_frame() if _is_series(data) else data
        columns = [(name, str(dtype)) for name, dtype in frame.schema.items()]
        rows = frame.head(viz.TABLE_ROWS).rows()
        table = viz.table(path, columns, rows, total_rows=frame.height)
        stats = [_column_stats(frame.to_series(i)) for i in range(min(frame.width, viz.MAX_COLUMNS))]
        summary = viz.stats(path, stats, total_rows=frame.height, total_columns=frame.width)
        return [table, summary]

    def metadata(self, data: Any) -> dict[str, Any]:
        if _is_series(data):
            return {"rows": data.len(), "dtype": str(data.dtype), "name": data.name}
        return {"rows": data.height, "columns": data.width, "column_names": data.columns[:100]}


def _is_series(data: Any) -> bool:
    return type(data).__name__ == "Series"


def _column_stats(column: Any) -> dict[str, Any]:
    nulls = int(column.null_count())
    base = {
        "name": column.name,
        "dtype": str(column.dtype),
        "count": column.len() - nulls,
        "nulls": nulls,
    }
    present = column.drop_nulls()
    dtype = column.dtype
    if dtype.is_numeric():
        return base | viz.numeric_stats(present.cast(float).to_numpy())
    if dtype.is_temporal():
        low, high = (present.min(), present.max()) if present.len() else (None, None)
        return base | {"kind": "datetime", "min": viz.json_safe(low), "max": viz.json_safe(high)}
    counts = present.value_counts(sort=True).head(viz.TOP_VALUES).rows()
    return base | viz.category_stats(counts, present.n_unique())
