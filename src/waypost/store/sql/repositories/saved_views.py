"""Saved views: named dashboard states of one owner in one project, private or shared with the project."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from waypost.exceptions import ConflictError, NotFoundError, StoreError
from waypost.schemas.saved_views import SavedViewCreate, SavedViewUpdate
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.tables import utcnow

#: A view as stored, with its project's path and its owner's name (``editable`` is the service's to say).
ViewRow = dict[str, Any]


def _select() -> Any:
    v, p, w, u = db.saved_views, db.projects, db.workspaces, db.users
    return select(
        v,
        (w.c.name + "/" + p.c.name).label("project"),
        p.c.workspace_id,
        u.c.name.label("owner"),
    ).select_from(
        v.join(p, p.c.id == v.c.project_id).join(w, w.c.id == p.c.workspace_id).join(u, u.c.id == v.c.owner_id)
    )


def missing(view_id: object) -> NotFoundError:
    """The error for a view that does not exist (or that the caller may not open: the same words)."""
    return NotFoundError(f"No saved view '{view_id}' exists; `GET /api/v1/views` lists the ones you can open.")


def _duplicate(name: str) -> ConflictError:
    return ConflictError(f"You already have a view named '{name}' of this kind in this project; pick another name.")


def _taken(c: Connection, project_id: uuid.UUID, owner_id: uuid.UUID, kind: str, name: str, but: Any = None) -> bool:
    v = db.saved_views
    stmt = select(v.c.id).where(v.c.project_id == project_id, v.c.owner_id == owner_id, v.c.kind == kind)
    stmt = stmt.where(v.c.name == name)
    if but is not None:
        stmt = stmt.where(v.c.id != but)
    return c.execute(stmt.limit(1)).first() is not None


class SavedViewsRepository:
    """Saved views."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def create(self, project_id: uuid.UUID, owner_id: uuid.UUID, view: SavedViewCreate) -> ViewRow:
        """Store a new view; a ConflictError when the owner has one of that kind and name in the project."""
        now = utcnow()
        new_id = uuid.uuid4()
        try:
            with self._s.write() as c:
                if _taken(c, project_id, owner_id, view.kind, view.name):
                    raise _duplicate(view.name)
                c.execute(
                    db.saved_views.insert().values(
                        id=new_id,
                        created_at=now,
                        updated_at=now,
                        project_id=project_id,
                        owner_id=owner_id,
                        name=view.name,
                        kind=view.kind,
                        state=view.state,
                        shared=view.shared,
                    )
                )
        except StoreError as exc:
            if is_conflict(exc):
                raise _duplicate(view.name) from None
            raise
        return self.get(new_id)

    def get(self, view_id: uuid.UUID) -> ViewRow:
        """A view by id; NotFoundError when there is none."""
        with self._s.read_conn() as c:
            row = c.execute(_select().where(db.saved_views.c.id == view_id)).first()
        if row is None:
            raise missing(view_id)
        return dict(row._mapping)

    def list(
        self,
        owner_id: uuid.UUID,
        shared_in: Any,
        *,
        kind: str | None = None,
        project_id: uuid.UUID | None = None,
        page: int = 1,
        size: int = 100,
    ) -> tuple[list[ViewRow], int]:
        """The owner's views and those shared in projects ``shared_in`` keeps (a condition on a project id column).

        Newest change first; ``shared_in`` (or what it returns) of None means every project.
        """
        check_page(page, size)
        v = db.saved_views
        shared: Any = v.c.shared.is_(True)
        where = None if shared_in is None else shared_in(v.c.project_id)
        if where is not None:
            shared = and_(shared, where)
        conds: list[Any] = [or_(v.c.owner_id == owner_id, shared)]
        if kind is not None:
            conds.append(v.c.kind == kind)
        if project_id is not None:
            conds.append(v.c.project_id == project_id)
        stmt = _select().where(*conds).order_by(v.c.updated_at.desc(), v.c.id)
        with self._s.read() as c:
            rows = [dict(r._mapping) for r in c.execute(stmt.limit(size).offset((page - 1) * size))]
            total = len(rows) + (page - 1) * size
            if len(rows) == size or (not rows and page > 1):
                total = c.execute(select(func.count()).select_from(v).where(*conds)).scalar_one()
        return rows, total

    def update(self, view_id: uuid.UUID, change: SavedViewUpdate) -> ViewRow:
        """Rename a view, replace its state or change its sharing; a ConflictError on a taken name."""
        values: dict[str, Any] = {k: v for k, v in change.model_dump(exclude_unset=True).items() if v is not None}
        current = self.get(view_id)
        try:
            with self._s.write() as c:
                name = values.get("name")
                if name is not None and _taken(
                    c, current["project_id"], current["owner_id"], current["kind"], name, view_id
                ):
                    raise _duplicate(name)
                values["updated_at"] = utcnow()
                c.execute(db.saved_views.update().where(db.saved_views.c.id == view_id).values(**values))
        except StoreError as exc:
            if is_conflict(exc):
                raise _duplicate(str(values.get("name"))) from None
            raise
        return self.get(view_id)

    def delete(self, view_id: uuid.UUID) -> None:
        """Delete a view (a NotFoundError when there is none)."""
        with self._s.write() as c:
            if c.execute(db.saved_views.delete().where(db.saved_views.c.id == view_id)).rowcount == 0:
                raise missing(view_id)
