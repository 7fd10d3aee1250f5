"""Helpers shared by the repositories."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnDefault, Connection, Row, Select, Table, false, func, insert, or_, select

from waypost.exceptions import NotFoundError, ParameterError
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.filtering import FilterSpec, conditions, order_by
from waypost.store.sql.tables import utcnow

T = TypeVar("T")


def paged(
    conn: Connection, stmt: Select[Any], spec: FilterSpec, query: str, sort: str | None, page: int, size: int
) -> tuple[list[Row[Any]], int]:
    """Apply filter, sort and paging to ``stmt``; return rows and the total count."""
    check_page(page, size)
    conds = conditions(spec, query)
    if conds:
        stmt = stmt.where(*conds)
    total = conn.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = conn.execute(stmt.order_by(*order_by(spec, sort)).limit(size).offset((page - 1) * size)).all()
    return list(rows), total


def row_by_id(conn: Connection, table: Table, row_id: uuid.UUID | None) -> Row[Any] | None:
    """The row of ``table`` whose ``id`` is ``row_id`` (None for None)."""
    if row_id is None:
        return None
    return conn.execute(select(table).where(table.c.id == row_id)).first()


def row_by_ref(
    conn: Connection, table: Table, ref: str | uuid.UUID, project_id: uuid.UUID | None = None
) -> Row[Any] | None:
    """The row of ``table`` whose ``id`` or, failing that, ``name`` is ``ref``.

    Names are unique per project: with ``project_id`` the name is looked up there; without, a name
    found in several projects is the default project's, else a one-line error asks for the project.
    """
    rid = parse_id(ref)
    if rid is not None:
        return row_by_id(conn, table, rid)
    stmt = select(table).where(table.c.name == str(ref))
    if project_id is not None and "project_id" in table.c:
        return conn.execute(stmt.where(table.c.project_id == project_id)).first()
    rows = conn.execute(stmt.limit(50)).all()
    if len(rows) <= 1:
        return rows[0] if rows else None
    in_default = [r for r in rows if r.project_id == DEFAULT_PROJECT_ID]
    if in_default:
        return in_default[0]
    raise ParameterError(
        f"Several projects have a {table.name.rstrip('s').replace('_', ' ')} named '{ref}'; "
        "name the project (--project, WAYPOST_PROJECT) or use the id."
    )


def in_project(table: Table, project_id: uuid.UUID | None) -> Any:
    """A WHERE condition keeping the rows of one project (None: no condition)."""
    return None if project_id is None else table.c.project_id == project_id


def visible(table: Table, visibility: Visibility | None, *, id_column: Any = None) -> Any:
    """A WHERE condition keeping the rows of a project resource ``table`` the caller may see (None: all).

    ``id_column`` is the column shares name (the table's ``id`` by default).
    """
    if visibility is None or visibility.everything:
        return None
    conds: list[Any] = []
    if visibility.project_ids:
        conds.append(table.c.project_id.in_(sorted(visibility.project_ids)))
    if visibility.workspace_ids:
        in_workspaces = select(db.projects.c.id).where(db.projects.c.workspace_id.in_(sorted(visibility.workspace_ids)))
        conds.append(table.c.project_id.in_(in_workspaces))
    if visibility.shared_ids:
        conds.append((table.c.id if id_column is None else id_column).in_(sorted(visibility.shared_ids)))
    return or_(*conds) if conds else false()


def parse_id(value: str | uuid.UUID) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is a name."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def tags_for(conn: Connection, resource_type: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Tag names per resource id, in one query."""
    ids = list(ids)
    out: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = conn.execute(
        select(db.tag_links.c.resource_id, db.tags.c.name)
        .join(db.tags, db.tags.c.id == db.tag_links.c.tag_id)
        .where(db.tag_links.c.resource_type == resource_type, db.tag_links.c.resource_id.in_(ids))
        .order_by(db.tags.c.name)
    )
    for rid, name in rows:
        out[rid].append(name)
    return out


def add_tags(
    conn: Connection,
    resource_type: str,
    resource_id: uuid.UUID,
    names: Iterable[str],
    project_id: uuid.UUID = DEFAULT_PROJECT_ID,
) -> None:
    """Attach tags of ``project_id`` (creating them as needed); attaching twice is harmless. Core statements only."""
    names = sorted({n.strip() for n in names if n and n.strip()})
    if not names:
        return
    tag, link = db.tags, db.tag_links
    ids = dict(
        conn.execute(select(tag.c.name, tag.c.id).where(tag.c.project_id == project_id, tag.c.name.in_(names))).all()
    )
    missing = [n for n in names if n not in ids]
    if missing:
        new = {n: uuid.uuid4() for n in missing}
        conn.execute(
            insert(tag),
            [{"id": i, "project_id": project_id, "name": n, "created_at": utcnow()} for n, i in new.items()],
        )
        ids.update(new)
    linked = set(
        conn.execute(
            select(link.c.tag_id).where(link.c.resource_type == resource_type, link.c.resource_id == resource_id)
        ).scalars()
    )
    rows = [
        {"tag_id": ids[n], "resource_type": resource_type, "resource_id": resource_id}
        for n in names
        if ids[n] not in linked
    ]
    if rows:
        conn.execute(insert(link), rows)


def insert_row(conn: Connection, table: Table, **values: Any) -> dict[str, Any]:
    """Insert one row of ``table``; return every column as written (column defaults filled in, else None)."""
    row: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        if column.name in values:
            row[column.name] = values[column.name]
        elif isinstance(default, ColumnDefault):
            row[column.name] = default.arg(None) if default.is_callable else default.arg
        else:
            row[column.name] = None
    conn.execute(insert(table), [row])
    return row


def not_found(kind: str, ref: object, hint: str) -> NotFoundError:
    """A one-line NotFoundError."""
    return NotFoundError(f"No {kind} '{ref}' exists; {hint}.")
