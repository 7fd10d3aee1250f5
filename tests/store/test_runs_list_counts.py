"""How many runs a list says it matches, on SQLite, PostgreSQL and MariaDB, with archived runs among them: the
default list counts every matching run less the archived ones (two index look-ups), a filter naming ``archived``
counts directly; pipelines report their newest run. Pages of one run make every count go to the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from waypost.enums import ExecutionStatus
from waypost.schemas import RunRead
from waypost.schemas.access import Visibility
from waypost.store.sql.store import SqlStore
from waypost.testing import make_pipeline, make_run


@pytest.fixture
def store(fresh_url: str) -> Iterator[SqlStore]:
    s = SqlStore(fresh_url)
    yield s
    s.close()


def test_totals_leave_archived_runs_out_unless_asked(store: SqlStore) -> None:
    pipe = make_pipeline(store)
    runs = [
        make_run(store, pipe, status=ExecutionStatus.FAILED if i % 3 == 0 else ExecutionStatus.RUNNING)
        for i in range(9)
    ]
    archived = [runs[0], runs[1], runs[4]]  # one failed (0), two running
    store.runs.set_archived([r.id for r in archived], True)

    def total(query: str) -> int:
        page = store.runs.list(query, page=1, size=1)
        assert len(page.items) == 1
        return page.total

    assert total("") == 6
    assert total("status:failed") == 2  # runs 3 and 6; run 0 is archived
    assert total("archived:true") == 3
    assert total("archived:false") == 6
    assert total("archived:any") == 9
    assert total("archived:true status:running") == 2
    assert {r.id for r in store.runs.list("", page=1, size=50).items} == {r.id for r in runs} - {r.id for r in archived}
    store.runs.set_archived([runs[0].id], False)
    assert total("status:failed") == 3


def test_a_pipeline_reports_its_newest_run(store: SqlStore) -> None:
    first, second = make_pipeline(store), make_pipeline(store)
    make_run(store, first, status=ExecutionStatus.FAILED)
    newest = make_run(store, first, status=ExecutionStatus.COMPLETED)
    make_run(store, second, status=ExecutionStatus.RUNNING)
    found = {p.id: p for p in store.pipelines.list(size=50).items}
    assert (found[first.id].run_count, found[first.id].latest_run_status) == (2, ExecutionStatus.COMPLETED)
    assert found[first.id].latest_run_at == newest.created_at
    assert (found[second.id].run_count, found[second.id].latest_run_status) == (1, ExecutionStatus.RUNNING)


def test_totals_within_projects_leave_archived_runs_out(store: SqlStore) -> None:
    # A member's list counts through the (project, archived) index: every run of their projects,
    # of a workspace, of one project picked, or with runs shared besides (counted without it).
    access = store.access
    access.create_workspace("lab")
    mine, also, other = (access.create_project(n, workspace=w) for n, w in (("a", None), ("b", "lab"), ("c", None)))
    per_project: dict[uuid.UUID, list[RunRead]] = {}
    for project in (mine, also, other):
        pipe = store.pipelines.get_or_create(f"train-{project.name}", project_id=project.id)
        per_project[project.id] = [make_run(store, pipe) for _ in range(4)]
    store.runs.set_archived([per_project[mine.id][0].id, per_project[also.id][1].id, per_project[other.id][2].id], True)
    shared = per_project[other.id][0].id

    def total(query: str = "", *, project: uuid.UUID | None = None, **seen: frozenset[uuid.UUID]) -> int:
        page = store.runs.list(query, page=1, size=1, visibility=Visibility(**seen), project_id=project)
        assert len(page.items) == 1
        return page.total

    assert total(project_ids=frozenset({mine.id, also.id})) == 6
    assert total(project_ids=frozenset({mine.id}), workspace_ids=frozenset({also.workspace_id})) == 6
    assert total(project_ids=frozenset({mine.id}), shared_ids=frozenset({shared})) == 4
    assert total(project=mine.id, everything=True) == 3
    assert total(project=also.id, project_ids=frozenset({mine.id, also.id})) == 3
    assert total("status:running", project_ids=frozenset({mine.id, also.id})) == 6
    assert total("archived:true", project_ids=frozenset({mine.id, also.id})) == 2
