"""Store contract: step runs, their outputs, artifact versions, caching and lineage."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from waypost.enums import ExecutionStatus, MetadataType
from waypost.exceptions import NotFoundError, StoreError
from waypost.schemas import MetadataCreate, StepRunCreate, StepRunFinish
from waypost.store import Store
from waypost.testing.assertions import assert_one_line, names
from waypost.testing.factories import (
    make_artifact_version,
    make_pipeline,
    make_run,
    make_step_run,
    start_step,
    unique_name,
)


class StepContract:
    """Step runs from start to finish, with outputs registered atomically."""

    def test_started_step_is_running_and_readable(self, store: Store) -> None:
        run = make_run(store)
        step_id = start_step(store, run, "train")
        step = store.steps.get(run.id, "train")
        assert step.id == step_id
        assert step.status == ExecutionStatus.RUNNING
        assert step.started_at is not None
        assert step.ended_at is None
        assert step.outputs == {}
        assert store.steps.get(run.id, str(step_id)).id == step_id
        assert store.steps.get_by_id(step_id).name == "train"

    def test_finish_registers_outputs_with_the_step(self, store: Store) -> None:
        run = make_run(store)
        model_name, metrics_name = unique_name("model"), unique_name("metrics")
        step, outputs = make_step_run(store, run, "train", outputs={"model": model_name, "metrics": metrics_name})
        assert step.status == ExecutionStatus.COMPLETED
        assert step.ended_at is not None
        assert set(outputs) == {"model", "metrics"}
        assert outputs["model"].name == model_name
        assert outputs["model"].version == 1
        assert outputs["model"].producer_step_run_id == step.id
        assert outputs["model"].producer_run_id == run.id
        assert step.outputs == {"model": outputs["model"].id, "metrics": outputs["metrics"].id}
        assert store.artifacts.get_version(outputs["metrics"].id).name == metrics_name

    def test_versions_are_numbered_per_artifact_name(self, store: Store) -> None:
        pipe = make_pipeline(store)
        shared, other = unique_name("model"), unique_name("other")
        seen = []
        for _ in range(3):
            run = make_run(store, pipe)
            _, outputs = make_step_run(store, run, "train", outputs={"model": shared})
            seen.append(outputs["model"].version)
        _, outputs = make_step_run(store, make_run(store, pipe), "train", outputs={"model": other})
        assert seen == [1, 2, 3]
        assert outputs["model"].version == 1
        assert store.artifacts.get(shared).latest_version == 3
        assert store.artifacts.get_version(shared).version == 3
        assert store.artifacts.get_version(f"{shared}:2").version == 2
        versions = store.artifacts.list_versions(f"name:{shared}", sort="version")
        assert [v.version for v in versions.items] == [1, 2, 3]
        assert versions.total == 3

    def test_failed_finish_registers_nothing(self, store: Store) -> None:
        run = make_run(store)
        _, first = make_step_run(store, run, "load", outputs={"data": unique_name("data")})
        step_id = start_step(store, run, "train")
        fresh_name = unique_name("never")
        clash = make_artifact_version(unique_name("clash"), version_id=first["data"].id)  # an id already taken
        with pytest.raises(StoreError) as err:
            store.steps.finish(
                step_id,
                run.id,
                StepRunFinish(status=ExecutionStatus.COMPLETED, ended_at=datetime.now(UTC)),
                {"fresh": make_artifact_version(fresh_name), "clash": clash},
            )
        assert_one_line(err.value)
        with pytest.raises(NotFoundError):
            store.artifacts.get(fresh_name)
        step = store.steps.get(run.id, "train")
        assert step.status == ExecutionStatus.RUNNING
        assert step.outputs == {}

    def test_failed_step_has_error_and_no_outputs(self, store: Store) -> None:
        run = make_run(store)
        step, outputs = make_step_run(store, run, "train", status=ExecutionStatus.FAILED)
        assert outputs == {}
        assert step.status == ExecutionStatus.FAILED
        assert (step.error_type, step.error_message) == ("ValueError", "bad input")

    def test_steps_are_listed_in_start_order(self, store: Store) -> None:
        run = make_run(store)
        for name in ("load", "train", "evaluate"):
            make_step_run(store, run, name)
        assert names(store.steps.list(run.id)) == ["load", "train", "evaluate"]
        assert store.steps.list(make_run(store).id) == []

    def test_inputs_are_lineage(self, store: Store) -> None:
        run = make_run(store)
        load, loaded = make_step_run(store, run, "load", outputs=["data"])
        data = loaded["data"]
        train, _ = make_step_run(store, run, "train", inputs={"df": data.id})
        evaluate, _ = make_step_run(store, run, "evaluate", inputs={"df": data.id})
        assert train.inputs == {"df": data.id}
        assert sorted(store.artifacts.consumers(data.id)) == sorted([train.id, evaluate.id])
        assert store.artifacts.consumers(store.steps.get_by_id(train.id).outputs["output"]) == []
        assert load.inputs == {}

    def test_set_status_records_steps_that_never_started(self, store: Store) -> None:
        run = make_run(store)
        make_step_run(store, run, "load")
        start_step(store, run, "train")
        store.steps.set_status(run.id, ["load", "train", "evaluate"], ExecutionStatus.STOPPED, "Stopped by the user.")
        got = {s.name: s.status for s in store.steps.list(run.id)}
        assert got == {
            "load": ExecutionStatus.COMPLETED,
            "train": ExecutionStatus.STOPPED,
            "evaluate": ExecutionStatus.STOPPED,
        }
        assert store.steps.get(run.id, "evaluate").error_message == "Stopped by the user."

    def test_unknown_step_is_not_found(self, store: Store) -> None:
        run = make_run(store)
        with pytest.raises(NotFoundError) as err:
            store.steps.get(run.id, "no_such_step")
        assert_one_line(err.value, "no_such_step")
        with pytest.raises(NotFoundError):
            store.steps.get_by_id(uuid.uuid4())


class CacheContract:
    """Cache look-ups and the explanation of misses."""

    def test_find_cached_returns_newest_completed_step_with_outputs(self, store: Store) -> None:
        pipe = make_pipeline(store)
        key = uuid.uuid4().hex
        art = unique_name("model")
        make_step_run(store, make_run(store, pipe), "train", cache_key=key, outputs={"model": art})
        newest_run = make_run(store, pipe)
        newest, outputs = make_step_run(store, newest_run, "train", cache_key=key, outputs={"model": art})
        make_step_run(store, make_run(store, pipe), "train", cache_key=key, status=ExecutionStatus.FAILED)
        start_step(store, make_run(store, pipe), "train", cache_key=key)

        found = store.steps.find_cached(key)

        assert found is not None
        versions = found.outputs
        assert found.step_run_id == newest.id
        assert found.run_id == newest_run.id
        assert set(versions) == {"model"}
        assert versions["model"].id == outputs["model"].id
        assert versions["model"].version == 2
        assert found.has_metadata is False
        assert store.steps.find_cached(uuid.uuid4().hex) is None

    def test_cached_step_links_original_outputs(self, store: Store) -> None:
        pipe = make_pipeline(store)
        original_run = make_run(store, pipe)
        original, outputs = make_step_run(store, original_run, "train", cache_key="k" * 64)
        run = make_run(store, pipe)
        cached_id = store.steps.start(
            StepRunCreate(
                run_id=run.id,
                name="train",
                step_name="train",
                status=ExecutionStatus.CACHED,
                cache_key="k" * 64,
                cached_from_step_run_id=original.id,
                cached_from_run_id=original_run.id,
                outputs={"output": outputs["output"].id},
            )
        )
        cached = store.steps.get_by_id(cached_id)
        assert cached.status == ExecutionStatus.CACHED
        assert cached.cached_from_run_id == original_run.id
        assert cached.outputs == {"output": outputs["output"].id}
        assert store.artifacts.get(outputs["output"].name).latest_version == 1

    def test_batched_cache_hits_carry_the_original_metadata(self, store: Store) -> None:
        pipe = make_pipeline(store)
        original_run = make_run(store, pipe)
        key = uuid.uuid4().hex
        original, outputs = make_step_run(store, original_run, "evaluate", cache_key=key)
        store.metadata.add(
            [
                MetadataCreate(
                    key="accuracy", value=0.97, type=MetadataType.FLOAT, run_id=original_run.id, step_run_id=original.id
                )
            ]
        )
        hit = store.steps.find_cached(key)
        assert hit is not None
        assert hit.has_metadata
        runs = [make_run(store, pipe) for _ in range(3)]
        ids = store.steps.start_many(
            [
                StepRunCreate(
                    run_id=run.id,
                    name="evaluate",
                    step_name="evaluate",
                    status=ExecutionStatus.CACHED,
                    cache_key=key,
                    cached_from_step_run_id=hit.step_run_id,
                    cached_from_run_id=hit.run_id,
                    copy_cached_metadata=hit.has_metadata,
                    outputs={n: av.id for n, av in hit.outputs.items()},
                )
                for run in runs
            ]
        )
        assert len(set(ids)) == 3
        for run, step_id in zip(runs, ids, strict=True):
            assert store.steps.get_by_id(step_id).outputs == {"output": outputs["output"].id}
            copied = store.metadata.list(step_run_id=step_id)
            assert [(m.key, m.value, m.run_id) for m in copied] == [("accuracy", 0.97, run.id)]
        found = store.runs.list(f"metadata.accuracy>0.9 pipeline:{pipe.name}")
        assert found.total == 4

    def test_previous_finds_the_last_run_of_the_same_step(self, store: Store) -> None:
        pipe = make_pipeline(store)
        make_step_run(store, make_run(store, pipe), "train", cache_key="a" * 64)
        second, _ = make_step_run(store, make_run(store, pipe), "train", cache_key="b" * 64)
        current = make_run(store, pipe)
        make_step_run(store, current, "train", cache_key="c" * 64)
        prev = store.steps.previous(pipe.id, "train", current.id)
        assert prev is not None
        assert prev.id == second.id
        assert store.steps.previous(pipe.id, "never_ran", current.id) is None


class ArtifactContract:
    """Artifacts and versions outside steps: registering, reading, listing, tags."""

    def test_register_get_and_tag_versions(self, store: Store) -> None:
        name = unique_name("upload")
        first, second = store.artifacts.register(
            [make_artifact_version(name, tags=["raw"]), make_artifact_version(name)]
        )
        assert (first.version, second.version) == (1, 2)
        assert first.tags == ["raw"]
        assert first.producer_run_id is None
        store.artifacts.add_tags(second.id, ["gold", "raw"])
        assert store.artifacts.get_version(second.id).tags == ["gold", "raw"]
        assert store.artifacts.get_version(f"{name}:1").tags == ["raw"]
        assert [v.version for v in store.artifacts.list_versions(f"name:{name} tag:gold").items] == [2]

    def test_artifact_get_by_id_and_name(self, store: Store) -> None:
        name = unique_name("data")
        run = make_run(store)
        _, outputs = make_step_run(store, run, "load", outputs={"data": name})
        by_name = store.artifacts.get(name)
        assert store.artifacts.get(by_name.id).name == name
        assert by_name.latest_version == 1
        assert by_name.latest_version_id == outputs["data"].id
        assert by_name.pipeline_name == run.pipeline_name
        assert by_name.size == outputs["data"].size

    def test_artifact_names_are_exact_not_patterns(self, store: Store) -> None:
        base = unique_name("weird")
        tricky = f'{base} "quoted" *'
        store.artifacts.register([make_artifact_version(f"{base} other"), make_artifact_version(tricky)])
        assert store.artifacts.get(tricky).name == tricky
        assert store.artifacts.get_version(tricky).name == tricky

    def test_artifact_list_filters_and_sorts(self, store: Store) -> None:
        prefix = unique_name("listed")
        for suffix in ("b", "a", "c"):
            store.artifacts.register([make_artifact_version(f"{prefix}-{suffix}")])
        page = store.artifacts.list(f"name~{prefix}", sort="name")
        assert page.total == 3
        assert names(page.items) == [f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"]
        assert names(store.artifacts.list(f"{prefix}", sort="-name", size=2).items) == [f"{prefix}-c", f"{prefix}-b"]

    def test_unknown_artifacts_are_not_found(self, store: Store) -> None:
        for lookup, ref in (
            (store.artifacts.get, "no-such-artifact"),
            (store.artifacts.get_version, "no-such-artifact"),
            (store.artifacts.get_version, "no-such-artifact:3"),
            (store.artifacts.get_version, uuid.uuid4()),
        ):
            with pytest.raises(NotFoundError) as err:
                lookup(ref)
            assert_one_line(err.value)
        name = unique_name("one")
        store.artifacts.register([make_artifact_version(name)])
        with pytest.raises(NotFoundError):
            store.artifacts.get_version(f"{name}:2")

    def test_latest_version_is_per_artifact(self, store: Store) -> None:
        busy, quiet = unique_name("busy"), unique_name("quiet")
        store.artifacts.register([make_artifact_version(busy) for _ in range(3)])
        (only,) = store.artifacts.register([make_artifact_version(quiet)])
        got = store.artifacts.get(quiet)
        assert (got.latest_version, got.latest_version_id, got.size) == (1, only.id, only.size)
        listed = {a.name: a.latest_version for a in store.artifacts.list(f"name:{busy},{quiet}").items}
        assert listed == {busy: 3, quiet: 1}
        assert store.artifacts.get(busy).latest_version_id == store.artifacts.get_version(busy).id
