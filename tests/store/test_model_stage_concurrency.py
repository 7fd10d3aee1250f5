"""Two processes promoting two versions of one model into production at once, on SQLite, PostgreSQL and
MariaDB: afterwards exactly one version holds production, and the transition history replays cleanly.

Also: migration 0008 keeps every model version, link and transition when it goes up and down.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from waypost.enums import ModelStages
from waypost.store.sql import migrate
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_model_version, make_run, unique_name

HELPER = Path(__file__).with_name("_stage_promoter.py")
DATABASES = [
    pytest.param("sqlite_url", id="sqlite"),
    pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql_url", id="mysql", marks=pytest.mark.mysql),
]
ROUNDS = 15


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest) -> str:
    value: str = request.getfixturevalue(request.param)
    SqlStore(value).close()  # migrated before the processes open it
    return value


def _race(url: str, model: str, versions: list[str], rounds: int, force: bool, tmp: Path) -> list[list[str]]:
    """Start one promoter per version, let them go at once, and return each one's output lines."""
    go = tmp / f"go-{model}"
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPER), url, model, v, str(rounds), str(go), "1" if force else "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for v in versions
    ]
    for proc in procs:  # each is connected before either starts
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if line != "ready":
            proc.kill()
            pytest.fail(f"a promoter did not start: {line}{proc.stdout.read()[-3000:]}")
    go.touch()
    outputs = []
    deadline = time.monotonic() + 120
    for proc in procs:
        try:
            out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        assert proc.returncode == 0, out[-3000:]
        outputs.append(out.split())
    return outputs


def _replay(store: SqlStore, model: str) -> dict[str, str]:
    """Apply the model's transitions oldest first, checking each starts where the last left its version."""
    history = list(reversed(store.models.transitions(model, size=1000).items))
    state = {v.name: "none" for v in store.models.list_versions(model)}
    for t in history:
        assert t.from_stage.value == state[t.version_name], f"{t.version_name}: {t.from_stage} after {state}"
        state[t.version_name] = t.to_stage.value
        assert list(state.values()).count("production") <= 1, f"two in production at {t.created_at}: {state}"
    return state


def test_forced_promotions_from_two_processes_leave_one_production_holder(url: str, tmp_path: Path) -> None:
    store = SqlStore(url)
    try:
        model = unique_name("race")
        a, b = (make_model_version(store, model).name for _ in range(2))
        outputs = _race(url, model, [a, b], ROUNDS, True, tmp_path)
        assert outputs == [["ok"] * ROUNDS, ["ok"] * ROUNDS]

        versions = {v.name: v for v in store.models.list_versions(model)}
        stages = sorted(v.stage.value for v in versions.values())
        assert stages == ["archived", "production"]
        assert _replay(store, model) == {v.name: v.stage.value for v in versions.values()}
        history = store.models.transitions(model, size=1000).items
        for name, version in versions.items():  # stage_since is the time of the version's last transition
            assert version.stage_since == next(t.created_at for t in history if t.version_name == name)
        for archived in (t for t in history if t.to_stage == ModelStages.ARCHIVED):
            other = b if archived.version_name == a else a
            assert archived.reason == f"replaced by version {other}"
        holder = store.models.get(model).stages["production"]
        assert store.models.get_version(model, "production").name == holder
    finally:
        store.close()


def test_unforced_promotions_from_two_processes_let_exactly_one_in(url: str, tmp_path: Path) -> None:
    store = SqlStore(url)
    try:
        model = unique_name("race")
        a, b = (make_model_version(store, model).name for _ in range(2))
        outputs = _race(url, model, [a, b], 1, False, tmp_path)
        assert sorted(line for out in outputs for line in out) == ["conflict", "ok"]
        winner = a if outputs[0] == ["ok"] else b
        assert {v.name: v.stage.value for v in store.models.list_versions(model)} == {
            winner: "production",
            (b if winner == a else a): "none",
        }
        assert store.models.transitions(model).total == 1
    finally:
        store.close()


@pytest.mark.parametrize("database", DATABASES)
def test_migration_0008_keeps_versions_links_and_transitions(database: str, request: pytest.FixtureRequest) -> None:
    url: str = request.getfixturevalue(database)
    store = SqlStore(url)
    try:
        run = make_run(store)
        mv = make_model_version(store, run=run)
        store.models.set_stage(mv.model_name, mv.name, "staging")
        migrate.downgrade(store.engines, "0007")
        migrate.upgrade(store.engines, "0008")
        migrate.upgrade(store.engines)  # and on to the head, whose tables the store reads
        back = store.models.get_version(mv.model_name, mv.name)
        assert (back.id, back.run_ids, back.stage) == (mv.id, [run.id], ModelStages.STAGING)
        (t,) = store.models.transitions(mv.model_name).items
        assert (t.to_stage, t.how) == (ModelStages.STAGING, "manual")  # "how" filled in for existing rows
        assert store.models.get(mv.model_name).metric_directions == {}
        assert back.stage_since is None  # nothing is backfilled
    finally:
        store.close()
