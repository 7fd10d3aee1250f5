"""A pipeline on the production version of a model reads that version's artifacts by name."""

from __future__ import annotations

from typing import Annotated

import pytest

from waypost import Model, get_step_context, pipeline, step
from waypost.client import Client
from waypost.enums import ModelStages
from waypost.exceptions import NotFoundError


@step
def train(weight: float) -> Annotated[dict[str, float], "weights"]:
    return {"w": weight}


@pipeline(model=Model(name="scorer"), enable_cache=False)
def training(weight: float) -> None:
    train(weight)


@step
def score(x: float) -> float:
    model = get_step_context().model
    weights = model.load_artifact("weights")
    return x * weights["w"]


@pipeline(model=Model(name="scorer", version=ModelStages.PRODUCTION), enable_cache=False)
def scoring(x: float) -> None:
    score(x)


def test_the_production_versions_artifact_is_what_a_consuming_pipeline_loads() -> None:
    training(2.0)
    training(3.0)
    client = Client()
    client.get_model_version("scorer", "1").set_stage(ModelStages.PRODUCTION)
    run = scoring(10.0)
    assert client.get_step_output(run.id, "score") == 20.0  # version 1's weights, not the latest's

    client.get_model_version("scorer", "2").set_stage(ModelStages.PRODUCTION, force=True)
    assert client.get_step_output(scoring(10.0).id, "score") == 30.0
    assert Model(name="scorer", version=ModelStages.PRODUCTION).load_artifact("weights") == {"w": 3.0}


def test_an_artifact_the_version_lacks_is_a_one_line_error_naming_those_it_has() -> None:
    training(2.0)
    Client().get_model_version("scorer", "1").set_stage(ModelStages.PRODUCTION)
    with pytest.raises(NotFoundError) as err:
        Model(name="scorer", version=ModelStages.PRODUCTION).get_artifact("tokenizer")
    assert str(err.value) == (
        "Version 1 of model 'scorer' has no artifact 'tokenizer' (it has: weights); name the output with "
        'Annotated[..., "NAME"] in the step that makes it.'
    )
