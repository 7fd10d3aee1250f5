"""Artifacts by name outside a step's outputs, as ZenML's: save_artifact, load_artifact,
log_artifact_metadata and log_model_metadata, in real runs and outside them."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import pytest

from waypost import (
    ArtifactConfig,
    Model,
    load_artifact,
    log_artifact_metadata,
    log_model_metadata,
    pipeline,
    save_artifact,
    step,
)
from waypost.client import Client
from waypost.enums import ArtifactType, ExecutionStatus
from waypost.exceptions import NotFoundError, ParameterError
from waypost.store.sql.repositories.model_links import ModelLinksRepository


def _metadata(client: Client, version_id: Any) -> dict[str, Any]:
    return {m.key: m.value for m in client.store.metadata.list(artifact_version_id=version_id)}


# --- a port of ZenML's "artifact naming / loading outside a pipeline" docs example; imports changed only ---


@step
def load_iris() -> Annotated[
    pd.DataFrame, ArtifactConfig(name="iris_dataset", tags=["raw"], run_metadata={"rows": 150})
]:
    rows = 150
    return pd.DataFrame(
        {
            "sepal_length": [5.0 + (i % 10) / 10 for i in range(rows)],
            "species": [("setosa", "versicolor", "virginica")[i // 50] for i in range(rows)],
        }
    )


@step
def count_species(df: pd.DataFrame) -> Annotated[dict[str, int], "species_counts"]:
    return {str(k): int(v) for k, v in df["species"].value_counts().items()}


@pipeline
def iris_pipeline() -> None:
    count_species(load_iris())


def test_zenml_docs_example_runs_with_only_the_imports_changed() -> None:
    iris_pipeline()
    df = load_artifact("iris_dataset")  # outside the pipeline, by name
    assert isinstance(df, pd.DataFrame)
    assert len(df) == 150
    assert load_artifact("species_counts") == {"setosa": 50, "versicolor": 50, "virginica": 50}
    client = Client()
    av = client.get_artifact_version("iris_dataset")
    assert av.tags == ["raw"]
    assert _metadata(client, av.id)["rows"] == 150


# --- outside a step ---


def test_save_outside_a_step_makes_a_version_no_run_produced() -> None:
    first = save_artifact({"lr": 0.1}, "hyperparams", version="baseline", tags=["tuning"], user_metadata={"by": "ana"})
    second = save_artifact({"lr": 0.05}, "hyperparams")
    assert (first.version, second.version) == (1, 2)
    assert first.producer_run_id is None
    assert first.tags == ["tuning"]
    assert load_artifact("hyperparams") == {"lr": 0.05}  # the newest
    assert load_artifact("hyperparams", version=1) == {"lr": 0.1}
    assert load_artifact("hyperparams", version="baseline") == {"lr": 0.1}  # by the version's name
    assert load_artifact(first.id) == {"lr": 0.1}
    meta = _metadata(Client(), first.id)
    assert meta == {"by": "ana", "version_name": "baseline"}
    log_artifact_metadata({"reviewed": True}, artifact_name="hyperparams", artifact_version="baseline")
    assert _metadata(Client(), first.id)["reviewed"] is True
    assert "reviewed" not in _metadata(Client(), second.id)


def test_visualizations_and_metadata_can_be_left_out() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    full = Client().get_artifact_version(save_artifact(df, "with_views").id)
    bare = Client().get_artifact_version(
        save_artifact(df, "without_views", include_visualizations=False, extract_metadata=False).id
    )
    assert full.visualizations
    assert bare.visualizations == []


# --- inside a step ---


@step
def fit_and_save() -> int:
    save_artifact([1, 2, 3], "side_output", tags=["extra"], user_metadata={"kind": "list"})
    save_artifact({"w": 1.0}, "weights", artifact_type=ArtifactType.MODEL)
    log_artifact_metadata({"checked": "yes"}, artifact_name="side_output")
    log_model_metadata({"accuracy": 0.93})
    return 1


@pipeline(model=Model(name="saver", version="1"), enable_cache=False)
def saving() -> None:
    fit_and_save()


def test_save_inside_a_step_is_an_output_of_its_step_run() -> None:
    run = saving()
    client = Client()
    av = client.get_artifact_version("side_output")
    assert av.producer_run_id == run.id
    assert av.tags == ["extra"]
    assert _metadata(client, av.id) == {"kind": "list", "checked": "yes"}
    assert load_artifact("side_output") == [1, 2, 3]
    step_run = client.store.steps.get(run.id, "fit_and_save")
    assert av.producer_step_run_id == step_run.id
    store = client.store
    version = store.models.get_version("saver", "1")
    links = ModelLinksRepository(store.sessions)  # type: ignore[attr-defined]  # a local SQL store
    roles = {a.name: a.role for a in links.artifacts(version.id).items}
    assert roles["weights"] == "model"  # a dict would be "other" by its type
    model_meta = {m.key: m.value for m in store.metadata.list(model_version_id=version.id)}
    assert model_meta["accuracy"] == 0.93
    log_model_metadata({"reviewed": "ok"}, model_name="saver", model_version="1")
    model_meta = {m.key: m.value for m in store.metadata.list(model_version_id=version.id)}
    assert model_meta["reviewed"] == "ok"


@step
def saves_then_fails() -> int:
    save_artifact("partial", "never_registered")
    raise RuntimeError("boom")


@pipeline
def failing() -> None:
    saves_then_fails()


def test_a_failed_step_registers_nothing_it_saved() -> None:
    with pytest.raises(Exception, match="boom"):
        failing()
    assert Client().list_artifact_versions('name:"never_registered"').total == 0
    assert Client().store.runs.list(size=1).items[0].status == ExecutionStatus.FAILED


# --- bad input ---


def test_unknown_artifact_is_one_line_naming_the_fix() -> None:
    with pytest.raises(NotFoundError) as err:
        load_artifact("no_such_thing")
    assert str(err.value) == (
        "No artifact 'no_such_thing' exists; check the name with `waypost artifacts list`, "
        "or save it first with save_artifact(value, name)."
    )
    save_artifact(1, "known")
    with pytest.raises(NotFoundError) as err:
        load_artifact("known", version="gold")
    assert "\n" not in str(err.value)
    assert "has no version named 'gold'" in str(err.value)
    with pytest.raises(KeyError):  # ZenML's code catches KeyError around lookups
        load_artifact("known", version=9)


def test_bad_save_arguments_are_one_line() -> None:
    with pytest.raises(ParameterError, match=r"^save_artifact\(data, name\) needs a non-empty artifact name"):
        save_artifact(1, "")
    with pytest.raises(ParameterError, match="cannot be stored"):
        save_artifact(1, "x", user_metadata={"obj": object()})
    with pytest.raises(ParameterError, match=r"^log_artifact_metadata\(\) outside a step needs artifact_name="):
        log_artifact_metadata({"a": 1})
    with pytest.raises(ParameterError, match=r"^log_model_metadata\(\) needs model_name= outside a step"):
        log_model_metadata({"a": 1})


@step
def cached_saver() -> int:
    save_artifact("side", "cached_side")
    return 2


@pipeline
def cached_saving() -> None:
    cached_saver()


def test_a_cached_step_reuses_what_it_saved() -> None:
    cached_saving()
    second = cached_saving()
    client = Client()
    assert client.list_artifact_versions('name:"cached_side"').total == 1
    assert client.store.steps.get(second.id, "cached_saver").status == ExecutionStatus.CACHED
