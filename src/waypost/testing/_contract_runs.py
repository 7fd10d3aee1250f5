"""Store contract: pipelines, snapshots and runs (listing, paging, status, crashes, tags)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest

from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError
from waypost.store import Store
from waypost.testing.assertions import assert_one_line, ids, names
from waypost.testing.factories import (
    make_pipeline,
    make_run,
    make_spec,
    make_step_run,
    start_step,
    unique_name,
)


class PipelineContract:
    """Pipelines and their snapshots."""

    def test_pipeline_get_or_create_is_idempotent(self, store: Store) -> None:
        name = unique_name("pipeline")
        first = store.pipelines.get_or_create(name)
        again = store.pipelines.get_or_create(name)
        assert again.id == first.id
        assert first.name == name
        assert first.created_at.tzinfo is not None

    def test_pipeline_get_by_id_and_name_with_run_stats(self, store: Store) -> None:
        pipe = make_pipeline(store)
        assert store.pipelines.get(pipe.id).run_count == 0
        make_run(store, pipe, status=ExecutionStatus.COMPLETED)
        newest = make_run(store, pipe, status=ExecutionStatus.FAILED)
        by_name = store.pipelines.get(pipe.name)
        by_id = store.pipelines.get(pipe.id)
        assert by_name.id == by_id.id == pipe.id
        assert by_name.run_count == 2
        assert by_name.latest_run_status == ExecutionStatus.FAILED
        assert by_name.latest_run_at == newest.created_at

    def test_pipeline_list_filters_by_name(self, store: Store) -> None:
        prefix = unique_name("listed")
        for suffix in ("b", "a", "c"):
            make_pipeline(store, f"{prefix}-{suffix}")
        page = store.pipelines.list(f"name~{prefix}")
        assert page.total == 3
        assert names(page.items) == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
        assert names(store.pipelines.list(f"name:{prefix}-b").items) == [f"{prefix}-b"]

    def test_unknown_pipeline_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError) as err:
            store.pipelines.get("no-such-pipeline-here")
        assert_one_line(err.value, "no-such-pipeline-here")
        with pytest.raises(NotFoundError):
            store.pipelines.get(uuid.uuid4())

    def test_snapshots_are_deduplicated_by_structure(self, store: Store) -> None:
        pipe = make_pipeline(store)
        first = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
        same = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
        other = store.pipelines.snapshot(pipe.id, make_spec(pipe.name, ("load", "train")))
        assert same.id == first.id
        assert other.id != first.id
        assert [s.name for s in make_spec(pipe.name).steps] == [s["name"] for s in first.spec["steps"]]
        assert store.pipelines.get_snapshot(first.id).structure_hash == first.structure_hash
        assert ids(store.pipelines.list_snapshots(pipe.id)) == [first.id, other.id]
        with pytest.raises(NotFoundError):
            store.pipelines.get_snapshot(uuid.uuid4())


class RunContract:
    """Pipeline runs: creating, reading, listing, status, heartbeats, crashes, deleting."""

    def test_run_get_by_id_and_name(self, store: Store) -> None:
        run = make_run(store, parameters={"lr": 0.05, "layers": [64, 32]}, tags=["baseline"])
        for ref in (run.id, str(run.id), run.name):
            got = store.runs.get(ref)
            assert got.id == run.id
        assert got.name == run.name
        assert got.pipeline_name == run.pipeline_name
        assert got.parameters == {"lr": 0.05, "layers": [64, 32]}
        assert got.status == ExecutionStatus.RUNNING
        assert got.tags == ["baseline"]
        assert got.heartbeat_at is not None

    def test_unknown_run_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError) as err:
            store.runs.get("no-such-run-anywhere")
        assert_one_line(err.value, "no-such-run-anywhere")
        with pytest.raises(NotFoundError):
            store.runs.get(uuid.uuid4())

    def test_runs_are_listed_newest_first(self, store: Store) -> None:
        pipe = make_pipeline(store)
        created = [make_run(store, pipe, name=f"{pipe.name}-{i}") for i in range(4)]
        page = store.runs.list(f"pipeline:{pipe.name}")
        assert page.total == 4
        assert names(page.items) == [r.name for r in reversed(created)]
        times = [r.created_at for r in page.items]
        assert times == sorted(times, reverse=True)

    def test_runs_are_paged(self, store: Store) -> None:
        pipe = make_pipeline(store)
        created = [make_run(store, pipe, name=f"{pipe.name}-{i}") for i in range(7)]
        newest_first = [r.name for r in reversed(created)]
        first = store.runs.list(f"pipeline:{pipe.name}", size=3)
        second = store.runs.list(f"pipeline:{pipe.name}", size=3, page=2)
        last = store.runs.list(f"pipeline:{pipe.name}", size=3, page=3)
        beyond = store.runs.list(f"pipeline:{pipe.name}", size=3, page=9)
        assert (first.total, first.page, first.size, first.pages) == (7, 1, 3, 3)
        assert names(first.items) == newest_first[:3]
        assert (second.total, second.page) == (7, 2)
        assert names(second.items) == newest_first[3:6]
        assert names(last.items) == newest_first[6:]
        assert beyond.items == []
        assert beyond.total == 7

    def test_runs_sort_by_name_and_created(self, store: Store) -> None:
        pipe = make_pipeline(store)
        for word in ("charlie", "alpha", "delta", "bravo"):
            make_run(store, pipe, name=f"{pipe.name}-{word}")
        query = f"pipeline:{pipe.name}"
        by_name = [n.rsplit("-", 1)[1] for n in names(store.runs.list(query, sort="name").items)]
        assert by_name == ["alpha", "bravo", "charlie", "delta"]
        by_name_desc = [n.rsplit("-", 1)[1] for n in names(store.runs.list(query, sort="-name").items)]
        assert by_name_desc == ["delta", "charlie", "bravo", "alpha"]
        newest = [n.rsplit("-", 1)[1] for n in names(store.runs.list(query, sort="-created").items)]
        assert newest == ["bravo", "delta", "alpha", "charlie"]
        oldest = [n.rsplit("-", 1)[1] for n in names(store.runs.list(query, sort="created").items)]
        assert oldest == ["charlie", "alpha", "delta", "bravo"]

    def test_set_status_records_times_and_never_reopens(self, store: Store) -> None:
        run = make_run(store, status=ExecutionStatus.INITIALIZING)
        start = datetime.now(UTC)
        store.runs.set_status(run.id, ExecutionStatus.RUNNING, started_at=start)
        assert store.runs.get(run.id).status == ExecutionStatus.RUNNING
        end = datetime.now(UTC)
        store.runs.set_status(run.id, ExecutionStatus.FAILED, reason="Step 'train' failed: boom", ended_at=end)
        store.runs.set_status(run.id, ExecutionStatus.RUNNING)
        got = store.runs.get(run.id)
        assert got.status == ExecutionStatus.FAILED
        assert got.status_reason == "Step 'train' failed: boom"
        assert got.ended_at is not None
        assert abs((got.ended_at - end).total_seconds()) < 0.01
        assert got.started_at is not None
        assert abs((got.started_at - start).total_seconds()) < 0.01

    def test_step_counts_follow_step_statuses(self, store: Store) -> None:
        run = make_run(store)
        make_step_run(store, run, "load")
        make_step_run(store, run, "train", status=ExecutionStatus.FAILED)
        start_step(store, run, "evaluate")
        assert store.runs.get(run.id).step_counts == {"completed": 1, "failed": 1, "running": 1}

    def test_mark_crashed_catches_runs_whose_heartbeat_is_old(self, store: Store) -> None:
        pipe = make_pipeline(store)
        stale = make_run(store, pipe, name=f"{pipe.name}-stale")
        start_step(store, stale, "train")
        make_step_run(store, stale, "load")
        revived = make_run(store, pipe, name=f"{pipe.name}-revived")
        done = make_run(store, pipe, name=f"{pipe.name}-done", status=ExecutionStatus.COMPLETED)
        time.sleep(1.2)
        store.runs.heartbeat(revived.id)
        fresh = make_run(store, pipe, name=f"{pipe.name}-fresh")

        crashed = store.runs.mark_crashed(0.8)

        assert stale.id in crashed
        assert not {revived.id, fresh.id, done.id} & set(crashed)
        got = store.runs.get(stale.id)
        assert got.status == ExecutionStatus.CRASHED
        assert got.ended_at is not None
        assert got.status_reason
        steps = {s.name: s.status for s in store.steps.list(stale.id)}
        assert steps == {"train": ExecutionStatus.CRASHED, "load": ExecutionStatus.COMPLETED}
        statuses = {r.name.rsplit("-", 1)[1]: r.status for r in store.runs.list(f"pipeline:{pipe.name}").items}
        assert statuses == {
            "stale": ExecutionStatus.CRASHED,
            "revived": ExecutionStatus.RUNNING,
            "done": ExecutionStatus.COMPLETED,
            "fresh": ExecutionStatus.RUNNING,
        }
        assert stale.id not in store.runs.mark_crashed(0.8), "a crashed run is not crashed twice"

    def test_run_tags_are_deduplicated_and_sorted(self, store: Store) -> None:
        run = make_run(store, tags=["prod"])
        store.runs.add_tags(run.id, ["nightly", "prod", " baseline "])
        store.runs.add_tags(run.id, ["nightly"])
        assert store.runs.get(run.id).tags == ["baseline", "nightly", "prod"]
        other = make_run(store)
        assert store.runs.get(other.id).tags == []

    def test_archived_runs_are_listed_only_when_asked(self, store: Store) -> None:
        pipe = store.pipelines.get_or_create(unique_name("archive"))
        shown, hidden = make_run(store, pipe), make_run(store, pipe)
        assert store.runs.set_archived([hidden.id], True) == [hidden.id]
        assert store.runs.get(hidden.id).archived is True
        assert store.runs.get(shown.id).archived is False
        q = f"pipeline:{pipe.name}"
        assert [r.id for r in store.runs.list(q).items] == [shown.id]
        assert [r.id for r in store.runs.list(f"{q} archived:true").items] == [hidden.id]
        assert {r.id for r in store.runs.list(f"{q} archived:any").items} == {shown.id, hidden.id}
        assert [r.id for r in store.runs.list(f"{q} -archived:true").items] == [shown.id]
        store.runs.set_archived([hidden.id], False)
        assert store.runs.list(q).total == 2

    def test_tags_change_on_runs_and_pipelines(self, store: Store) -> None:
        pipe = store.pipelines.get_or_create(unique_name("tagged"))
        run, other = make_run(store, pipe, tags=["a"]), make_run(store, pipe)
        assert store.tags.change("run", [run.id], add=["b", " c "], remove=["a", "never"]) == {run.id: ["b", "c"]}
        assert store.runs.get(run.id).tags == ["b", "c"]
        best = unique_name("best")
        store.tags.change("run", [other.id], add=[best], remove=[], exclusive=[best])
        store.tags.change("run", [run.id], add=[best], remove=[], exclusive=[best])
        assert best in store.runs.get(run.id).tags
        assert best not in store.runs.get(other.id).tags, "an exclusive tag moves"
        assert store.tags.change("pipeline", [pipe.id], add=["p"], remove=[]) == {pipe.id: ["p"]}
        assert store.pipelines.get(pipe.id).tags == ["p"]
        with pytest.raises(NotFoundError):
            store.tags.change("run", [uuid.uuid4()], add=["x"], remove=[])

    def test_delete_run_removes_its_steps_but_keeps_artifacts(self, store: Store) -> None:
        run = make_run(store)
        step, outputs = make_step_run(store, run, "train", outputs={"model": unique_name("model")})
        store.runs.delete(run.id)
        with pytest.raises(NotFoundError):
            store.runs.get(run.id)
        assert store.steps.list(run.id) == []
        with pytest.raises(NotFoundError):
            store.steps.get_by_id(step.id)
        kept = store.artifacts.get_version(outputs["model"].id)
        assert kept.version == 1
        assert kept.producer_run_id is None
        with pytest.raises(NotFoundError):
            store.runs.delete(run.id)

    def test_capabilities_name_the_dialect(self, store: Store) -> None:
        caps = store.capabilities
        assert isinstance(caps.dialect, str)
        assert caps.dialect

    def test_names_are_case_sensitive(self, store: Store) -> None:
        base = unique_name("case")
        lower = store.pipelines.get_or_create(f"{base}-train")
        upper = store.pipelines.get_or_create(f"{base}-Train")
        assert lower.id != upper.id
        assert store.pipelines.get(f"{base}-Train").id == upper.id
        run = make_run(store, lower, tags=[f"{base}-prod"])
        store.runs.add_tags(run.id, [f"{base}-Prod"])
        assert store.runs.get(run.id).tags == sorted([f"{base}-Prod", f"{base}-prod"])
        assert [r.id for r in store.runs.list(f"tag:{base}-Prod").items] == [run.id]
