"""Turn filter-language terms into SQLAlchemy conditions with bound parameters."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from waypost.exceptions import FilterSyntaxError
from waypost.store.filters import Term, parse, parse_number, parse_time
from waypost.store.sql import tables as db

Condition = ColumnElement[bool]


@dataclass
class Field:
    """How one filter key maps onto SQL."""

    kind: str  # "str" | "enum" | "time" | "num" | "custom"
    column: Any = None
    choices: tuple[str, ...] = ()
    custom: Callable[[Term], Condition] | None = None
    help: str = ""


@dataclass(frozen=True)
class SortKey:
    """A sort that is more than one plain column.

    ``column`` may be any SQL expression. ``nulls_last`` puts rows without a value after
    the others in both directions (databases disagree on where NULL sorts, so it is
    spelled out). ``join`` names a table and ON clause the list must join to reach the
    column (the caller applies it).
    """

    column: Any
    nulls_last: bool = False
    join: tuple[Any, Any] | None = None


@dataclass
class FilterSpec:
    """The filter keys one entity understands, plus its sortable columns."""

    fields: dict[str, Field]
    sorts: dict[str, Any]  # a column or a SortKey
    default_sort: str
    metadata_owner: Any = None  # column of the entity's id matched against metadata_entries.run_id etc.
    metadata_column: Any = None
    tag_resource: str | None = None
    id_column: Any = None
    extra_keys: list[str] = field(default_factory=list)
    #: With it, ties sort newest first and then by id (what a list of runs should do).
    created_column: Any = None
    #: Conditions applied when the query has no term of that key (runs: ``archived`` is false unless asked).
    defaults: dict[str, Callable[[], Condition]] = field(default_factory=dict)

    def keys(self) -> list[str]:
        """Every key, for error messages and suggestions."""
        keys = list(self.fields)
        if self.tag_resource:
            keys.append("tag")
        if self.metadata_column is not None:
            keys.append("metadata.<key>")
        return keys


class SecondsBetween(FunctionElement[float]):
    """``end - start`` in seconds (NULL when either is NULL), spelled for each database.

    The three databases share no portable way to subtract two timestamps, so each gets
    its own: SQLite's julianday, PostgreSQL's interval epoch, MySQL/MariaDB's TIMESTAMPDIFF.
    """

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(SecondsBetween)
def _seconds_default(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({end}) - julianday({start})) * 86400.0"


@compiles(SecondsBetween, "postgresql")
def _seconds_postgres(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(SecondsBetween, "mysql")
@compiles(SecondsBetween, "mariadb")
def _seconds_mysql(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(TIMESTAMPDIFF(MICROSECOND, {start}, {end}) / 1000000.0)"


def conditions(spec: FilterSpec, query: str, *, defaults: bool = True) -> list[Condition]:
    """Parse ``query`` and build one SQL condition per term, and the spec's defaults for keys it does not name."""
    out: list[Condition] = []
    terms = parse(query)
    for term in terms:
        cond = _term(spec, term)
        out.append(not_(cond) if term.negate else cond)
    named = {t.key for t in terms}
    if defaults:
        out.extend(default() for key, default in spec.defaults.items() if key not in named)
    return out


def sort_key(spec: FilterSpec, sort: str | None) -> tuple[SortKey, bool]:
    """The key ``sort`` ("created", "-created", …) names, and whether it is descending."""
    key = sort or spec.default_sort
    name = key.lstrip("-+")
    found = spec.sorts.get(name)
    if found is None:
        raise FilterSyntaxError(f"Cannot sort by '{name}'; sort by one of: {', '.join(spec.sorts)}.")
    return (found if isinstance(found, SortKey) else SortKey(found)), key.startswith("-")


def order_by(spec: FilterSpec, sort: str | None, dialect: str | None = None) -> list[Any]:
    """ORDER BY clauses for ``sort`` ("created", "-created", …), ties broken so pages never overlap.

    ``dialect`` (the database's name) lets a ``nulls_last`` key sort in the form its
    database can serve from an index; without it the portable form is used.
    """
    key, desc = sort_key(spec, sort)
    col = key.column
    out: list[Any] = []
    if not key.nulls_last:
        out.append(col.desc() if desc else col.asc())
    elif dialect == "postgresql" or (dialect == "sqlite" and sqlite3.sqlite_version_info >= (3, 30)):
        # Said outright rather than with a flag column, which would compute the key twice.
        out.append((col.desc() if desc else col.asc()).nulls_last())
    elif desc and dialect in ("sqlite", "mysql", "mariadb"):
        out.append(col.desc())  # these sort NULL lowest, so descending already puts it last
    else:
        out += [case((col.is_(None), 1), else_=0).asc(), col.desc() if desc else col.asc()]
    tie = spec.id_column
    created = spec.created_column
    if created is None or col is created:
        # The same direction for the tie as for the key: reversing the sort reverses the list.
        out.append(tie.desc() if desc else tie.asc())
    else:
        out += [created.desc(), tie.desc()]
    return out


def _term(spec: FilterSpec, term: Term) -> Condition:
    if term.key == "tag" and spec.tag_resource:
        return _tag(spec, term)
    if term.key.startswith("metadata.") and spec.metadata_column is not None:
        return _metadata(spec, term)
    fld = spec.fields.get(term.key)
    if fld is None:
        raise FilterSyntaxError(f"Unknown filter key '{term.key}'; use one of: {', '.join(spec.keys())}.")
    if fld.kind == "custom" and fld.custom is not None:
        return fld.custom(term)
    return compare(fld, term)


def compare(fld: Field, term: Term) -> Condition:
    """The condition for a plain column."""
    col = fld.column
    values: list[Any]
    if fld.kind == "enum":
        bad = [v for v in term.values if v.lower() not in fld.choices]
        if bad:
            raise FilterSyntaxError(f"Unknown {term.key} '{bad[0]}'; use one of: {', '.join(fld.choices)}.")
        values = [v.lower() for v in term.values]
    elif fld.kind == "time":
        values = [parse_time(v, term.key) for v in term.values]
    elif fld.kind == "num":
        values = [parse_number(v, term.key) for v in term.values]
    elif fld.kind == "uuid":
        try:
            values = [uuid.UUID(v) for v in term.values]
        except ValueError:
            raise FilterSyntaxError(f"'{term.values[0]}' in '{term.key}' is not an id.") from None
    else:
        values = list(term.values)
    return _op(col, term, values, fld.kind)


def _op(col: Any, term: Term, values: Sequence[Any], kind: str) -> Condition:
    op, v = term.op, values[0]
    if op in (":", "="):
        if kind == "time" and op == ":" and len(term.values[0]) == 10:
            # created:2026-11-01 means that whole day
            if v.date() == date.max:
                return col >= v  # type: ignore[no-any-return]
            return and_(col >= v, col < v + timedelta(days=1))
        if kind == "str" and op == ":":
            if _has_wild(values):
                return or_(*[col.ilike(_like(x), escape="\\") for x in values])
            return col.in_(values)  # type: ignore[no-any-return]  # col is an untyped column attribute
        return col.in_(values) if len(values) > 1 else col == v  # type: ignore[no-any-return]  # same
    if op == "!=":
        return col != v  # type: ignore[no-any-return]  # same
    if op == "~":
        if kind not in ("str",):
            raise FilterSyntaxError(f"'~' (contains) works on text keys, not '{term.key}'.")
        return col.ilike(f"%{_escape(str(v))}%", escape="\\")  # type: ignore[no-any-return]  # same
    if kind not in ("time", "num"):
        raise FilterSyntaxError(f"'{op}' compares numbers and times, not '{term.key}'; use {term.key}:VALUE.")
    return {">": col > v, ">=": col >= v, "<": col < v, "<=": col <= v}[op]  # type: ignore[no-any-return]


def starts_with(column: Any, prefix: str) -> Condition:
    """Case-insensitive "begins with", LIKE's wildcards in ``prefix`` taken literally."""
    return func.lower(column).like(f"{_escape(prefix.lower())}%", escape="\\")


def _has_wild(values: Sequence[Any]) -> bool:
    return any("*" in str(x) for x in values)


def _like(value: str) -> str:
    return _escape(value).replace("*", "%")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _tag(spec: FilterSpec, term: Term) -> Condition:
    if term.op not in (":", "="):
        raise FilterSyntaxError("Tags match by name only; write tag:NAME (or tag:a,b for either).")
    sub = (
        select(db.tag_links.c.resource_id)
        .join(db.tags, db.tags.c.id == db.tag_links.c.tag_id)
        .where(db.tag_links.c.resource_type == spec.tag_resource, db.tags.c.name.in_(term.values))
    )
    return spec.id_column.in_(sub)  # type: ignore[no-any-return]


def _metadata(spec: FilterSpec, term: Term) -> Condition:
    key = term.key.split(".", 1)[1]
    if not key:
        raise FilterSyntaxError("Write metadata filters as metadata.KEY>VALUE, e.g. metadata.accuracy>0.9.")
    bools = {"true": 1.0, "false": 0.0}
    if term.op in (":", "=", "!=") and all(v.lower() in bools for v in term.values):
        nums = [bools[v.lower()] for v in term.values]
        is_bool = db.metadata_entries.c.type == "bool"
        if term.op == "!=":
            return _owners(spec, key, and_(is_bool, db.metadata_entries.c.value_num != nums[0]))
        return _owners(spec, key, and_(is_bool, db.metadata_entries.c.value_num.in_(nums)))
    if term.op in (">", ">=", "<", "<=") or (term.op in (":", "=", "!=") and _numeric(term.values)):
        nums = [parse_number(v, term.key) for v in term.values]
        col = db.metadata_entries.c.value_num
        if term.op in (":", "="):
            cond: Condition = col.in_(nums)
        elif term.op == "!=":
            cond = col != nums[0]
        else:
            cond = {">": col > nums[0], ">=": col >= nums[0], "<": col < nums[0], "<=": col <= nums[0]}[term.op]
    elif term.op == "~":
        cond = db.metadata_entries.c.value_str.ilike(f"%{_escape(term.values[0])}%", escape="\\")
    elif term.op == "!=":
        cond = db.metadata_entries.c.value_str != term.values[0]
    else:
        cond = db.metadata_entries.c.value_str.in_(term.values)
    return _owners(spec, key, cond)


def _owners(spec: FilterSpec, key: str, cond: Condition) -> Condition:
    """Rows owning a metadata entry ``key`` that meets ``cond``.

    Written as ``id IN (owners of matching entries)`` rather than a correlated EXISTS:
    the matching entries are found once through ix_metadata_key_num, where EXISTS had
    SQLite probe that index once per row (over a million runs, minutes instead of
    milliseconds). Entries of other owners have a NULL there, kept out so that a
    negated term's NOT IN stays true for everyone else.
    """
    owners = select(spec.metadata_column).where(
        db.metadata_entries.c.key == key, cond, spec.metadata_column.is_not(None)
    )
    return spec.id_column.in_(owners)  # type: ignore[no-any-return]


def _numeric(values: Sequence[str]) -> bool:
    try:
        [float(v) for v in values]
    except ValueError:
        return False
    return True
