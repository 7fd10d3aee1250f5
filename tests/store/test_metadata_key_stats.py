"""The per-project metadata key summary on SQLite, PostgreSQL and MariaDB: what migration 0012 counts from the
entries there are matches what writes keep; concurrent writers of the same keys lose no count; deleting runs
and projects takes their counts away."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from waypost.store.sql import migrate
from waypost.store.sql import tables as db
from waypost.store.sql.repositories.metadata import rebuild_key_stats
from waypost.store.sql.store import SqlStore
from waypost.testing import make_metadata, make_run, make_step_run


@pytest.fixture
def url(fresh_url: str) -> str:
    return fresh_url


@pytest.fixture
def store(url: str) -> Iterator[SqlStore]:
    s = SqlStore(url)
    yield s
    s.close()


def kept(store: SqlStore) -> set[tuple[Any, ...]]:
    with store.sessions.read() as c:
        return {tuple(r) for r in c.execute(select(db.metadata_key_stats))}


class _RollbackError(Exception):
    pass


def recounted(store: SqlStore) -> set[tuple[Any, ...]]:
    """The summary counted afresh from the entries, in a transaction rolled back after."""
    out: set[tuple[Any, ...]] = set()
    try:
        with store.sessions.write() as c:
            rebuild_key_stats(c)
            out = {tuple(r) for r in c.execute(select(db.metadata_key_stats))}
            raise _RollbackError
    except _RollbackError:
        pass
    return out


def _seed(store: SqlStore) -> None:
    alpha = store.access.create_project("alpha", workspace="default")
    for project in (None, alpha.id):
        pipe = store.pipelines.get_or_create(f"pipe-{project}", project_id=project)
        for i in range(3):
            run = make_run(store, pipe, name=f"r-{project}-{i}")
            step, outputs = make_step_run(store, run, "train")
            make_metadata(store, run_id=run.id, acc=i / 10, note=f"n{i}", flag=bool(i % 2))
            make_metadata(store, run_id=run.id, step_run_id=step.id, loss=1.5 - i, epochs=i)
            make_metadata(store, run_id=run.id, artifact_version_id=outputs["output"].id, rows=100 * i)
            version = store.models.get_or_create_version(f"model-{project}", None, project_id=project)
            make_metadata(store, model_version_id=version.id, auc=0.5 + i / 10, card={"a": i})


def test_the_migration_counts_what_writes_keep(store: SqlStore) -> None:
    _seed(store)
    before = kept(store)
    # Per project: acc, note, flag (run); loss, epochs (step); rows (artifact); auc, card (model version).
    assert len(before) == 2 * 8
    assert before == recounted(store)
    migrate.downgrade(store.engines, "0011")
    migrate.upgrade(store.engines)
    assert kept(store) == before


def test_concurrent_writers_lose_no_count(url: str, store: SqlStore) -> None:
    run = make_run(store, name="busy")
    stores = [SqlStore(url) for _ in range(4)]
    errors: list[BaseException] = []

    def write(s: SqlStore, worker: int) -> None:
        try:
            for i in range(15):
                make_metadata(s, run_id=run.id, shared=worker * 100 + i, **{f"own_{worker}": i, "also": float(i)})
        except BaseException as exc:  # reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, w)) for w, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert not errors, errors
    rows = {(r[1], r[3]): r for r in kept(store)}
    assert rows[("shared", "int")][4] == 60
    assert (rows[("shared", "int")][5], rows[("shared", "int")][6]) == (0, 314)
    assert rows[("also", "float")][4] == 60
    assert kept(store) == recounted(store)


def test_deleting_runs_and_projects_takes_their_counts(store: SqlStore) -> None:
    _seed(store)
    runs = store.runs.list("", page=1, size=10).items
    store.runs.delete(store.runs.get("r-None-2").id)
    assert kept(store) == recounted(store)
    store.runs.delete_many([r.id for r in runs if r.name.endswith("-1")])
    assert kept(store) == recounted(store)
    alpha = store.access.get_project("default/alpha").id
    store.access.delete_project("default/alpha")
    after = kept(store)
    assert after == recounted(store)
    assert {r[0] for r in after} == {store.access.get_project("default/default").id}
    runs_left = {(r[1], r[2]): r[4] for r in after}
    assert runs_left[("acc", "run")] == 1  # r-None-0 alone
    assert runs_left[("auc", "model_version")] == 3  # model versions outlive the runs
    assert alpha not in {r[0] for r in after}
