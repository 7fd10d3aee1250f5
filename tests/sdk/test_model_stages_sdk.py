"""Stages from Python: ``Client().get_model_version(name, ModelStages.X).set_stage(...)``, and a pipeline declared
with ``Model(name=..., version=ModelStages.PRODUCTION)`` consuming the version that holds production."""

from __future__ import annotations

from typing import Any

import pytest

from waypost import Model, get_step_context, pipeline, step
from waypost.client import Client
from waypost.enums import ModelStages
from waypost.exceptions import ConfigurationError, ConflictError, ParameterError
from waypost.testing import assert_one_line


@step
def which_model() -> list[Any]:
    model = get_step_context().model
    assert model is not None
    return [model.name, model.version, model.number, model.stage, str(model.id)]


@pipeline(model=Model(name="iris"), enable_cache=False)
def train() -> None:
    which_model()


@pipeline(model=Model(name="iris", version=ModelStages.PRODUCTION), enable_cache=False)
def serve() -> None:
    which_model()


def _two_versions() -> Client:
    train()
    train()
    return Client()


def test_set_stage_from_a_client_version_and_force_replaces_the_holder() -> None:
    client = _two_versions()
    first = client.get_model_version("iris", "1")
    assert first.set_stage(ModelStages.PRODUCTION, reason="first good one") is first
    assert (first.stage, first.stage_since is not None) == (ModelStages.PRODUCTION, True)

    holder = client.get_model_version("iris", ModelStages.PRODUCTION)
    assert (holder.id, holder.number) == (first.id, 1)

    second = client.get_model_version("iris", "latest")
    with pytest.raises(ConflictError) as err:
        second.set_stage(ModelStages.PRODUCTION)
    assert_one_line(err.value, "Version 1", "--force")
    assert second.stage == ModelStages.NONE
    second.set_stage(ModelStages.PRODUCTION, force=True)
    assert second.stage == ModelStages.PRODUCTION
    assert client.get_model_version("iris", "1").stage == ModelStages.ARCHIVED
    assert client.get_model("iris").stages == {"production": "2"}
    history = client.list_model_transitions("iris").items
    assert [(t.version_name, t.to_stage.value) for t in history] == [
        ("2", "production"),
        ("1", "archived"),
        ("1", "production"),
    ]
    with pytest.raises(ParameterError):
        second.set_stage(ModelStages.LATEST)


def test_a_pipeline_on_the_production_stage_consumes_its_holder_and_makes_no_version() -> None:
    client = _two_versions()
    client.set_model_version_stage("iris", "1", ModelStages.PRODUCTION)

    run = serve()
    name, version, number, stage, version_id = client.get_step_output(run.id, "which_model")
    holder = client.get_model_version("iris", ModelStages.PRODUCTION)
    assert (name, version, number, stage, version_id) == ("iris", "1", holder.number, "production", str(holder.id))
    assert number == 1
    assert run.model_version_id == holder.id
    assert run.id in client.get_model_version("iris", "1").run_ids
    assert [v.name for v in client.list_model_versions("iris")] == ["2", "1"]  # nothing named "production"

    client.set_model_version_stage("iris", "2", "production", force=True, reason="retrained")
    again = serve()
    assert client.get_step_output(again.id, "which_model")[2] == 2


def test_a_stage_no_version_holds_stops_the_run_in_one_line() -> None:
    client = _two_versions()
    runs_before = client.list_pipeline_runs().total
    with pytest.raises(ConfigurationError) as err:
        serve()
    assert str(err.value) == (
        "Model 'iris' has no version in production; promote one with `waypost model stage iris VERSION production`."
    )
    assert client.list_pipeline_runs().total == runs_before
    assert [v.name for v in client.list_model_versions("iris")] == ["2", "1"]

    @pipeline(model=Model(name="never-trained", version="latest"))
    def fresh() -> None:
        which_model()

    with pytest.raises(ConfigurationError) as err:
        fresh()
    assert_one_line(err.value, "Model 'never-trained' has no versions yet")


def test_latest_follows_the_newest_version() -> None:
    client = _two_versions()

    @pipeline(model=Model(name="iris", version=ModelStages.LATEST), enable_cache=False)
    def newest() -> None:
        which_model()

    assert client.get_step_output(newest().id, "which_model")[2] == 2
    train()
    assert client.get_step_output(newest().id, "which_model")[2] == 3
