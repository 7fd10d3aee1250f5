"""Views of an artifact, computed when it is saved and stored beside it under ``_viz/``.

The dashboard reads only these files, never the artifact itself, so it never unpickles user
data. Each helper writes one file no larger than :data:`MAX_BYTES` under ``path / "_viz"``
(``path`` is the artifact's folder) and returns its :class:`VisualizationRef`. numpy and
Pillow are imported inside the helpers that need them, so importing this module is cheap.

These helpers are public: a custom materializer's ``visualize`` returns what they return,
and the dashboard shows those views exactly like the built-in ones. A name already taken
under ``_viz/`` gets a numbered twin (``report-2.html``), so one artifact can hold several
views of one kind.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from waypost.enums import VisualizationType
from waypost.schemas.artifacts import VisualizationRef

__all__ = [
    "MAX_BYTES",
    "VIZ_DIR",
    "category_stats",
    "chart",
    "classification_report",
    "confusion_matrix",
    "figure_image",
    "heatmap",
    "html",
    "image",
    "json_safe",
    "json_tree",
    "markdown",
    "numeric_stats",
    "profile",
    "stats",
    "table",
    "text",
    "text_kind",
    "validation",
]

VIZ_DIR = "_viz"
MAX_BYTES = 5 * 1024 * 1024
TABLE_ROWS = 100
MAX_COLUMNS = 200
CELL_CHARS = 200
TOP_VALUES = 10
HISTOGRAM_BINS = 20
CHART_POINTS = 5_000
HEATMAP_SIDE = 200
IMAGE_SIDE = 2048

_PNG_MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I;16"})


@functools.cache
def _text_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """HTML tag, Markdown block, link and list item; compiled on first use (~0.5 ms of every run's start-up)."""
    return (
        re.compile(
            r"<\s*(?:!doctype\s+html|html|head|body|div|table|tr|td|p|span|h[1-6]|ul|ol|li|img|svg"
            r"|a|br|pre|code|section|article|style|form|iframe|b|i|em|strong)\b",
            re.IGNORECASE,
        ),
        re.compile(r"^(?:#{1,6}\s+\S|```|~~~)", re.MULTILINE),
        re.compile(r"\[[^\]\n]+\]\([^)\s]+\)"),
        re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s+\S", re.MULTILINE),
    )


# -- JSON-safe values ----------------------------------------------------------------------
def json_safe(value: Any, *, max_chars: int | None = None, max_items: int | None = None, depth: int = 32) -> Any:
    """``value`` as plain JSON: non-finite floats and missing values become ``None``.

    numpy scalars become Python numbers, dates ISO strings, other objects their ``str``;
    strings are cut at ``max_chars`` and containers at ``max_items`` entries (a final
    ``"… N more"`` entry marks the cut), nesting below ``depth`` becomes ``"…"``.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value if max_chars is None or len(value) <= max_chars else value[:max_chars] + "…"
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth <= 0:
        return "…"
    limits: dict[str, Any] = {"max_chars": max_chars, "max_items": max_items, "depth": depth - 1}
    if isinstance(value, dict):
        items = list(islice(value.items(), max_items))
        out = {str(k): json_safe(v, **limits) for k, v in items}
        if len(items) < len(value):
            out["…"] = f"{len(value) - len(items)} more"
        return out
    if isinstance(value, list | tuple | set | frozenset):
        seq = [json_safe(v, **limits) for v in islice(value, max_items)]
        if len(seq) < len(value):
            seq.append(f"… {len(value) - len(seq)} more")
        return seq
    if type(value).__name__ in ("NAType", "NaTType"):
        return None  # pandas.NA and pandas.NaT
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        return json_safe(value.item(), max_chars=max_chars)  # a numpy scalar
    text = repr(value) if isinstance(value, bytes | bytearray) else str(value)
    return json_safe(text, max_chars=max_chars if max_chars is not None else CELL_CHARS * 5)


def _number(value: float) -> float | None:
    return float(f"{value:.6g}") if math.isfinite(value) else None


def _write(path: Path, name: str, data: bytes) -> tuple[str, int]:
    folder = path / VIZ_DIR
    folder.mkdir(exist_ok=True)
    # A materializer may write several views of one kind (two HTML reports, three tables):
    # a taken name gets a numbered twin rather than silently replacing the earlier view.
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    target, n = name, 1
    while (folder / target).exists():
        n += 1
        target = f"{stem}-{n}{dot}{ext}"
    (folder / target).write_bytes(data)
    return f"{VIZ_DIR}/{target}", len(data)


def _write_json(
    path: Path, name: str, kind: VisualizationType, doc: Any, title: str, meta: dict[str, Any]
) -> VisualizationRef:
    data = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    if len(data) > MAX_BYTES:
        raise ValueError(f"{kind} visualization is {len(data)} bytes, over the {MAX_BYTES} cap")
    rel, size = _write(path, name, data)
    return VisualizationRef(type=kind, path=rel, title=title, size=size, meta=meta)


# -- tables ----------------------------------------------------------------------------------
def table(
    path: Path,
    columns: Sequence[tuple[Any, str]],
    rows: Iterable[Sequence[Any]],
    *,
    total_rows: int,
    index: Sequence[Any] | None = None,
    title: str = "Preview",
    name: str = "table.json",
) -> VisualizationRef:
    """A preview of a table: ``(name, dtype)`` per column and its first 100 rows."""
    shown = list(columns)[:MAX_COLUMNS]
    width = len(shown)
    cell = {"max_chars": CELL_CHARS, "max_items": 20, "depth": 3}
    body = [[json_safe(v, **cell) for v in list(row)[:width]] for row in islice(rows, TABLE_ROWS)]
    doc: dict[str, Any] = {
        "columns": [{"name": str(n), "dtype": d} for n, d in shown],
        "rows": body,
        "total_rows": total_rows,
        "total_columns": len(columns),
    }
    if index is not None:
        doc["index"] = [json_safe(v, **cell) for v in list(index)[: len(body)]]
    truncated = len(body) < total_rows or width < len(columns)
    meta = {
        "rows": len(body),
        "columns": width,
        "total_rows": total_rows,
        "total_columns": len(columns),
        "truncated": truncated,
    }
    return _write_json(path, name, VisualizationType.TABLE, doc, title, meta)


def numeric_stats(values: Any) -> dict[str, Any]:
    """min, max, mean, std and a 20-bin histogram over the finite entries of ``values``."""
    import numpy as np

    arr = np.asarray(values, dtype=np.float64).ravel()
    arr = arr[np.isfinite(arr)]
    out: dict[str, Any] = {
        "kind": "numeric",
        "min": None,
        "max": None,
        "mean": None,
        "std": None,
        "histogram": None,
    }
    if arr.size == 0:
        return out
    with np.errstate(all="ignore"):
        out.update(
            min=_number(float(arr.min())),
            max=_number(float(arr.max())),
            mean=_number(float(arr.mean())),
        )
        if arr.size > 1:
            out["std"] = _number(float(arr.std(ddof=1)))
        try:
            counts, edges = np.histogram(arr, bins=HISTOGRAM_BINS)
        except ValueError:  # a range too wide for float64 bins
            return out
    out["histogram"] = {"edges": [_number(e) for e in edges.tolist()], "counts": counts.tolist()}
    return out


def category_stats(top: Iterable[tuple[Any, int]], unique: int | None) -> dict[str, Any]:
    """The distinct-value count and the 10 most frequent values of a non-numeric column."""
    cell = {"max_chars": CELL_CHARS, "max_items": 20, "depth": 3}
    return {
        "kind": "categorical",
        "unique": unique,
        "top": [{"value": json_safe(v, **cell), "count": int(c)} for v, c in islice(top, TOP_VALUES)],
    }


def stats(
    path: Path,
    columns: Sequence[dict[str, Any]],
    *,
    total_rows: int,
    total_columns: int,
    title: str = "Statistics",
    name: str = "stats.json",
) -> VisualizationRef:
    """Per-column statistics: each dict holds name, dtype, count, nulls and kind-specific stats."""
    shown = list(columns)[:MAX_COLUMNS]
    doc = {"rows": total_rows, "total_columns": total_columns, "columns": json_safe(shown)}
    meta = {
        "columns": len(shown),
        "total_columns": total_columns,
        "truncated": len(shown) < total_columns,
    }
    return _write_json(path, name, VisualizationType.STATS, doc, title, meta)


# -- arrays ----------------------------------------------------------------------------------
def _minmax_indices(y: Any, points: int) -> Any:
    """Indices of the minimum and maximum of each of ``points // 2`` equal buckets."""
    import numpy as np

    n = int(y.size)
    width = -(-n // (points // 2))
    picks = []
    for start in range(0, n, width * 512):  # 512 buckets at a time bounds the scratch memory
        chunk = y[start : start + width * 512]
        rows = -(-chunk.size // width)
        block = np.full(rows * width, np.nan)
        block[: chunk.size] = chunk
        block = block.reshape(rows, width)
        missing = np.isnan(block)
        lo = np.where(missing, np.inf, block).argmin(axis=1)
        hi = np.where(missing, -np.inf, block).argmax(axis=1)
        base = start + np.arange(rows) * width
        picks.append(np.stack([base + lo, base + hi], axis=1).ravel())
    idx = np.unique(np.concatenate(picks))
    return idx[idx < n]


def chart(
    path: Path, values: Any, *, x: Any = None, title: str = "Values", name: str = "chart.json"
) -> VisualizationRef:
    """A line chart of a 1-D numeric array, reduced to at most 5,000 min/max points.

    ``x`` gives each value's position (epochs, timestamps as numbers, thresholds …); by
    default it is the value's index.
    """
    import numpy as np

    y = np.asarray(values).ravel().astype(np.float64, copy=False)
    n = int(y.size)
    positions = None
    if x is not None:
        positions = np.asarray(x).ravel().astype(np.float64, copy=False)
        if positions.size != n:
            raise ValueError(f"chart x has {positions.size} values for {n} y values")
    downsampled = n > CHART_POINTS
    picks = _minmax_indices(y, CHART_POINTS) if downsampled else np.arange(n)
    doc = {
        "x": picks.tolist() if positions is None else [_number(v) for v in positions[picks].tolist()],
        "y": [_number(v) for v in y[picks].tolist()],
        "length": n,
        "downsampled": downsampled,
        "method": "minmax" if downsampled else "none",
    }
    meta = {"length": n, "points": int(picks.size), "downsampled": downsampled}
    return _write_json(path, name, VisualizationType.CHART, doc, title, meta)


def heatmap(path: Path, values: Any, *, title: str = "Heatmap", name: str = "heatmap.json") -> VisualizationRef:
    """A 2-D numeric array as at most 200 x 200 cells, each the mean of its finite block."""
    import numpy as np

    a = np.asarray(values)
    rows, cols = (int(s) for s in a.shape)
    br, bc = -(-rows // HEATMAP_SIDE), -(-cols // HEATMAP_SIDE)
    out_r, out_c = -(-rows // br), -(-cols // bc)
    out = np.empty((out_r, out_c))
    lo, hi = math.inf, -math.inf
    with np.errstate(all="ignore"):
        for i in range(out_r):  # one band of rows at a time keeps the float64 copy small
            band = a[i * br : (i + 1) * br].astype(np.float64)
            finite = np.isfinite(band)
            if finite.any():
                lo, hi = min(lo, float(band[finite].min())), max(hi, float(band[finite].max()))
            pad = ((0, 0), (0, out_c * bc - cols))
            sums = np.pad(np.where(finite, band, 0.0), pad).reshape(-1, out_c, bc).sum(axis=(0, 2))
            counts = np.pad(finite, pad).reshape(-1, out_c, bc).sum(axis=(0, 2))
            out[i] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    low, high = _number(lo), _number(hi)
    doc = {
        "values": [[_number(v) for v in row] for row in out.tolist()],
        "shape": [rows, cols],
        "block": [br, bc],
        "min": low,
        "max": high,
    }
    meta = {
        "shape": [rows, cols],
        "downsampled_shape": [out_r, out_c],
        "min": low,
        "max": high,
        "downsampled": (br, bc) != (1, 1),
    }
    return _write_json(path, name, VisualizationType.HEATMAP, doc, title, meta)


# -- images ----------------------------------------------------------------------------------
def image(path: Path, img: Any, *, title: str = "Image", name: str = "image.png") -> VisualizationRef:
    """A PNG of a PIL image, no larger than 2,048 px on its long side (and 5 MB)."""
    width, height = img.size
    thumb = img.copy()
    if thumb.mode not in _PNG_MODES:
        thumb = thumb.convert("RGBA" if "A" in thumb.getbands() else "RGB")
    side = IMAGE_SIDE
    while True:
        thumb.thumbnail((side, side))
        buf = io.BytesIO()
        thumb.save(buf, format="PNG", optimize=False)
        if buf.tell() <= MAX_BYTES or side <= 64:
            break
        side //= 2
    rel, size = _write(path, name, buf.getvalue())
    meta = {
        "width": thumb.size[0],
        "height": thumb.size[1],
        "original_width": width,
        "original_height": height,
    }
    return VisualizationRef(type=VisualizationType.IMAGE, path=rel, title=title, size=size, meta=meta)


def figure_image(path: Path, fig: Any, *, title: str = "Figure", name: str = "figure.png") -> VisualizationRef:
    """A PNG rendering of a matplotlib figure, no larger than 2,048 px on its long side."""
    from PIL import Image

    w, h = (float(v) for v in fig.get_size_inches())
    dpi = min(float(fig.dpi), IMAGE_SIDE / max(w, h, 1e-3))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    buf.seek(0)
    with Image.open(buf) as rendered:
        rendered.load()
        return image(path, rendered, title=title, name=name)


# -- text and JSON ---------------------------------------------------------------------------
def text_kind(value: str) -> VisualizationType:
    """``html`` for an HTML document or fragment, ``markdown`` when it looks like it, else ``text``."""
    head = value[:65_536]
    html_tag, md_block, md_link, md_list = _text_patterns()
    if head.lstrip().startswith("<") and html_tag.search(head):
        return VisualizationType.HTML
    if md_block.search(head) or md_link.search(head):
        return VisualizationType.MARKDOWN
    if sum(1 for _ in islice(md_list.finditer(head), 2)) == 2:
        return VisualizationType.MARKDOWN
    return VisualizationType.TEXT


_EXTENSIONS = {VisualizationType.HTML: "html", VisualizationType.MARKDOWN: "md"}


def text(
    path: Path,
    value: str,
    *,
    title: str = "Text",
    kind: VisualizationType | None = None,
    name: str | None = None,
) -> VisualizationRef:
    """A string as a markdown, HTML or plain text file, cut at 5 MB (``meta.truncated``)."""
    kind = kind or text_kind(value)
    data = value[: MAX_BYTES + 1].encode("utf-8", errors="replace")
    truncated = len(data) > MAX_BYTES
    if truncated:
        data = data[:MAX_BYTES].decode("utf-8", errors="ignore").encode()
    rel, size = _write(path, name or f"text.{_EXTENSIONS.get(kind, 'txt')}", data)
    meta = {"length": len(value), "truncated": truncated}
    return VisualizationRef(type=kind, path=rel, title=title, size=size, meta=meta)


def json_tree(path: Path, value: Any, *, title: str = "Value", name: str = "tree.json") -> VisualizationRef:
    """A dict or list as a JSON tree; big ones are pruned until the file fits in 5 MB."""
    for items, chars, depth in ((None, None, 64), (1000, 1000, 32), (100, 200, 16), (10, 50, 4)):
        doc = json_safe(value, max_items=items, max_chars=chars, depth=depth)
        data = json.dumps(doc, ensure_ascii=False, allow_nan=False).encode()
        if len(data) <= MAX_BYTES:
            break
    else:
        data = json.dumps("… too large to show").encode()
    rel, size = _write(path, name, data)
    meta = {
        "length": len(value) if hasattr(value, "__len__") else None,
        "truncated": items is not None,
    }
    return VisualizationRef(type=VisualizationType.JSON, path=rel, title=title, size=size, meta=meta)


def html(path: Path, document: str, *, title: str = "Report", name: str = "report.html") -> VisualizationRef:
    """An HTML page or fragment; the dashboard shows it in a sandboxed frame, scripts allowed."""
    return text(path, document, title=title, kind=VisualizationType.HTML, name=name)


def markdown(path: Path, document: str, *, title: str = "Notes", name: str = "notes.md") -> VisualizationRef:
    """A markdown document, rendered by the dashboard (raw HTML inside it is not)."""
    return text(path, document, title=title, kind=VisualizationType.MARKDOWN, name=name)


# -- model evaluation ------------------------------------------------------------------------
MAX_CLASSES = 1_000


def confusion_matrix(
    path: Path,
    labels: Sequence[Any],
    matrix: Sequence[Sequence[float]],
    *,
    title: str = "Confusion matrix",
    name: str = "confusion_matrix.json",
) -> VisualizationRef:
    """A square matrix of counts, rows the true class and columns the predicted one.

    ``normalized`` divides each row by its total (the recall of that class on the diagonal);
    a class absent from ``y_true`` gets a row of zeros there rather than NaN.
    """
    n = len(labels)
    rows = [list(r) for r in matrix]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise ValueError(f"a confusion matrix over {n} labels must be {n} x {n}")
    if n > MAX_CLASSES:
        raise ValueError(f"{n} classes is over the {MAX_CLASSES} a confusion matrix view can show")
    counts = [[_count(v) for v in r] for r in rows]
    normalized = []
    for r in counts:
        total = sum(v for v in r if v is not None)
        normalized.append([_number(v / total) if total and v is not None else 0.0 for v in r])
    correct = sum(counts[i][i] or 0 for i in range(n))
    total = sum(v or 0 for r in counts for v in r)
    cell = {"max_chars": CELL_CHARS}
    doc = {"labels": [json_safe(v, **cell) for v in labels], "matrix": counts, "normalized": normalized}
    meta = {"classes": n, "total": total, "accuracy": _number(correct / total) if total else None}
    return _write_json(path, name, VisualizationType.CONFUSION_MATRIX, doc, title, meta)


def _count(value: Any) -> int | float | None:
    number = float(value)
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else _number(number)  # sample weights give fractions


def _scores(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "precision": _number(float(entry["precision"])),
        "recall": _number(float(entry["recall"])),
        "f1": _number(float(entry["f1"])),
        "support": _count(entry["support"]),
    }


def classification_report(
    path: Path,
    classes: Sequence[dict[str, Any]],
    *,
    accuracy: float | None,
    macro_avg: dict[str, Any],
    weighted_avg: dict[str, Any],
    title: str = "Classification report",
    name: str = "classification_report.json",
) -> VisualizationRef:
    """Precision, recall, F1 and support per class, with accuracy and the two averages.

    Each entry of ``classes`` and both averages hold ``precision``, ``recall``, ``f1`` and
    ``support``; ``accuracy`` is ``None`` when it is not defined (multi-label targets).
    """
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"{len(classes)} classes is over the {MAX_CLASSES} a report view can show")
    rows = [{"label": json_safe(c["label"], max_chars=CELL_CHARS), **_scores(c)} for c in classes]
    acc = None if accuracy is None else _number(float(accuracy))
    macro = _scores(macro_avg)
    doc = {"classes": rows, "accuracy": acc, "macro_avg": macro, "weighted_avg": _scores(weighted_avg)}
    meta = {"classes": len(rows), "accuracy": acc, "macro_f1": macro["f1"]}
    return _write_json(path, name, VisualizationType.CLASSIFICATION_REPORT, doc, title, meta)


# -- data quality ----------------------------------------------------------------------------
UNEXPECTED_SAMPLE = 20


def validation(
    path: Path,
    results: Sequence[dict[str, Any]],
    *,
    success: bool,
    statistics: dict[str, Any] | None = None,
    title: str = "Validation",
    name: str = "validation.json",
) -> VisualizationRef:
    """The outcome of a data validation suite, one entry per expectation (or check).

    Each result holds ``expectation`` (its name), ``column`` (or ``None``), ``kwargs``,
    ``success``, ``observed_value``, ``unexpected_count`` and ``unexpected_sample`` (at most
    20 failing values or rows); optionally ``unexpected_percent`` and ``exception`` (why the
    check itself could not run). ``statistics`` defaults to counts computed from ``results``.
    """
    cell = {"max_chars": CELL_CHARS, "max_items": 50, "depth": 4}
    rows = []
    for r in results:
        count = r.get("unexpected_count")
        rows.append(
            {
                "expectation": str(r["expectation"]),
                "column": None if r.get("column") is None else str(r["column"]),
                "kwargs": json_safe(r.get("kwargs") or {}, **cell),
                "success": bool(r["success"]),
                "observed_value": json_safe(r.get("observed_value"), **cell),
                "unexpected_count": None if count is None else int(count),
                "unexpected_sample": json_safe(list(r.get("unexpected_sample") or [])[:UNEXPECTED_SAMPLE], **cell),
                "unexpected_percent": _optional_number(r.get("unexpected_percent")),
                "exception": None if r.get("exception") is None else str(r["exception"])[: CELL_CHARS * 5],
            }
        )
    passed = sum(1 for r in rows if r["success"])
    stats_doc = statistics or {
        "evaluated_expectations": len(rows),
        "successful_expectations": passed,
        "unsuccessful_expectations": len(rows) - passed,
        "success_percent": _number(100 * passed / len(rows)) if rows else None,
    }
    doc = {"success": bool(success), "statistics": json_safe(stats_doc, **cell), "results": rows}
    meta = {"success": bool(success), "evaluated": len(rows), "failed": len(rows) - passed}
    return _write_json(path, name, VisualizationType.VALIDATION, doc, title, meta)


def _optional_number(value: Any) -> float | None:
    return None if value is None else _number(float(value))


def profile(
    path: Path,
    columns: Sequence[dict[str, Any]],
    *,
    title: str = "Profile",
    name: str = "profile.json",
) -> VisualizationRef:
    """A per-column data profile: each dict holds ``name``, ``type``, ``count``, ``null_count``,
    ``min``, ``max``, ``mean``, ``stddev``, ``unique_est`` and ``histogram`` (``{"bins":
    [edges], "counts": [...]}`` or ``None``); unknown figures are ``None``."""
    keys = ("count", "null_count", "min", "max", "mean", "stddev", "unique_est")
    shown = list(columns)[:MAX_COLUMNS]
    out = []
    for c in shown:
        entry: dict[str, Any] = {"name": str(c["name"]), "type": str(c.get("type") or "unknown")}
        for key in keys:
            value = c.get(key)
            entry[key] = _optional_number(value)
        hist = c.get("histogram")
        entry["histogram"] = (
            None
            if not hist
            else {
                "bins": [_number(float(b)) for b in hist["bins"]],
                "counts": [_count(v) for v in hist["counts"]],
            }
        )
        out.append(entry)
    meta = {"columns": len(out), "total_columns": len(columns), "truncated": len(out) < len(columns)}
    return _write_json(path, name, VisualizationType.PROFILE, {"columns": out}, title, meta)
