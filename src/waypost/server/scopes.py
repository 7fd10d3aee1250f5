"""Where a resource lives and whether the caller may touch it: the access rules every route follows.

The rules (issue 10):

1. **Reading one resource** (a run, its steps, logs, metadata and graph; a pipeline and its
   snapshots; an artifact, an artifact version and its files, table, visualizations and
   lineage; a model and its versions): its project is looked up in one query
   (:func:`readable`). Unless the caller holds ``<type>:read`` there (a grant on the project,
   its workspace or the organization) or the resource is shared with them, the answer is the
   404 a missing resource gets, word for word: a hidden resource is never revealed to exist.
   What lives inside a run (steps, logs, metadata, the graph) is read with the run's scope and
   ``run:read``, so a run shared with someone opens its steps and logs too; an artifact
   version with ``artifact:read`` in its artifact's project, or the artifact shared.
2. **Changing one resource** (:func:`changeable`): first as rule 1 (hidden: 404), then
   :func:`~waypost.server.deps.authorize` with the specific permission (``run:update`` for
   tags, ``run:delete``, ``artifact:update`` …): a 403 naming the permission and the project
   as ``workspace/project``.
3. **Lists and counts** (runs with their columns and metadata sort, pipelines, artifacts,
   artifact versions, models, suggestions, the run column catalogue, the ``/events`` stream)
   are filtered in SQL with the caller's :class:`~waypost.schemas.access.Visibility` for the
   resource's read permission: no per-row checks, totals count visible rows only, suggestions
   come from visible rows only. A request naming a project (the ``X-Waypost-Project`` header
   or ``?project=``) narrows the list to it; an unknown project, or one the caller holds
   nothing in, is a 404 (:func:`project_filter`).
4. **Recording** (the routes a RestStore calls): a new pipeline needs ``pipeline:create`` in the
   request's project (the header's, else the default project), an existing one ``run:create``;
   a run needs ``run:create`` in its pipeline's project; step starts and ends, statuses,
   heartbeats, metadata and model links need ``run:update`` (or ``run:create``) in the run's
   project; registering artifacts ``artifact:create`` in the request's project; a model version
   ``model:create``; the step cache is read with ``run:read`` in the request's project and never
   crosses projects; the crash sweep needs an organization Admin. Uploads need
   ``artifact:create``; downloads the read of the version.
5. **Users**: listing and reading them needs ``member:read``; creating, changing and
   deactivating them ``member:manage_members`` organization-wide (making someone an admin, an
   organization Admin).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, status
from sqlalchemy import Row, Table, select

from waypost.exceptions import NotFoundError, ParameterError
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.server.deps import Principal, ProjectScope, authorize_any
from waypost.store.sql import tables as db
from waypost.store.sql.repositories._common import parse_id
from waypost.store.sql.store import SqlStore

__all__ = [
    "Located",
    "changeable",
    "exists",
    "may",
    "project_filter",
    "readable",
    "readable_many",
    "record_scope",
    "require_org_admin",
    "visibility",
]


@dataclass(frozen=True)
class _Kind:
    """How to find one kind of resource and its project."""

    table: Table  # the row looked up
    owner: Table  # the row holding project_id, and the one a share names
    share: str  # the resource type of owner, as shares and permissions name it
    noun: str  # as the store's 404 names it
    hint: str  # ... and how it goes on


_RUNS, _PIPELINES, _ARTIFACTS, _MODELS = db.pipeline_runs, db.pipelines, db.artifacts, db.models
_LIST_RUNS = "run `waypost runs list` to see the runs"
_LIST_PIPELINES = "run `waypost pipelines list` to see the pipelines"
_LIST_SNAPSHOTS = "list a pipeline's snapshots to find one"
_LIST_ARTIFACTS = "run `waypost artifacts list` to see the artifacts"
_LIST_MODELS = "run `waypost model list` to see the models"
_KINDS: dict[str, _Kind] = {
    "run": _Kind(_RUNS, _RUNS, "run", "run", _LIST_RUNS),
    "step_run": _Kind(db.step_runs, _RUNS, "run", "step run", "check the id"),
    "pipeline": _Kind(_PIPELINES, _PIPELINES, "pipeline", "pipeline", _LIST_PIPELINES),
    "snapshot": _Kind(db.pipeline_snapshots, _PIPELINES, "pipeline", "snapshot", _LIST_SNAPSHOTS),
    "artifact": _Kind(_ARTIFACTS, _ARTIFACTS, "artifact", "artifact", _LIST_ARTIFACTS),
    "artifact_version": _Kind(db.artifact_versions, _ARTIFACTS, "artifact", "artifact version", _LIST_ARTIFACTS),
    "model": _Kind(_MODELS, _MODELS, "model", "model", _LIST_MODELS),
    "model_version": _Kind(db.model_versions, _MODELS, "model", "model version", _LIST_MODELS),
}
#: The column of each child table that names its owner.
_PARENT = {
    "step_run": db.step_runs.c.run_id,
    "snapshot": db.pipeline_snapshots.c.pipeline_id,
    "artifact_version": db.artifact_versions.c.artifact_id,
    "model_version": db.model_versions.c.model_id,
}
#: The most rows one name may match before the first few are all that is looked at.
_NAME_MATCHES = 50


@dataclass(frozen=True)
class Located:
    """A resource found, the project it is in, and the shareable resource that holds it."""

    id: uuid.UUID
    scope: ProjectScope
    resource: tuple[str, uuid.UUID]

    @property
    def ref(self) -> str:
        """The id as the store's look-ups take it."""
        return str(self.id)


def _not_found(kind: _Kind, ref: object) -> NotFoundError:
    return NotFoundError(f"No {kind.noun} '{ref}' exists; {kind.hint}.")


def _candidates(store: SqlStore, name: str, ref: str | uuid.UUID, project_id: uuid.UUID | None) -> list[Row[Any]]:
    """Rows that ``ref`` may name, each with its project and workspace (one query)."""
    kind = _KINDS[name]
    p, w = db.projects, db.workspaces
    parent = _PARENT.get(name)
    joined = kind.table if parent is None else kind.table.join(kind.owner, kind.owner.c.id == parent)
    stmt = select(
        kind.table.c.id,
        kind.owner.c.id.label("owner_id"),
        p.c.id.label("project_id"),
        p.c.workspace_id,
        p.c.name.label("project"),
        w.c.name.label("workspace"),
    ).select_from(joined.join(p, p.c.id == kind.owner.c.project_id).join(w, w.c.id == p.c.workspace_id))
    rid = parse_id(ref)
    if rid is not None:
        stmt = stmt.where(kind.table.c.id == rid)
    elif name == "artifact_version":
        # "name:3" is version 3 of artifact name; "name" its latest (as ArtifactRepository.get_version reads it).
        head, sep, tail = str(ref).rpartition(":")
        artifact, number = (head, tail) if sep and tail.isdigit() and head else (str(ref), "")
        stmt = stmt.where(_ARTIFACTS.c.name == artifact).order_by(db.artifact_versions.c.version.desc())
        if number:
            stmt = stmt.where(db.artifact_versions.c.version == int(number))
    elif "name" in kind.table.c and parent is None:
        stmt = stmt.where(kind.table.c.name == str(ref))
    else:
        return []
    if rid is None and project_id is not None:
        stmt = stmt.where(kind.owner.c.project_id == project_id)
    with store.sessions.read_conn() as s:
        rows: list[Row[Any]] = list(s.execute(stmt.limit(_NAME_MATCHES)))
        return rows


def _scope(row: Row[Any]) -> ProjectScope:
    return ProjectScope(row.project_id, row.workspace_id, f"{row.workspace}/{row.project}")


def _sees(caller: Principal, kind: _Kind, row: Row[Any]) -> bool:
    return caller.access.can(
        f"{kind.share}:read",
        workspace_id=row.workspace_id,
        project_id=row.project_id,
        resource=(kind.share, row.owner_id),
    )


def readable(
    store: SqlStore, caller: Principal, name: str, ref: str | uuid.UUID, project: str | None = None
) -> Located:
    """The resource ``ref`` (an id, or a name: in the request's ``project`` when given) if the caller may read it.

    ``name`` is one of run, step_run, pipeline, snapshot, artifact, artifact_version, model,
    model_version. Missing and hidden answer the same NotFoundError (404). A name several visible
    projects use is the request's project's, else the default project's, else a one-line error.
    """
    kind = _KINDS[name]
    project_id = _project(store, project).project_id if project is not None and parse_id(ref) is None else None
    seen = [row for row in _candidates(store, name, ref, project_id) if _sees(caller, kind, row)]
    if not seen:
        raise _not_found(kind, ref)
    if parse_id(ref) is None:
        owners = {row.owner_id for row in seen}
        if len(owners) > 1:
            preferred = [row for row in seen if row.project_id == DEFAULT_PROJECT_ID]
            if not preferred:
                raise ParameterError(
                    f"Several projects have a {kind.noun} named '{ref}'; "
                    "name the project (--project, WAYPOST_PROJECT) or use the id."
                )
            seen = preferred
    row = seen[0]
    return Located(row.id, _scope(row), (kind.share, row.owner_id))


def readable_many(store: SqlStore, caller: Principal, name: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, Located]:
    """Of resources ``ids`` (of kind ``name``), those the caller may read, located (one query per 500 ids).

    Missing and hidden ids are simply absent, as :func:`readable` answers both alike.
    """
    kind = _KINDS[name]
    p, w = db.projects, db.workspaces
    parent = _PARENT.get(name)
    joined = kind.table if parent is None else kind.table.join(kind.owner, kind.owner.c.id == parent)
    stmt = select(
        kind.table.c.id,
        kind.owner.c.id.label("owner_id"),
        p.c.id.label("project_id"),
        p.c.workspace_id,
        p.c.name.label("project"),
        w.c.name.label("workspace"),
    ).select_from(joined.join(p, p.c.id == kind.owner.c.project_id).join(w, w.c.id == p.c.workspace_id))
    unique = list(dict.fromkeys(ids))
    found: dict[uuid.UUID, Located] = {}
    with store.sessions.read_conn() as s:
        for start in range(0, len(unique), 500):
            rows: list[Row[Any]] = list(s.execute(stmt.where(kind.table.c.id.in_(unique[start : start + 500]))))
            for row in rows:
                if _sees(caller, kind, row):
                    found[row.id] = Located(row.id, _scope(row), (kind.share, row.owner_id))
    return found


def may(caller: Principal, found: Located, *permissions: str) -> bool:
    """Whether the caller holds one of ``permissions`` on ``found`` (its project, workspace, or a share)."""
    scope = found.scope
    return any(
        caller.access.can(name, workspace_id=scope.workspace_id, project_id=scope.project_id, resource=found.resource)
        for name in permissions
    )


def exists(store: SqlStore, name: str, resource_id: uuid.UUID) -> bool:
    """Whether resource ``resource_id`` exists at all (for the files of a version uploaded but not registered yet)."""
    return bool(_candidates(store, name, resource_id, None))


def changeable(
    store: SqlStore,
    caller: Principal,
    name: str,
    ref: str | uuid.UUID,
    *permissions: str,
    project: str | None = None,
) -> Located:
    """The resource ``ref`` if the caller may read it (else a 404) and holds one of ``permissions`` (else a 403)."""
    found = readable(store, caller, name, ref, project)
    authorize_any(caller, permissions, scope=found.scope, resource=found.resource)
    return found


def visibility(caller: Principal, resource_type: str) -> Visibility:
    """Which rows of ``resource_type`` (run, pipeline, artifact, model) the caller may read, for SQL to filter."""
    return caller.access.visibility(f"{resource_type}:read", resource_type)


def _project(store: SqlStore, ref: str) -> ProjectScope:
    try:
        project = store.access.get_project(ref)
    except NotFoundError:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"No project '{ref}' exists; `waypost project list` shows them."
        ) from None
    return ProjectScope(project.id, project.workspace_id, project.path)


def project_filter(store: SqlStore, caller: Principal, ref: str | None) -> uuid.UUID | None:
    """The project a list narrows to (None: no project named); a 404 for one unknown or the caller holds nothing in."""
    if ref is None:
        return None
    scope = _project(store, ref)
    access = caller.access
    if (
        "project:read" in access.organization
        or access.is_org_admin
        or access.workspaces.get(scope.workspace_id)
        or access.projects.get(scope.project_id)
    ):
        return scope.project_id
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"No project '{ref}' exists; `waypost project list` shows them.")


def record_scope(store: SqlStore, caller: Principal, ref: str | None, *permissions: str) -> ProjectScope:
    """The project a record goes to (the request's, else the default), once the caller holds one of ``permissions``."""
    scope = _project(store, ref if ref is not None else str(DEFAULT_PROJECT_ID))
    if permissions:
        authorize_any(caller, permissions, scope=scope)
    return scope


def require_org_admin(caller: Principal, what: str) -> None:
    """Refuse (403) unless the caller is an organization Admin."""
    if not (caller.is_admin or caller.access.is_org_admin):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{what} needs an organization Admin; ask one to do it.")
