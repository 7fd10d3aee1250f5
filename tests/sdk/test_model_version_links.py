"""Real runs link themselves to a model version in the role they play: the run that made it, a later run
that named it, a run that consumed it through a stage; their outputs by what they are (model, data)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from waypost import Model, get_step_context, link_artifact_to_model, pipeline, step
from waypost.client import Client
from waypost.enums import ModelStages
from waypost.exceptions import NotFoundError, WaypostError
from waypost.store.sql.repositories.model_links import ModelLinksRepository
from waypost.testing.factories import make_artifact_version


@step
def load() -> Annotated[pd.DataFrame, "features"]:
    return pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [0, 0, 1, 1]})


@step
def fit(df: pd.DataFrame) -> Annotated[LogisticRegression, "classifier"]:
    return LogisticRegression().fit(df[["x"]], df["y"])


@pipeline(model=Model(name="churn", version="1.0", tags=["baseline"]), enable_cache=False)
def training() -> None:
    fit(load())


@step
def predict() -> Annotated[list[int], "predictions"]:
    clf = get_step_context().model.load_artifact("classifier")
    return [int(v) for v in clf.predict(pd.DataFrame({"x": [0.5, 2.5]}))]


@pipeline(model=Model(name="churn", version=ModelStages.PRODUCTION), enable_cache=False)
def serving() -> None:
    predict()


def test_runs_and_outputs_link_in_their_roles() -> None:
    made = training()
    again = training()  # names version 1.0 again, as an evaluation would
    client = Client()
    client.get_model_version("churn", "1.0").set_stage(ModelStages.PRODUCTION)
    served = serving()
    store = client.store
    version = store.models.get_version("churn", "1.0")
    links = ModelLinksRepository(store.sessions)  # type: ignore[attr-defined]  # a local SQL store
    by_role = {r.role: r.id for r in links.runs(version.id).items}
    assert by_role == {"producer": made.id, "attached": again.id, "consumer": served.id}
    assert links.runs(version.id, role="consumer").items[0].via_stage == "production"
    roles = {(a.name, a.role) for a in links.artifacts(version.id).items}
    assert ("classifier", "model") in roles
    assert ("features", "data") in roles
    assert ("predictions", "other") in roles  # the consumer's output, linked to the version it served
    assert version.tags == ["baseline"]
    status = {s.stage: s for s in links.stage_status(version.model_id).stages}
    assert status["production"].version == "1.0"
    assert [r.id for r in status["production"].recent] == [served.id]
    assert status["production"].recent_succeeded == 1


def test_artifacts_link_explicitly_and_are_found_by_role() -> None:
    training()
    client = Client()
    scaler = client.store.artifacts.register([make_artifact_version("threshold")])[0]  # saved outside a run
    model = Model(name="churn", version="1.0")
    link_artifact_to_model(scaler, model, role="deployment")
    assert model.get_artifact("threshold").id == scaler.id
    assert model.get_model_artifact("classifier").name == "classifier"
    assert model.get_data_artifact("features").name == "features"
    with pytest.raises(NotFoundError) as err:
        model.get_model_artifact("features")
    assert str(err.value) == (
        "Version 1 of model 'churn' has no model artifact 'features' (it has: classifier); "
        'name the output with Annotated[..., "NAME"] in the step that makes it.'
    )
    with pytest.raises(WaypostError, match="pass model=Model"):
        link_artifact_to_model(scaler)  # outside a step, the model must be named
