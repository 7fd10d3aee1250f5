"""The string types of :mod:`waypost.types` (HTML, markdown, CSV, JSON) as a text file and a view of their kind."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import VisualizationRef
from waypost.types import CSVString, HTMLString, JSONString, MarkdownString

#: Each type and the file its text is stored in; a subclass is stored as the type it derives from.
FILES: dict[type[str], str] = {
    HTMLString: "data.html",
    MarkdownString: "data.md",
    CSVString: "data.csv",
    JSONString: "data.json",
}
# Lone surrogates (text decoded with errors="surrogateescape") round-trip too.
_ERRORS = "surrogatepass"


def _kind(value: str) -> type[str]:
    for kind in FILES:
        if isinstance(value, kind):
            return kind
    raise TypeError(f"{type(value).__name__} is not one of waypost.types' string types")


class StructuredStringMaterializer(Materializer):
    """``HTMLString``, ``MarkdownString``, ``CSVString`` and ``JSONString`` as one UTF-8 file each.

    Views: HTML in the dashboard's sandboxed frame, markdown rendered, CSV as a table (the first
    row names the columns; numeric columns are shown as numbers), JSON as a tree (text that
    does not parse is shown as plain text, its title saying where it fails).
    Loading gives back the type that was saved.
    """

    ASSOCIATED_TYPES = tuple(f"waypost.types.{kind.__name__}" for kind in FILES)
    VERSION = "1"

    def save(self, data: str, path: Path) -> None:
        (path / FILES[_kind(data)]).write_bytes(str(data).encode("utf-8", _ERRORS))

    def load(self, path: Path, data_type: str) -> str:
        for kind, name in FILES.items():
            file = path / name
            if file.exists():
                return kind(file.read_bytes().decode("utf-8", _ERRORS))
        raise FileNotFoundError(2, "No such file", str(path / FILES[HTMLString]))

    def visualize(self, data: str, path: Path) -> list[VisualizationRef]:
        if not data:
            return []
        kind = _kind(data)
        if kind is HTMLString:
            return [viz.html(path, data, title="HTML")]
        if kind is MarkdownString:
            return [viz.markdown(path, data, title="Markdown")]
        if kind is CSVString:
            return [csv_table(path, data)]
        try:
            parsed = json.loads(data)
        except json.JSONDecodeError as exc:  # shown as it is, the title saying why
            title = f"JSON (does not parse: {exc.msg} at line {exc.lineno} column {exc.colno})"
            return [viz.text(path, data, title=title, kind=VisualizationType.TEXT)]
        return [viz.json_tree(path, parsed, title="JSON")]

    def metadata(self, data: str) -> dict[str, Any]:
        found: dict[str, Any] = {"length": len(data)}
        if _kind(data) is CSVString and data:
            header, rows = _csv_rows(data)
            found.update(columns=len(header), rows=sum(1 for _ in rows))
        return found


def _csv_rows(text: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator over the other rows (blank lines skipped)."""
    reader = (row for row in csv.reader(io.StringIO(text, newline="")) if row)
    return next(reader, []), reader


def csv_table(path: Path, text: str, *, title: str = "CSV") -> VisualizationRef:
    """CSV text as a table view: the first row names the columns, numeric columns are numbers."""
    header, rows = _csv_rows(text)
    shown = [row + [""] * (len(header) - len(row)) for row in islice(rows, viz.TABLE_ROWS)]
    total = len(shown) + sum(1 for _ in rows)
    columns: list[tuple[str, str]] = []
    for j, name in enumerate(header):
        dtype, cells = _column([row[j] for row in shown])
        columns.append((name, dtype))
        for row, cell in zip(shown, cells, strict=True):
            row[j] = cell
    return viz.table(path, columns, shown, total_rows=total, title=title)


def _column(cells: list[str]) -> tuple[str, list[Any]]:
    """The column's dtype (``int``, ``float`` or ``str``) and its cells as such (an empty number is null)."""
    filled = [c for c in cells if c.strip()]
    for dtype, parse in (("int", int), ("float", float)):
        try:
            values = {c: parse(c) for c in filled}
        except ValueError:
            continue
        if filled:
            return dtype, [values.get(c) for c in cells]
    return "str", list(cells)
