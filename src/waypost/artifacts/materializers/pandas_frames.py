"""pandas DataFrames and Series as parquet (pyarrow), with a table preview and statistics."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer, type_name
from waypost.artifacts.materializers.pickle_fallback import (
    PickleFallbackWarning,
    read_pickle,
    write_pickle,
)
from waypost.schemas.artifacts import VisualizationRef

PARQUET_FILE = "data.parquet"
PICKLE_FILE = "data.pkl"
SERIES_FILE = "series.json"
_SERIES_COLUMN = "values"


def _parquet_ready(frame: Any) -> bool:
    """Parquet keeps these column names: unique, one type, not a mix pandas would stringify."""
    names = list(frame.columns)
    return frame.columns.is_unique and len({type(n) for n in names}) <= 1


class PandasMaterializer(Materializer):
    """``pandas.DataFrame`` and ``pandas.Series`` as ``data.parquet``.

    A frame parquet cannot hold (mixed-type column names, object columns of mixed types)
    is pickled instead, with a :class:`PickleFallbackWarning`; :meth:`load` reads either.
    """

    ASSOCIATED_TYPES = (
        "pandas.DataFrame",
        "pandas.core.frame.DataFrame",
        "pandas.Series",
        "pandas.core.series.Series",
    )
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        import pyarrow as pa

        frame = data
        if _is_series(data):
            name = data.name
            if not (name is None or isinstance(name, str | int | float | bool)):
                self._pickle(data, path, "its name is not a JSON scalar")
                return
            (path / SERIES_FILE).write_text(json.dumps({"name": name}))
            frame = data.to_frame(name=_SERIES_COLUMN)
        if not _parquet_ready(frame):
            self._pickle(data, path, "its column names are duplicated or of mixed types")
            return
        try:
            frame.to_parquet(path / PARQUET_FILE, engine="pyarrow")
        except (pa.ArrowException, ValueError, TypeError) as exc:
            (path / PARQUET_FILE).unlink(missing_ok=True)
            self._pickle(data, path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    @staticmethod
    def _pickle(data: Any, path: Path, reason: str) -> None:
        (path / SERIES_FILE).unlink(missing_ok=True)
        write_pickle(data, path / PICKLE_FILE)
        warnings.warn(
            f"{type_name(type(data))} was pickled because parquet cannot store it ({reason}); "
            "convert the offending columns (e.g. df[col].astype(str)) to store it as parquet.",
            PickleFallbackWarning,
            stacklevel=3,
        )

    def load(self, path: Path, data_type: str) -> Any:
        import pandas as pd  # type: ignore[import-untyped]  # pandas-stubs is not a dependency

        if (path / PICKLE_FILE).exists():
            return read_pickle(path / PICKLE_FILE)
        frame = pd.read_parquet(path / PARQUET_FILE, engine="pyarrow")
        if not (path / SERIES_FILE).exists():
            return frame
        series = frame[_SERIES_COLUMN]
        series.name = json.loads((path / SERIES_FILE).read_text())["name"]
        return series

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        frame = data.to_frame() if _is_series(data) else data
        head = frame.head(viz.TABLE_ROWS)
        columns = [(name, str(dtype)) for name, dtype in frame.dtypes.items()]
        rows = head.astype(object).itertuples(index=False, name=None)
        index = head.index.tolist() if not _is_default_index(frame.index) else None
        table = viz.table(path, columns, rows, total_rows=len(frame), index=index)
        stats = [_column_stats(frame.iloc[:, i]) for i in range(min(frame.shape[1], viz.MAX_COLUMNS))]
        summary = viz.stats(path, stats, total_rows=len(frame), total_columns=frame.shape[1])
        return [table, summary]

    def metadata(self, data: Any) -> dict[str, Any]:
        if _is_series(data):
            return {"rows": len(data), "dtype": str(data.dtype), "name": viz.json_safe(data.name)}
        names = [viz.json_safe(c, max_chars=100) for c in list(data.columns)[:100]]
        return {"rows": len(data), "columns": data.shape[1], "column_names": names}


def _is_series(data: Any) -> bool:
    return getattr(data, "ndim", 2) == 1


def _is_default_index(index: Any) -> bool:
    return type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1


def _column_stats(column: Any) -> dict[str, Any]:
    from pandas.api import types  # type: ignore[import-untyped]  # pandas-stubs is not a dependency

    nulls = int(column.isna().sum())
    base = {
        "name": column.name,
        "dtype": str(column.dtype),
        "count": len(column) - nulls,
        "nulls": nulls,
    }
    present = column.dropna()
    if types.is_numeric_dtype(column.dtype) and not types.is_bool_dtype(column.dtype):
        return base | viz.numeric_stats(present.to_numpy(dtype="float64", na_value=float("nan")))
    if types.is_datetime64_any_dtype(column.dtype):
        low, high = (present.min(), present.max()) if len(present) else (None, None)
        return base | {"kind": "datetime", "min": viz.json_safe(low), "max": viz.json_safe(high)}
    try:
        counts = present.value_counts()
        unique: int | None = len(counts)
    except TypeError:  # unhashable cells such as lists
        counts, unique = present.astype(str).value_counts(), None
    return base | viz.category_stats(counts.head(viz.TOP_VALUES).items(), unique)
