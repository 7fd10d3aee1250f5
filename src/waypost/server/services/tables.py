"""Pages of a stored table — a pandas/polars DataFrame's parquet or a CSV text — sorted over all its rows.

A page without a sort reads only the row groups it overlaps (and for the first rows of a
group, only the first batch). A sort reads the one column, computes its order once with
``pyarrow.compute.sort_indices`` and keeps that order in a small LRU; each page then takes
its rows from the whole table, which is kept too while it fits the byte budget. Versions
never change once written, so nothing cached can go stale; a missing folder is still
checked on every request, so deleted files are reported, not served from memory.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore
from waypost.artifacts.visualizations import CELL_CHARS, json_safe
from waypost.exceptions import ArtifactStoreError
from waypost.schemas import ArtifactTable, ArtifactVersionRead, TableColumn
from waypost.server.deps import Principal
from waypost.server.services._files import MAX_RESPONSE_BYTES, checked_uri
from waypost.server.services.artifacts import guarded_reads, version_and_files
from waypost.store.sql.store import SqlStore

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

MAX_LIMIT = 1000
"""The most rows one page holds."""
TABLE_CACHE_BYTES = 512 * 1024 * 1024
"""Memory kept for whole tables (sorted paging, parsed CSV); a bigger table is read per page."""
ORDER_CACHE_BYTES = 256 * 1024 * 1024
"""Memory kept for sort orders, by (version, column, direction): 8 bytes a row each."""

PARQUET_FILE = "data.parquet"
PICKLE_FILE = "data.pkl"
JSON_FILE = "data.json"
_CELL = {"max_chars": CELL_CHARS * 5, "max_items": 20, "depth": 3}
_FIRST_BATCH_ROWS = 65_536  # a page inside a row group's first rows decodes one batch, not the group
_DELIMITERS = ",;\t|"

K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A thread-safe LRU bounded by the total bytes of its values."""

    def __init__(self, budget: int, weigh: Callable[[V], int]) -> None:
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._budget, self._weigh, self._used = budget, weigh, 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: K, value: V) -> None:
        weight = self._weigh(value)
        if weight > self._budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._used -= old[1]
            self._items[key] = (value, weight)
            self._used += weight
            while self._used > self._budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self._used -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._used = 0


_tables: _Lru[uuid.UUID, pa.Table] = _Lru(TABLE_CACHE_BYTES, lambda t: int(t.nbytes))
_orders: _Lru[tuple[uuid.UUID, str, bool], pa.Array] = _Lru(ORDER_CACHE_BYTES, lambda a: int(a.nbytes))


def clear_caches() -> None:
    """Forget cached tables and sort orders (tests, benchmarks measuring cold reads)."""
    _tables.clear()
    _orders.clear()


# -- entry point -----------------------------------------------------------------------------
def table_page(
    store: SqlStore,
    files: ArtifactStore,
    caller: Principal,
    version_id: uuid.UUID,
    offset: int,
    limit: int,
    sort: str | None,
    descending: bool,
) -> ArtifactTable:
    """Rows ``[offset, offset + limit)`` of the version's table, in ``sort`` order when given."""
    version, files = version_and_files(store, files, caller, version_id)
    with guarded_reads(files):
        return _table_page(files, version, offset, limit, sort, descending)


def _table_page(
    files: ArtifactStore, version: ArtifactVersionRead, offset: int, limit: int, sort: str | None, descending: bool
) -> ArtifactTable:
    folder = checked_uri(files, version.uri).rstrip("/")
    if not files.exists(folder):
        raise _gone(version)
    names = set(files.listdir(folder))
    if PARQUET_FILE in names:
        source: _Source = _Parquet(files, f"{folder}/{PARQUET_FILE}", version)
    elif JSON_FILE in names and version.data_type == "builtins.str":
        source = _Csv(files, f"{folder}/{JSON_FILE}", version)
    elif PICKLE_FILE in names:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"{_label(version)} was pickled (parquet could not hold it), so it cannot be read as a table; "
            "download it and load it in Python.",
        )
    elif version.data_type.startswith(("pandas.", "polars.")):
        raise _gone(version)  # the folder is there (its visualizations, say) but not the data
    else:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"{_label(version)} ({version.data_type}) is not a table; "
            "tables are pandas or polars DataFrames and CSV text.",
        )
    schema = source.schema()
    shown_names = _display_names(schema)
    if sort is not None and sort not in shown_names:
        shown = ", ".join(shown_names[:20]) + (", …" if len(shown_names) > 20 else "")
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"Column '{sort[:100]}' is not in the table; its columns are: {shown}."
        )
    if sort is None:
        page = source.page(offset, limit)
    else:
        page = source.sorted_page(schema.names[shown_names.index(sort)], descending, offset, limit)
    columns = [TableColumn(name=n, dtype=_dtype(f.type)) for n, f in zip(shown_names, schema, strict=True)]
    return ArtifactTable(
        columns=columns,
        rows=_rows(page),
        total=source.total(),
        offset=offset,
        limit=limit,
        sort=sort,
        descending=descending,
    )


def _display_names(schema: pa.Schema) -> list[str]:
    """Column names as users know them: a pandas index stored as ``__index_level_0__`` shows as its name."""
    meta = schema.pandas_metadata or {}
    index_names = {
        c.get("field_name"): c.get("name")
        for c in meta.get("columns", [])
        if isinstance(c, dict) and c.get("field_name") in meta.get("index_columns", [])
    }
    names = list(schema.names)
    for i, field in enumerate(names):
        if field in index_names and field.startswith("__index_level_"):
            wanted = index_names[field] if isinstance(index_names[field], str) else "index"
            candidate, n = wanted, 1
            while candidate in names:
                candidate, n = f"{wanted}_{n}", n + 1
            names[i] = candidate
    return names


def _dtype(kind: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):  # pandas categoricals, polars categoricals and enums
        return f"category<{_dtype(kind.value_type)}>"
    # 64-bit offsets are a storage detail (pandas 3 strings use them); readers care that it is text.
    return {"large_string": "string", "large_binary": "binary"}.get(str(kind), str(kind))


def _rows(page: pa.Table) -> list[list[Any]]:
    cells = [[json_safe(v, **_CELL) for v in column.to_pylist()] for column in page.columns]
    return [list(row) for row in zip(*cells, strict=True)] if cells else [[] for _ in range(page.num_rows)]


# -- sources ---------------------------------------------------------------------------------
class _Source:
    """A stored table: its schema, row count, a page in stored order, and its whole content."""

    def __init__(self, files: ArtifactStore, uri: str, version: ArtifactVersionRead) -> None:
        self.files, self.uri, self.version = files, uri, version

    def schema(self) -> pa.Schema:
        raise NotImplementedError

    def total(self) -> int:
        raise NotImplementedError

    def whole(self, columns: list[str] | None = None) -> pa.Table:
        raise NotImplementedError

    def page(self, offset: int, limit: int) -> pa.Table:
        table = self.whole()
        return table.slice(min(offset, table.num_rows), limit)

    def take(self, indices: pa.Array) -> pa.Table:
        return self.whole().take(indices)

    def sorted_page(self, column: str, descending: bool, offset: int, limit: int) -> pa.Table:
        import pyarrow.compute as pc

        key = (self.version.id, column, descending)
        order = _orders.get(key)
        if order is None:
            import pyarrow as pa

            values = self.whole([column])
            kind = values.schema.field(column).type
            if pa.types.is_dictionary(kind):  # pandas categories: sorted by their values
                values = pa.table({column: values.column(column).cast(kind.value_type)})
            order_name = "descending" if descending else "ascending"
            try:
                order = pc.sort_indices(values, sort_keys=[(column, order_name)])  # nulls and NaN last
            except (NotImplementedError, _arrow_errors()) as exc:
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST,
                    f"Column '{column}' of type {_dtype(kind)} cannot be sorted ({_first_line(exc)}).",
                ) from None
            _orders.put(key, order)
        return self.take(order.slice(min(offset, len(order)), limit))


class _Parquet(_Source):
    """``data.parquet``, read through its footer: only the row groups and columns needed."""

    def __init__(self, files: ArtifactStore, uri: str, version: ArtifactVersionRead) -> None:
        super().__init__(files, uri, version)
        with self._open() as pf:
            self._schema = pf.schema_arrow
            meta = pf.metadata
            self._groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
            self._bytes = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))

    @contextmanager
    def _open(self) -> Iterator[pq.ParquetFile]:
        import pyarrow.parquet as pq

        try:
            if self.files.is_local:
                with pq.ParquetFile(self.uri, memory_map=True) as pf:
                    yield pf
            else:
                with self.files.fs.open(self.uri, "rb") as fh, pq.ParquetFile(fh) as pf:
                    yield pf
        except FileNotFoundError:
            raise _gone(self.version) from None
        except OSError as exc:
            if not self.files.is_local and not isinstance(exc, _arrow_errors()):
                raise  # a remote store that did not answer: reading() makes it a 502
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"The parquet file of {_label(self.version)} cannot be read (corrupt or not parquet): "
                f"{_first_line(exc)}",
            ) from None
        except _arrow_errors() as exc:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"The parquet file of {_label(self.version)} cannot be read (corrupt or not parquet): "
                f"{_first_line(exc)}",
            ) from None

    def schema(self) -> pa.Schema:
        return self._schema

    def total(self) -> int:
        return sum(self._groups)

    def whole(self, columns: list[str] | None = None) -> pa.Table:
        cached = _tables.get(self.version.id)
        if cached is None and self._bytes <= TABLE_CACHE_BYTES:
            # A sort's column is read with the rest: its pages need the whole table next anyway.
            with self._open() as pf:
                cached = pf.read()
            _tables.put(self.version.id, cached)
        if cached is not None:
            return cached.select(columns) if columns else cached
        with self._open() as pf:
            return pf.read(columns=columns)

    def _spans(self) -> Iterator[tuple[int, int, int]]:
        """(row group, first row, end row) of each row group."""
        start = 0
        for group, rows in enumerate(self._groups):
            yield group, start, start + rows
            start += rows

    def page(self, offset: int, limit: int) -> pa.Table:
        cached = _tables.get(self.version.id)
        if cached is not None:
            return cached.slice(min(offset, cached.num_rows), limit)
        end = offset + limit
        groups = [(g, a) for g, a, b in self._spans() if a < end and b > offset]
        if not groups:
            return self._schema.empty_table()
        first_group, first_row = groups[0]
        skip = offset - first_row
        with self._open() as pf:
            if len(groups) == 1 and skip + limit <= _FIRST_BATCH_ROWS:
                # The first rows of a group: decode one small batch, not the whole group.
                batches = pf.iter_batches(batch_size=skip + limit, row_groups=[first_group], use_threads=True)
                batch = next(batches, None)
                import pyarrow as pa

                table = pa.Table.from_batches([batch]) if batch is not None else self._schema.empty_table()
            else:
                table = pf.read_row_groups([g for g, _ in groups])
        return table.slice(skip, limit)

    def take(self, indices: pa.Array) -> pa.Table:
        if self._bytes <= TABLE_CACHE_BYTES or _tables.get(self.version.id) is not None:
            return self.whole().take(indices)
        # Too big to keep: read just the row groups the page's rows lie in.
        import pyarrow as pa

        starts = [a for _, a, _ in self._spans()]
        rows = indices.to_pylist()
        group_of = [bisect.bisect_right(starts, i) - 1 for i in rows]
        wanted = sorted(set(group_of))
        with self._open() as pf:
            part = pf.read_row_groups(wanted)
        # Each global row number, as a position in the concatenated groups.
        shift, base = {}, 0
        for g in wanted:
            shift[g] = base - starts[g]
            base += self._groups[g]
        return part.take(pa.array([i + shift[g] for i, g in zip(rows, group_of, strict=True)], pa.int64()))


class _Csv(_Source):
    """A ``str`` artifact holding CSV (or TSV, ``;``/``|``-separated) text, parsed once and kept."""

    def __init__(self, files: ArtifactStore, uri: str, version: ArtifactVersionRead) -> None:
        super().__init__(files, uri, version)
        cached = _tables.get(version.id)
        self._table = cached if cached is not None else self._parse()
        _tables.put(version.id, self._table)

    def _parse(self) -> pa.Table:
        import pyarrow.csv as pacsv

        try:
            size = self.files.size(self.uri)
            if size > MAX_RESPONSE_BYTES:
                raise HTTPException(
                    status.HTTP_413_CONTENT_TOO_LARGE,
                    f"{_label(self.version)} holds {size} bytes of text, over the {MAX_RESPONSE_BYTES}-byte "
                    "limit for reading it as a table; download it instead.",
                )
            text = json.loads(self.files.read_bytes(self.uri))
        except (FileNotFoundError, ArtifactStoreError):
            raise _gone(self.version) from None
        except ValueError:
            text = None
        if not isinstance(text, str):
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"The text of {_label(self.version)} is corrupt."
            )
        if text.strip().count("\n") < 1:
            raise _not_csv(self.version, "it has fewer than two lines")
        delimiter = _delimiter(text)
        if delimiter is None:
            raise _not_csv(self.version, "no delimiter separates its lines into the same columns")
        try:
            table = pacsv.read_csv(
                io.BytesIO(text.encode("utf-8")), parse_options=pacsv.ParseOptions(delimiter=delimiter)
            )
        except _arrow_errors() as exc:
            raise _not_csv(self.version, _first_line(exc)) from None
        if table.num_columns < 2:
            raise _not_csv(self.version, "it has a single column")
        return table

    def schema(self) -> pa.Schema:
        return self._table.schema

    def total(self) -> int:
        return int(self._table.num_rows)

    def whole(self, columns: list[str] | None = None) -> pa.Table:
        return self._table.select(columns) if columns else self._table


def _delimiter(text: str) -> str | None:
    head = text[:65_536]
    if len(text) > len(head):
        head = head[: head.rfind("\n")]  # whole lines only, or the cut one looks ragged
    try:
        return csv.Sniffer().sniff(head, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return None


# -- errors ----------------------------------------------------------------------------------
def _label(version: ArtifactVersionRead) -> str:
    return f"artifact version '{version.name}' v{version.version}"


def _gone(version: ArtifactVersionRead) -> HTTPException:
    return HTTPException(
        status.HTTP_410_GONE,
        f"The files of {_label(version)} were deleted from the artifact store ({version.uri}); "
        "its record remains, but its data cannot be shown.",
    )


def _not_csv(version: ArtifactVersionRead, why: str) -> HTTPException:
    return HTTPException(
        status.HTTP_400_BAD_REQUEST, f"The text of {_label(version)} is not a CSV table ({why}); it shows as text."
    )


def _arrow_errors() -> type[Exception]:
    import pyarrow as pa

    errors: type[Exception] = pa.ArrowException
    return errors


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]
