"""Comparing runs in the SQL store, on SQLite, PostgreSQL and MariaDB: every section's rows (a cached step, outputs by
content, step and run metadata, mixed types, missing values), the best marked, refs resolved in order with the
unknown and the hidden reported alike, and the limits."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from waypost.enums import ExecutionStatus
from waypost.exceptions import ParameterError
from waypost.schemas import RunCreate, RunRead, StepRunCreate, StepRunFinish
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.schemas.run_compare import RunComparison
from waypost.store.sql.repositories.run_compare import RunCompareRepository, lower_is_better, parse_directions
from waypost.store.sql.store import SqlStore
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import make_artifact_version, make_metadata, make_pipeline, make_spec, unique_name

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """Runs ``a`` (baseline), ``b`` (a later structure, its load cached from a) and ``c`` (failed, no steps)."""

    a: RunRead
    b: RunRead
    c: RunRead
    user: str


def _run(store: SqlStore, pipe_id: uuid.UUID, snapshot_id: uuid.UUID, **extra: Any) -> RunRead:
    return store.runs.create(
        RunCreate(
            name=unique_name("cmp"),
            pipeline_id=pipe_id,
            snapshot_id=snapshot_id,
            status=ExecutionStatus.RUNNING,
            **extra,
        )
    )


def _step(
    store: SqlStore, run: RunRead, name: str, parameters: dict[str, Any], output: tuple[str, object] | None
) -> tuple[uuid.UUID, dict[str, Any]]:
    """A completed step run with ``parameters`` and one output ``(artifact name, value)``; its id and versions."""
    step_id = store.steps.start(
        StepRunCreate(
            run_id=run.id,
            name=name,
            step_name=name,
            status=ExecutionStatus.RUNNING,
            parameters=parameters,
            source_hash=hashlib.sha256(f"{name}-v1".encode()).hexdigest(),
            started_at=T0,
        )
    )
    versions = {"output": make_artifact_version(output[0], value=output[1])} if output else {}
    made = store.steps.finish(step_id, run.id, StepRunFinish(status=ExecutionStatus.COMPLETED, ended_at=T0), versions)
    return step_id, made


def _seed(store: SqlStore) -> World:
    pipe = make_pipeline(store)
    spec_a = make_spec(pipe.name)
    spec_a.steps[1].parameters = {"lr": 0.1, "depth": 3}
    spec_b = make_spec(pipe.name, ("load", "train", "score"))
    spec_b.steps[1].parameters = {"lr": 0.1, "depth": 4}
    snap_a, snap_b = store.pipelines.snapshot(pipe.id, spec_a), store.pipelines.snapshot(pipe.id, spec_b)
    user = store.users.create(unique_name("ada"), password="a long enough password").name
    user_id = store.users.get(user).id
    a = _run(store, pipe.id, snap_a.id, parameters={"epochs": 10, "seed": 7}, tags=["baseline"], user_id=user_id)
    b = _run(store, pipe.id, snap_b.id, parameters={"epochs": 20, "seed": 7})
    c = _run(store, pipe.id, snap_a.id, parameters={"epochs": "ten"})
    load_a, load_out = _step(store, a, "load", {}, ("cmp_data", 1))
    _step(store, a, "train", {"lr": 0.1}, ("cmp_model", 42))
    eval_a, _ = _step(store, a, "evaluate", {}, None)
    store.steps.start(
        StepRunCreate(
            run_id=b.id,
            name="load",
            step_name="load",
            status=ExecutionStatus.CACHED,
            cached_from_step_run_id=load_a,
            cached_from_run_id=a.id,
            source_hash=hashlib.sha256(b"load-v1").hexdigest(),
            outputs={"output": load_out["output"].id},
        )
    )
    _, model_b = _step(store, b, "train", {"lr": 0.01}, ("cmp_model", 43))
    make_metadata(store, run_id=a.id, accuracy=0.9, val_loss=0.5, note="first")
    make_metadata(store, run_id=a.id, accuracy=0.91)  # logged again: the latest wins
    make_metadata(store, run_id=b.id, accuracy=0.95, val_loss=0.4, note="second")
    make_metadata(store, run_id=c.id, accuracy="n/a", config={"k": 1})
    make_metadata(store, run_id=a.id, step_run_id=eval_a, loss=0.3, passed=True)
    make_metadata(store, run_id=b.id, artifact_version_id=model_b["output"].id, rows=100)  # the artifact's own
    store.runs.set_status(a.id, ExecutionStatus.COMPLETED, started_at=T0, ended_at=T0 + timedelta(seconds=30))
    store.runs.set_status(b.id, ExecutionStatus.COMPLETED, started_at=T0, ended_at=T0 + timedelta(seconds=12.5))
    store.runs.set_status(c.id, ExecutionStatus.FAILED, started_at=T0)
    return World(store.runs.get(a.id), store.runs.get(b.id), store.runs.get(c.id), user)


def _rows(found: RunComparison) -> dict[tuple[str, str], Any]:
    return {(r.section, r.key): r for r in found.rows}


class CompareContract:
    """What comparing runs answers, on every SQL database."""

    @pytest.fixture
    def world(self, store: SqlStore) -> World:
        return _seed(store)

    def test_run_facts_parameters_and_the_order_asked(self, store: SqlStore, world: World) -> None:
        a, b, c = world.a, world.b, world.c
        found = RunCompareRepository(store.sessions).compare([b.name, str(a.id), a.name, c.name])
        assert [r.id for r in found.runs] == [b.id, a.id, c.id]  # a named twice (id and name): kept once
        assert found.missing == []
        assert [r.duration_s for r in found.runs] == [12.5, 30.0, None]
        assert (found.runs[1].user, found.runs[1].tags, found.runs[1].project) == (
            world.user,
            ["baseline"],
            "default/default",
        )
        rows = _rows(found)
        assert rows["run", "status"].values == ["completed", "completed", "failed"]
        assert rows["run", "pipeline"].differs is False
        duration = rows["run", "duration_s"]
        assert (duration.kind, duration.best, duration.lower_is_better) == ("number", 0, True)
        assert rows["run", "user"].values == [None, world.user, None]
        assert (rows["run", "stack"].kind, rows["run", "stack"].values) == ("text", [None, None, None])
        assert rows["run", "tags"].values == [[], ["baseline"], []]
        assert rows["run", "snapshot_id"].values == [str(b.snapshot_id), str(a.snapshot_id), str(a.snapshot_id)]
        assert [r.section for r in found.rows][:7] == ["run"] * 7
        epochs = rows["parameters", "epochs"]
        assert (epochs.values, epochs.kind, epochs.best) == ([20, 10, "ten"], "mixed", None)
        assert rows["parameters", "seed"].values == [7, 7, None]
        assert rows["parameters", "seed"].differs is True  # missing differs from a value
        assert rows["parameters", "train.lr"].values == [0.01, 0.1, 0.1]  # the step run's, else the snapshot's
        assert rows["parameters", "train.depth"].values == [4, 3, 3]

    def test_metrics_metadata_steps_outputs_and_snapshot(self, store: SqlStore, world: World) -> None:
        a, b, c = world.a, world.b, world.c
        rows = _rows(RunCompareRepository(store.sessions).compare([a.name, b.name, c.name]))
        accuracy = rows["metrics", "accuracy"]  # a number in two runs, text in the third
        assert (accuracy.values, accuracy.kind, accuracy.best, accuracy.lower_is_better) == (
            [0.91, 0.95, "n/a"],
            "mixed",
            None,
            None,
        )
        val_loss = rows["metrics", "val_loss"]
        assert (val_loss.values, val_loss.kind, val_loss.best, val_loss.lower_is_better) == (
            [0.5, 0.4, None],
            "number",
            1,
            True,
        )
        step_loss = rows["metrics", "evaluate.loss"]  # one number: nothing to mark, the direction still told
        assert (step_loss.values, step_loss.best, step_loss.lower_is_better) == ([0.3, None, None], None, True)
        assert (rows["run", "status"].lower_is_better, rows["parameters", "train.lr"].lower_is_better) == (None, None)
        assert rows["metadata", "note"].values == ["first", "second", None]
        assert (rows["metadata", "evaluate.passed"].kind, rows["metadata", "evaluate.passed"].values) == (
            "bool",
            [True, None, None],
        )
        assert rows["metadata", "config"].kind == "json"
        assert not any(key.endswith("rows") for _, key in rows)  # artifact metadata stays with the artifact
        assert rows["steps", "load.status"].values == ["completed", "cached", None]
        assert rows["steps", "load.cached"].values == [False, True, None]
        assert ("steps", "score.status") not in rows  # in b's snapshot, never run: only its source shows
        assert rows["snapshot", "score.source_hash"].values[0] is None
        assert rows["snapshot", "score.source_hash"].values[1] is not None
        data = rows["artifacts", "load.output"]  # the cached step links the same version: no difference but c's
        assert data.kind == "artifact"
        assert data.values[0] == data.values[1]
        assert data.values[0]["artifact"] == "cmp_data"
        assert {"artifact_version_id", "hash", "size", "data_type", "version"} <= data.values[0].keys()
        model = rows["artifacts", "train.output"]
        assert model.values[0]["hash"] != model.values[1]["hash"]
        assert model.differs is True
        same = _rows(RunCompareRepository(store.sessions).compare([a.name, b.name]))
        assert same["artifacts", "load.output"].differs is False
        assert same["snapshot", "load.source_hash"].differs is False
        structure = rows["snapshot", "structure_hash"].values
        assert structure[0] == structure[2] != structure[1]
        assert rows["snapshot", "evaluate.source_hash"].values[1] is None
        sections = [r.section for r in RunCompareRepository(store.sessions).compare([a.name, b.name]).rows]
        order = ["run", "parameters", "metrics", "metadata", "steps", "artifacts", "snapshot"]
        assert sections == sorted(sections, key=order.index)

    def test_text_and_numbers_come_back_as_logged(self, store: SqlStore, world: World) -> None:
        # Text is read from its JSON without the parser when nothing in it is escaped: escapes, non-ASCII, an
        # empty string, text that looks like JSON and numbers past 2**53 must still come back exactly.
        logged = {
            "quote": 'say "hi"',
            "path": "C:\\data\\new",
            "accent": "naïve ✓",
            "empty": "",
            "looks_like_json": '{"a": 1}',
            "big": 2**60 + 1,
            "items": [1, "two", None],
            "infinite": float("inf"),
        }
        make_metadata(store, run_id=world.a.id, **logged)
        found = RunCompareRepository(store.sessions).compare([world.a.name, world.b.name])
        values = {r.key: r.values[0] for r in found.rows if r.section in ("metrics", "metadata")}
        assert {k: values[k] for k in logged} == {**logged, "infinite": "Infinity"}

    def test_unknown_and_hidden_runs_are_missing_alike(self, store: SqlStore, world: World) -> None:
        secret = store.access.create_project(unique_name("secret"))
        pipe = store.pipelines.get_or_create(unique_name("hidden"), project_id=secret.id)
        hidden = _run(store, pipe.id, store.pipelines.snapshot(pipe.id, make_spec(pipe.name)).id)
        repo = RunCompareRepository(store.sessions)
        mine = Visibility(project_ids=frozenset({DEFAULT_PROJECT_ID}))
        nobody = str(uuid.uuid4())
        refs = [world.a.name, hidden.name, "no-such-run", str(hidden.id), nobody]
        found = repo.compare(refs, visibility=mine)
        assert [r.id for r in found.runs] == [world.a.id]
        assert found.missing == [hidden.name, "no-such-run", str(hidden.id), nobody]
        shared = repo.compare(refs, visibility=Visibility(shared_ids=frozenset({hidden.id})))
        assert [r.id for r in shared.runs] == [hidden.id]
        assert shared.runs[0].project.endswith(f"/{secret.name}")
        # A name is looked for in the project named; an id anywhere.
        narrowed = repo.compare([hidden.name, str(world.a.id)], project_id=DEFAULT_PROJECT_ID)
        assert ([r.id for r in narrowed.runs], narrowed.missing) == ([world.a.id], [hidden.name])
        nothing = repo.compare([hidden.name], visibility=Visibility())
        assert (nothing.runs, nothing.rows, nothing.missing) == ([], [], [hidden.name])

    def test_directions_override_and_the_limits(self, store: SqlStore, world: World) -> None:
        repo = RunCompareRepository(store.sessions)
        refs = [world.a.name, world.b.name]
        flipped = _rows(repo.compare(refs, directions=parse_directions(higher="val_loss")))
        assert (flipped["metrics", "val_loss"].best, flipped["metrics", "val_loss"].lower_is_better) == (0, False)
        whole_key = _rows(repo.compare(refs, directions={"run.duration_s": False, "duration_s": False}))
        assert whole_key["run", "duration_s"].best == 0
        with pytest.raises(ParameterError) as many:
            repo.compare([f"run-{n}" for n in range(101)])
        assert_one_line(many.value, "101 runs", "at most 100")
        assert len(repo.compare([f"run-{n}" for n in range(100)]).missing) == 100
        for empty in ([], ["", " , "]):
            with pytest.raises(ParameterError) as none:
                repo.compare(empty)
            assert_one_line(none.value, "No run to compare")


def test_lower_is_better_by_the_key_s_last_part() -> None:
    for key in ("loss", "train.val_loss", "eval.RMSE", "error_rate", "latency_ms", "epoch_time", "duration_s"):
        assert lower_is_better(key, {}), key
    for key in ("accuracy", "evaluate.f1", "loss.accuracy", "throughput"):
        assert not lower_is_better(key, {}), key
    assert lower_is_better("evaluate.accuracy", {"accuracy": True})
    assert not lower_is_better("evaluate.loss", {"evaluate.loss": False, "loss": True})  # the whole key first
    with pytest.raises(ParameterError) as both:
        parse_directions("loss, acc", "acc")
    assert_one_line(both.value, "acc", "both")


class TestSqliteCompare(CompareContract):
    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[SqlStore]:
        store = SqlStore(sqlite_url)
        yield store
        store.close()


@pytest.mark.postgres
class TestPostgresCompare(CompareContract):
    @pytest.fixture
    def store(self, postgres_url: str) -> Iterator[SqlStore]:
        store = SqlStore(postgres_url)
        yield store
        store.close()


@pytest.mark.mysql
class TestMysqlCompare(CompareContract):
    @pytest.fixture
    def store(self, mysql_url: str) -> Iterator[SqlStore]:
        store = SqlStore(mysql_url)
        yield store
        store.close()
