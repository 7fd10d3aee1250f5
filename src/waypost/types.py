"""String types whose value the dashboard shows as what it is, under ZenML's names.

    from waypost import step
    from waypost.types import HTMLString

    @step
    def report() -> HTMLString:
        return HTMLString("<h1>Accuracy</h1><p>0.93</p>")

A step that returns one stores the text as a file (``data.html``, ``data.md``, ``data.csv``,
``data.json``) with a view of its kind: the HTML rendered in the dashboard's sandboxed frame,
the markdown rendered, the CSV as a table, the JSON as a tree. Loading the artifact gives the
same type back. Everywhere else each is a plain ``str``.
"""

from __future__ import annotations

__all__ = ["CSVString", "HTMLString", "JSONString", "MarkdownString"]


class HTMLString(str):
    """An HTML page or fragment."""


class MarkdownString(str):
    """A markdown document."""


class CSVString(str):
    """Comma-separated values; the first row names the columns."""


class JSONString(str):
    """A JSON document."""
