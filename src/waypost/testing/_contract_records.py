"""Store contract: typed metadata and the model registry."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest

from waypost.enums import MetadataType, ModelStages
from waypost.exceptions import NotFoundError
from waypost.store import Store
from waypost.testing.assertions import assert_one_line, ids
from waypost.testing.factories import (
    make_artifact_version,
    make_metadata,
    make_model_version,
    make_run,
    make_step_run,
    unique_name,
)

TYPED_VALUES: dict[str, Any] = {
    "epochs": 12,
    "big_count": 12_345_678_901,
    "accuracy": 0.953125,
    "loss": -1.5e-7,
    "converged": True,
    "early_stopped": False,
    "optimizer": "adam",
    "note": "naïve Bayes ✓ — " + "x" * 300,
    "layers": {"sizes": [64, 32], "activation": "relu", "dropout": None, "nested": {"ok": True}},
    "classes": ["setosa", "versicolor"],
}


class MetadataContract:
    """Typed metadata entries come back with their value and type intact."""

    def test_typed_values_round_trip(self, store: Store) -> None:
        run = make_run(store)
        make_metadata(store, run_id=run.id, **TYPED_VALUES)
        got = {m.key: m for m in store.metadata.list(run_id=run.id)}
        assert set(got) == set(TYPED_VALUES)
        for key, value in TYPED_VALUES.items():
            assert got[key].value == value, key
            assert type(got[key].value) is type(value), key
        assert got["epochs"].type == MetadataType.INT
        assert got["accuracy"].type == MetadataType.FLOAT
        assert got["converged"].type == MetadataType.BOOL
        assert got["optimizer"].type == MetadataType.STRING
        assert got["layers"].type == MetadataType.JSON
        assert got["epochs"].created_at.tzinfo is not None

    def test_non_finite_floats_round_trip(self, store: Store) -> None:
        run = make_run(store)
        make_metadata(store, run_id=run.id, loss=math.nan, best=math.inf, worst=-math.inf, lr=0.1)
        got = {m.key: m for m in store.metadata.list(run_id=run.id)}
        assert math.isnan(got["loss"].value)
        assert (got["best"].value, got["worst"].value) == (math.inf, -math.inf)
        assert {m.type for m in got.values()} == {MetadataType.FLOAT}
        assert store.runs.list(f"id:{run.id} metadata.loss>0").items == []
        assert [r.id for r in store.runs.list(f"id:{run.id} metadata.lr>0").items] == [run.id]

    def test_metadata_is_listed_per_owner(self, store: Store) -> None:
        run = make_run(store)
        step, outputs = make_step_run(store, run, "train", outputs=["model"])
        mv = make_model_version(store)
        make_metadata(store, run_id=run.id, f1=0.9)
        make_metadata(store, run_id=run.id, step_run_id=step.id, lr=0.1)
        make_metadata(store, artifact_version_id=outputs["model"].id, rows=150)
        make_metadata(store, model_version_id=mv.id, stage_note="candidate")
        assert sorted(m.key for m in store.metadata.list(run_id=run.id)) == ["f1", "lr"]
        assert [m.key for m in store.metadata.list(step_run_id=step.id)] == ["lr"]
        assert [m.value for m in store.metadata.list(artifact_version_id=outputs["model"].id)] == [150]
        assert [m.value for m in store.metadata.list(model_version_id=mv.id)] == ["candidate"]
        assert store.metadata.list(run_id=make_run(store).id) == []

    def test_metadata_filters_artifact_versions(self, store: Store) -> None:
        name = unique_name("dataset")
        small, large = store.artifacts.register([make_artifact_version(name) for _ in range(2)])
        make_metadata(store, artifact_version_id=small.id, rows=10)
        make_metadata(store, artifact_version_id=large.id, rows=10_000)
        found = store.artifacts.list_versions(f"name:{name} metadata.rows>100")
        assert ids(found.items) == [large.id]


class ModelContract:
    """Model versions: named and numbered, linked to runs and artifacts, found by stage."""

    def test_get_or_create_named_and_numbered_versions(self, store: Store) -> None:
        name = unique_name("iris")
        named = store.models.get_or_create_version(name, "1.0.5", description="first", tags=["tabular"])
        again = store.models.get_or_create_version(name, "1.0.5")
        numbered = store.models.get_or_create_version(name, None)
        another = store.models.get_or_create_version(name, None)
        assert again.id == named.id
        assert (named.name, named.number, named.model_name) == ("1.0.5", 1, name)
        assert named.stage == ModelStages.NONE
        assert (numbered.name, numbered.number) == ("2", 2)
        assert (another.name, another.number) == ("3", 3)
        assert len({named.id, numbered.id, another.id}) == 3

    def test_get_version_by_name_number_and_latest(self, store: Store) -> None:
        name = unique_name("iris")
        first = store.models.get_or_create_version(name, "1.0.5")
        second = store.models.get_or_create_version(name, None)
        assert store.models.get_version(name, "latest").id == second.id
        assert store.models.get_version(name, "1.0.5").id == first.id
        assert store.models.get_version(name, "1").id == first.id
        assert store.models.get_version(name, "2").id == second.id
        with pytest.raises(NotFoundError) as err:
            store.models.get_version(name, "9.9.9")
        assert_one_line(err.value, "9.9.9")
        with pytest.raises(NotFoundError):
            store.models.get_version(name, ModelStages.PRODUCTION.value)
        with pytest.raises(NotFoundError):
            store.models.get_version(unique_name("missing"), "latest")

    def test_link_runs_and_artifacts_once(self, store: Store) -> None:
        run = make_run(store)
        _, outputs = make_step_run(store, run, "train", outputs=["model", "scaler"])
        mv = make_model_version(store, run=run, artifact_versions=outputs.values())
        store.models.link(mv.id, run_id=run.id, artifact_version_ids=[outputs["model"].id])
        got = store.models.get_version(mv.model_name, mv.name)
        assert got.run_ids == [run.id]
        assert sorted(got.artifact_version_ids) == sorted(v.id for v in outputs.values())

    def test_run_created_for_a_model_version_is_linked(self, store: Store) -> None:
        mv = make_model_version(store)
        run = make_run(store, model_version_id=mv.id)
        assert run.model_version_id == mv.id
        assert store.models.get_version(mv.model_name, "latest").run_ids == [run.id]

    def test_models_list_and_versions_newest_first(self, store: Store) -> None:
        name = unique_name("clf")
        for version in ("a", "b", "c"):
            store.models.get_or_create_version(name, version, tags=["vision"])
        page = store.models.list(f"name:{name}")
        assert page.total == 1
        model = page.items[0]
        assert (model.name, model.latest_version, model.tags) == (name, "c", ["vision"])
        assert [v.name for v in store.models.list_versions(name)] == ["c", "b", "a"]
        assert [v.number for v in store.models.list_versions(model.id)] == [3, 2, 1]
        assert [m.name for m in store.models.list(f"tag:vision name:{name}").items] == [name]
        with pytest.raises(NotFoundError):
            store.models.list_versions(unique_name("missing"))
        with pytest.raises(NotFoundError):
            store.models.list_versions(uuid.uuid4())
