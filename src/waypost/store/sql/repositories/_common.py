"""Helpers shared by the repositories."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, func, insert, select
from sqlalchemy.orm import Session

from waypost.exceptions import NotFoundError
from waypost.store.filters import check_page
from waypost.store.sql.filtering import FilterSpec, conditions, order_by
from waypost.store.sql.orm import Tag, TagLink, table_of, utcnow

T = TypeVar("T")


def paged(
    session: Session, stmt: Select[Any], spec: FilterSpec, query: str, sort: str | None, page: int, size: int
) -> tuple[list[Any], int]:
    """Apply filter, sort and paging to ``stmt``; return rows and the total count."""
    check_page(page, size)
    conds = conditions(spec, query)
    if conds:
        stmt = stmt.where(*conds)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(*order_by(spec, sort)).limit(size).offset((page - 1) * size)).unique().all()
    return list(rows), total


def parse_id(value: str | uuid.UUID) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is a name."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def tags_for(session: Session, resource_type: str, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Tag names per resource id, in one query."""
    ids = list(ids)
    out: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.execute(
        select(TagLink.resource_id, Tag.name)
        .join(Tag, Tag.id == TagLink.tag_id)
        .where(TagLink.resource_type == resource_type, TagLink.resource_id.in_(ids))
        .order_by(Tag.name)
    )
    for rid, name in rows:
        out[rid].append(name)
    return out


def add_tags(conn: Session | Connection, resource_type: str, resource_id: uuid.UUID, names: Iterable[str]) -> None:
    """Attach tags (creating them as needed); attaching twice is harmless. Core statements only."""
    names = sorted({n.strip() for n in names if n and n.strip()})
    if not names:
        return
    tag, link = table_of(Tag), table_of(TagLink)
    ids = dict(conn.execute(select(tag.c.name, tag.c.id).where(tag.c.name.in_(names))).all())
    missing = [n for n in names if n not in ids]
    if missing:
        new = {n: uuid.uuid4() for n in missing}
        conn.execute(insert(tag), [{"id": i, "name": n, "created_at": utcnow()} for n, i in new.items()])
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


def not_found(kind: str, ref: object, hint: str) -> NotFoundError:
    """A one-line NotFoundError."""
    return NotFoundError(f"No {kind} '{ref}' exists; {hint}.")
