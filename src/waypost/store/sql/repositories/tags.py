"""Tags of pipelines, runs, artifact versions and model versions, changed for many resources at once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, insert, select

from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import not_found, tags_for
from waypost.store.sql.tables import utcnow

#: The resource types tags attach to, as tag_links name them.
TAGGABLE = ("run", "pipeline", "artifact_version", "model_version")
_CHUNK = 500


def _names(tags: Iterable[str]) -> list[str]:
    return sorted({t.strip() for t in tags if t and t.strip()})


def projects_stmt(resource_type: str, ids: list[uuid.UUID]) -> Select[Any]:
    """SELECT id, project_id of resources ``ids`` of ``resource_type``."""
    if resource_type == "run":
        t = db.pipeline_runs
        return select(t.c.id, t.c.project_id).where(t.c.id.in_(ids))
    if resource_type == "pipeline":
        t = db.pipelines
        return select(t.c.id, t.c.project_id).where(t.c.id.in_(ids))
    if resource_type == "artifact_version":
        av, a = db.artifact_versions, db.artifacts
        return select(av.c.id, a.c.project_id).join(a, a.c.id == av.c.artifact_id).where(av.c.id.in_(ids))
    if resource_type == "model_version":
        mv, m = db.model_versions, db.models
        return select(mv.c.id, m.c.project_id).join(m, m.c.id == mv.c.model_id).where(mv.c.id.in_(ids))
    raise ValueError(f"Tags attach to {', '.join(TAGGABLE)}, not '{resource_type}'.")


def change_tags(
    c: Connection,
    resource_type: str,
    projects: dict[uuid.UUID, uuid.UUID],
    add: Iterable[str],
    remove: Iterable[str],
    exclusive: Iterable[str] = (),
) -> dict[uuid.UUID, list[str]]:
    """Put ``add`` on and take ``remove`` off each resource of ``projects`` (id: its project); their tags after.

    A tag named in both stays on. An ``exclusive`` tag is taken off every other resource of
    this kind in the project first (one holds it at a time). A handful of statements however
    many resources: tags are created per project as needed, links inserted and deleted in sets.
    """
    adding, ids = _names(add), list(projects)
    removing = [n for n in _names(remove) if n not in adding]
    by_project: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for rid, pid in projects.items():
        by_project[pid].append(rid)
    tag, link = db.tags, db.tag_links
    if adding:
        tag_ids: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
        known = select(tag.c.id, tag.c.project_id, tag.c.name).where(
            tag.c.project_id.in_(list(by_project)), tag.c.name.in_(adding)
        )
        for row in c.execute(known):
            tag_ids[(row.project_id, row.name)] = row.id
        new = [(pid, n) for pid in by_project for n in adding if (pid, n) not in tag_ids]
        if new:
            made = {key: uuid.uuid4() for key in new}
            rows = [{"id": i, "project_id": pid, "name": n, "created_at": utcnow()} for (pid, n), i in made.items()]
            c.execute(insert(tag), rows)
            tag_ids.update(made)
        wanted = {(rid, tag_ids[(pid, n)]) for rid, pid in projects.items() for n in adding}
        have: set[tuple[uuid.UUID, uuid.UUID]] = set()
        for start in range(0, len(ids), _CHUNK):
            have.update(
                (r, t)
                for r, t in c.execute(
                    select(link.c.resource_id, link.c.tag_id).where(
                        link.c.resource_type == resource_type,
                        link.c.resource_id.in_(ids[start : start + _CHUNK]),
                        link.c.tag_id.in_(list(set(tag_ids.values()))),
                    )
                )
            )
        missing = sorted(wanted - have)
        if missing:
            c.execute(
                insert(link), [{"tag_id": t, "resource_type": resource_type, "resource_id": r} for r, t in missing]
            )
    moving = [n for n in _names(exclusive) if n in adding]
    if moving:
        held = select(tag.c.id).where(tag.c.project_id.in_(list(by_project)), tag.c.name.in_(moving))
        c.execute(
            delete(link).where(
                and_(link.c.resource_type == resource_type, link.c.tag_id.in_(held), link.c.resource_id.not_in(ids))
            )
        )
    if removing:
        gone = select(tag.c.id).where(tag.c.project_id.in_(list(by_project)), tag.c.name.in_(removing))
        for start in range(0, len(ids), _CHUNK):
            c.execute(
                delete(link).where(
                    and_(
                        link.c.resource_type == resource_type,
                        link.c.resource_id.in_(ids[start : start + _CHUNK]),
                        link.c.tag_id.in_(gone),
                    )
                )
            )
    out: dict[uuid.UUID, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        out.update(tags_for(c, resource_type, ids[start : start + _CHUNK]))
    return out


class TagRepository:
    """Tags on any taggable resource, by id."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def change(
        self,
        resource_type: str,
        ids: list[uuid.UUID],
        *,
        add: list[str],
        remove: list[str],
        exclusive: list[str] | tuple[str, ...] = (),
        missing_ok: bool = False,
    ) -> dict[uuid.UUID, list[str]]:
        """Tag and untag resources ``ids`` (with tags of each one's project); each one's tags after.

        ``exclusive`` tags (of ``add``) move here from any other resource of the kind in the project.

        Raises:
            NotFoundError: one of ``ids`` does not exist (nothing is changed then), unless
                ``missing_ok``: then those are left out of the answer.
        """
        unique = list(dict.fromkeys(ids))
        with self._s.write_conn() as c:
            projects: dict[uuid.UUID, uuid.UUID] = {}
            for start in range(0, len(unique), _CHUNK):
                for row in c.execute(projects_stmt(resource_type, unique[start : start + _CHUNK])):
                    projects[row[0]] = row[1]
            missing = [i for i in unique if i not in projects]
            if missing and not missing_ok:
                noun = resource_type.replace("_", " ")
                raise not_found(noun, missing[0], "check the id")
            return change_tags(c, resource_type, projects, add, remove, exclusive)
