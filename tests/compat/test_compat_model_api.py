"""ZenML's model API on Waypost: Model's card, stages by name, set_stage, get_pipeline_context, the Client's
model calls, and a ZenML-style quickstart with only its imports changed."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
import pytest
from sklearn.base import ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

from waypost import Model, get_pipeline_context, get_step_context, log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import ModelStages
from waypost.exceptions import ConfigurationError, ConflictError, ParameterError
from waypost.testing import assert_one_line

# --- a ZenML quickstart-style training pipeline, ported by changing its imports ---------------------

model = Model(
    name="breast_cancer_classifier",
    license="Apache 2.0",
    description="A breast cancer classifier",
    tags=["breast_cancer", "classifier"],
)


@step
def data_loader(
    random_state: int = 42,
) -> tuple[
    Annotated[pd.DataFrame, "X_train"],
    Annotated[pd.DataFrame, "X_test"],
    Annotated[pd.Series, "y_train"],
    Annotated[pd.Series, "y_test"],
]:
    dataset = load_breast_cancer(as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.data, dataset.target, test_size=0.2, random_state=random_state
    )
    return X_train, X_test, y_train, y_test


@step
def model_trainer(X_train: pd.DataFrame, y_train: pd.Series) -> Annotated[ClassifierMixin, "model"]:  # noqa: N803
    clf = SGDClassifier(random_state=42)
    clf.fit(X_train, y_train)
    return clf


@step
def model_evaluator(
    model: ClassifierMixin,
    X_test: pd.DataFrame,  # noqa: N803
    y_test: pd.Series,
) -> Annotated[float, "accuracy"]:
    accuracy = float(model.score(X_test, y_test))
    log_metadata(metadata={"accuracy": accuracy}, infer_model=True)
    return accuracy


@pipeline(model=model)
def training():
    X_train, X_test, y_train, y_test = data_loader()
    trained = model_trainer(X_train=X_train, y_train=y_train, id="trainer")
    model_evaluator(model=trained, X_test=X_test, y_test=y_test)


def test_the_quickstart_trains_stores_the_card_and_loads_the_model_back() -> None:
    training()

    loaded = Client().get_pipeline("training").last_run.steps["trainer"].outputs["model"][0].load()
    assert isinstance(loaded, SGDClassifier)
    X_test = Client().get_artifact_version("X_test").load()
    y_test = Client().get_artifact_version("y_test").load()
    assert loaded.score(X_test, y_test) == Client().get_artifact_version("accuracy").load()

    card = Client().get_model("breast_cancer_classifier")
    assert (card.license, card.description) == ("Apache 2.0", "A breast cancer classifier")
    assert sorted(card.tags) == ["breast_cancer", "classifier"]
    versions = Client().list_model_versions("breast_cancer_classifier")
    assert [v.number for v in versions] == [1]


# --- the model card -----------------------------------------------------------------------------------


@step
def nothing() -> int:
    return 1


def test_a_runs_model_card_fills_only_the_sections_given() -> None:
    @pipeline(model=Model(name="card_model", license="MIT", ethics="No personal data."), enable_cache=False)
    def first() -> None:
        nothing()

    first()
    assert (Client().get_model("card_model").license, Client().get_model("card_model").ethics) == (
        "MIT",
        "No personal data.",
    )

    @pipeline(model=Model(name="card_model", audience="Clinicians"), enable_cache=False)
    def second() -> None:
        nothing()

    second()
    card = Client().get_model("card_model")
    assert (card.license, card.ethics, card.audience) == ("MIT", "No personal data.", "Clinicians")  # kept
    assert card.version_count == 2


# --- stages -----------------------------------------------------------------------------------------------


@step
def promote_me() -> None:
    current = get_step_context().model
    assert current is not None
    current.set_stage("staging", force=True)


@step
def which_version() -> Annotated[int, "number"]:
    current = get_step_context().model
    assert current is not None
    return int(current.number or 0)


def test_a_step_promotes_its_model_and_a_stage_string_attaches_to_its_holder() -> None:
    @pipeline(model=Model(name="staged"), enable_cache=False)
    def build() -> None:
        promote_me()

    @pipeline(model=Model(name="staged", version="staging"), enable_cache=False)
    def use() -> None:
        which_version()

    build()
    build()
    assert Client().get_model_version("staged", "staging").number == 2
    run = use()
    assert run.steps["which_version"].output.load() == 2
    assert [v.name for v in Client().list_model_versions("staged")] == ["2", "1"]  # no version named "staging"

    @pipeline(model=Model(name="staged", version="production"), enable_cache=False)
    def serve() -> None:
        which_version()

    with pytest.raises(ConfigurationError) as err:
        serve()
    assert_one_line(err.value, "waypost model stage staged VERSION production")
    assert [v.name for v in Client().list_model_versions("staged")] == ["2", "1"]


def test_model_set_stage_outside_a_run_names_the_version() -> None:
    @pipeline(model=Model(name="outside"), enable_cache=False)
    def build() -> None:
        nothing()

    build()
    build()
    Model(name="outside", version="1").set_stage(ModelStages.PRODUCTION)
    assert Client().get_model_version("outside", "production").number == 1
    with pytest.raises(ConflictError):
        Model(name="outside", version="2").set_stage("production")
    again = Model(name="outside", version="2")
    again.set_stage("production", force=True)
    assert (again.number, again.stage) == (2, "production")
    assert Client().get_model_version("outside", "1").stage == ModelStages.ARCHIVED
    with pytest.raises(ConfigurationError) as err:
        Model(name="outside").set_stage("staging")
    assert_one_line(err.value, "version=")


# --- get_pipeline_context -----------------------------------------------------------------------------------


seen: dict[str, Any] = {}


@step
def count(n: int) -> int:
    return n


@pipeline(model=Model(name="ctx_model", version="1.0"), extra={"rows": 3}, enable_cache=False)
def composed() -> None:
    context = get_pipeline_context()
    seen.update(name=context.name, model=context.model.name, extra=context.extra, cache=context.enable_cache)
    count(context.extra["rows"])


def test_get_pipeline_context_while_composing_and_not_elsewhere() -> None:
    run = composed()
    assert seen == {"name": "composed", "model": "ctx_model", "extra": {"rows": 3}, "cache": False}
    assert run.steps["count"].output.load() == 3
    with pytest.raises(RuntimeError) as err:
        get_pipeline_context()
    assert_one_line(err.value, "@pipeline")


# --- the Client's model calls --------------------------------------------------------------------------------


def test_client_creates_models_and_updates_versions_tags_and_stages() -> None:
    client = Client()
    made = client.create_model(
        "registry_model", license="BSD-3", description="A model made first", ethics="Reviewed.", tags=["tabular"]
    )
    assert (made.license, made.description, made.ethics, made.tags) == (
        "BSD-3",
        "A model made first",
        "Reviewed.",
        ["tabular"],
    )
    assert [m.name for m in client.list_models().items] == ["registry_model"]
    client.create_model("other_model")
    assert [m.name for m in client.list_models(name="registry_model").items] == ["registry_model"]
    assert [m.name for m in client.list_models(tag="tabular").items] == ["registry_model"]
    assert client.get_model_version("registry_model", None).number == 1  # None: the latest
    with pytest.raises(ConflictError) as err:
        client.create_model("registry_model")
    assert_one_line(err.value, "update_model")

    @pipeline(model=Model(name="registry_model"), enable_cache=False)
    def build() -> None:
        nothing()

    build()
    assert [v.name for v in client.list_model_versions("registry_model")] == ["2", "1"]
    assert client.get_model("registry_model").license == "BSD-3"  # a Model without a card keeps it

    version = client.update_model_version("registry_model", "2", add_tags=["candidate", "fast"], stage="staging")
    assert (sorted(version.tags), version.stage) == (["candidate", "fast"], ModelStages.STAGING)
    version = client.update_model_version("registry_model", "staging", remove_tags=["fast"], stage="production")
    assert (sorted(version.tags), version.stage) == (["candidate"], ModelStages.PRODUCTION)
    assert client.get_model_version("registry_model", ModelStages.PRODUCTION).number == 2
    with pytest.raises(ConflictError):
        client.update_model_version("registry_model", "1", stage="production")
    assert client.update_model_version("registry_model", "1", stage="production", force=True).number == 1
    with pytest.raises(ParameterError) as renamed:
        client.update_model_version("registry_model", "1", name="renamed")
    assert_one_line(renamed.value, "add_tags")
