"""Parameter and metadata columns of the runs list, and CSV export of every matching run."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeGuard

from waypost.exceptions import FilterSyntaxError
from waypost.schemas import Page, RunRead
from waypost.schemas.runs import RunColumnKeys, RunSummary
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services.runs import get_run_or_404
from waypost.store.filters import parse
from waypost.store.sql.filtering import sort_key
from waypost.store.sql.repositories.run_columns import (
    ColumnKey,
    ExportRow,
    RunColumnsRepository,
    metadata_sort_key,
    parse_column_keys,
)
from waypost.store.sql.repositories.runs import FILTERS
from waypost.store.sql.store import SqlStore

#: An export refuses filters matching more runs than this: narrow the filter instead.
MAX_EXPORT_ROWS = 1_000_000
#: Columns every run has, with their CSV headers (the dashboard's own export uses the same).
BUILTIN_COLUMNS = {
    "status": "status",
    "name": "name",
    "pipeline": "pipeline",
    "started": "started",
    "duration": "duration_s",
    "user": "user",
    "stack": "stack",
    "tags": "tags",
}


def _split(columns: str) -> list[str]:
    return [c.strip() for c in columns.split(",") if c.strip()]


def column_keys(columns: str) -> list[ColumnKey]:
    """The parameter and metadata keys of a ``columns=`` value (comma-separated)."""
    return parse_column_keys(_split(columns))


def with_columns(store: SqlStore, page: Page[RunRead], keys: Sequence[ColumnKey]) -> Page[RunRead]:
    """Fill each run's ``columns`` with the values of ``keys`` (one query per kind); untouched without keys."""
    if not keys:
        return page
    ids = [r.id for r in page.items]
    values = RunColumnsRepository(store.sessions).values(ids, keys, {r.id: r.parameters for r in page.items})
    items = [r.model_copy(update={"columns": values[r.id]}) for r in page.items]
    return page.model_copy(update={"items": items})


def sorts_by_metadata(sort: str | None) -> TypeGuard[str]:
    """Whether ``sort`` is ``metadata.KEY`` (or ``-metadata.KEY``), which this module sorts by."""
    return sort is not None and sort.lstrip("-+").startswith("metadata.")


def list_sorted_by_metadata(
    store: SqlStore, caller: Principal, q: str, sort: str, page: int, size: int, project: str | None = None
) -> Page[RunRead]:
    """Runs matching ``q`` the caller may read, sorted by a metadata key's latest value; runs without it last."""
    ids, total = RunColumnsRepository(store.sessions).sorted_page(
        q,
        sort,
        page,
        size,
        visibility=scopes.visibility(caller, "run"),
        project_id=scopes.project_filter(store, caller, project),
    )
    return Page(items=store.runs.get_many(ids), total=total, page=page, size=size)


def keys(store: SqlStore, caller: Principal, q: str, project: str | None = None) -> RunColumnKeys:
    """The column keys the newest runs matching ``q`` that the caller may read offer."""
    found = RunColumnsRepository(store.sessions).keys(
        q, visibility=scopes.visibility(caller, "run"), project_id=scopes.project_filter(store, caller, project)
    )
    return RunColumnKeys(params=found.params, step_params=found.step_params, metadata=found.metadata)


def summary(store: SqlStore, caller: Principal, ref: str, project: str | None = None) -> RunSummary:
    """A run's metadata (latest per key) and model version, for its page's header; 404 for an unknown run."""
    run = get_run_or_404(store, caller, ref, project)
    return RunColumnsRepository(store.sessions).summary(run.id)


# -- CSV ------------------------------------------------------------------------------
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_NEEDS_QUOTES = re.compile(r'[",\r\n]')


def csv_field(value: Any) -> str:
    """One CSV field as spreadsheets read it, as the dashboard's lib/csv.ts writes it.

    A text starting with = + - @ (or a tab or carriage return) would run as a formula
    when opened in a spreadsheet, so it gets a leading single quote (OWASP's advice);
    numbers such as -1.5 stay numbers. Fields with a comma, quote or line break, or with
    spaces at either end, are quoted and their quotes doubled.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) and math.isfinite(value) else str(value)
        text = text[:-2] if text.endswith(".0") else text
    elif isinstance(value, str):
        text = value
        if _FORMULA_START.match(text) and not _NUMBER.match(text):
            text = "'" + text
    else:  # a list or mapping parameter
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if _NEEDS_QUOTES.search(text) or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _duration(row: ExportRow, now: datetime) -> float | None:
    if row.started_at is None:
        return None
    start = row.started_at if row.started_at.tzinfo else row.started_at.replace(tzinfo=UTC)
    end = row.ended_at or now
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    seconds = (end - start).total_seconds()
    return round(seconds, 3) if seconds >= 0 else None


#: How each built-in column reads a row (one lookup per cell: an export may hold a million rows).
_BUILTIN_CELLS: dict[str, Callable[[ExportRow, datetime], Any]] = {
    "status": lambda row, now: row.status,
    "name": lambda row, now: row.name,
    "pipeline": lambda row, now: row.pipeline,
    "started": lambda row, now: _iso(row.started_at or row.created_at),
    "duration": _duration,
    "user": lambda row, now: row.user,
    "stack": lambda row, now: row.stack,
    "tags": lambda row, now: " ".join(row.tags),
}


def _cell(column: str, row: ExportRow, now: datetime) -> Any:
    read = _BUILTIN_CELLS.get(column)
    return read(row, now) if read is not None else row.columns.get(column)


class Export:
    """A checked export: the header, and the rows to stream."""

    def __init__(
        self, store: SqlStore, caller: Principal, q: str, sort: str | None, columns: str, project: str | None = None
    ) -> None:
        """Check everything that could fail before the first byte is sent (a 400, not a cut-off file)."""
        # Every key that is not a built-in column parses (or this raises), so all of them stay.
        self.order = list(dict.fromkeys(_split(columns) or BUILTIN_COLUMNS))
        self.keys = parse_column_keys(c for c in self.order if c not in BUILTIN_COLUMNS)
        parse(q)  # a syntax error is a 400 here, not in the stream
        if metadata_sort_key(sort) is None:
            sort_key(FILTERS, sort)
        self._repo = RunColumnsRepository(store.sessions)
        self._visibility = scopes.visibility(caller, "run")
        self._project_id = scopes.project_filter(store, caller, project)
        self.total = self._repo.count(q, visibility=self._visibility, project_id=self._project_id)
        if self.total > MAX_EXPORT_ROWS:
            raise FilterSyntaxError(
                f"{self.total:,} runs match; an export holds at most {MAX_EXPORT_ROWS:,}. "
                "Narrow the filter (e.g. created>30d) and export in parts."
            )
        self._q, self._sort = q, sort

    @property
    def header(self) -> list[str]:
        """The CSV header: ``id``, then each column."""
        return ["id", *(BUILTIN_COLUMNS.get(c, c) for c in self.order)]

    def lines(self) -> Iterator[str]:
        """The CSV text, a chunk of rows at a time (CRLF line ends, RFC 4180)."""
        yield ",".join(csv_field(h) for h in self.header) + "\r\n"
        now = datetime.now(UTC)
        chunks = self._repo.export_rows(
            self._q,
            self._sort,
            self.keys,
            tags="tags" in self.order,
            visibility=self._visibility,
            project_id=self._project_id,
        )
        for chunk in chunks:
            yield "".join(_line(row, self.order, now) for row in chunk)


def _line(row: ExportRow, order: Sequence[str], now: datetime) -> str:
    return ",".join([csv_field(str(row.id)), *(csv_field(_cell(c, row, now)) for c in order)]) + "\r\n"
