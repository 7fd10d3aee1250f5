"""A stored artifact version, or ZenML's `ExternalArtifact`, passed to a step in a pipeline: the step takes it
as an input from that version (an input edge; nothing is copied)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd

from waypost import ExternalArtifact, pipeline, save_artifact, step
from waypost.client import Client


@step
def total(df: pd.DataFrame, factor: int = 1) -> Annotated[float, "total"]:
    return float(df["v"].sum()) * factor


@pipeline(enable_cache=False)
def summing(ref: str = "prices") -> None:
    total(Client().get_artifact_version(ref), factor=2)


def test_a_stored_version_becomes_an_input_edge() -> None:
    saved = save_artifact(pd.DataFrame({"v": [1.0, 2.0]}), "prices")
    run = summing()
    client = Client()
    assert client.load_artifact("total") == 6.0
    step_run = client.store.steps.get(run.id, "total")
    assert step_run.inputs["df"] == saved.id  # linked, not copied
    assert client.list_artifact_versions('name:"prices"').total == 1
    assert client.store.artifacts.consumers(saved.id) == [step_run.id]


@pipeline
def external() -> None:
    total(ExternalArtifact(value=pd.DataFrame({"v": [4.0, 5.0]}), name="external_prices"))


def test_an_external_artifact_is_saved_once_and_passed_as_an_input() -> None:
    run = external()
    client = Client()
    assert client.load_artifact("total") == 9.0
    versions = client.list_artifact_versions('name:"external_prices"').items
    assert len(versions) == 1
    assert client.store.steps.get(run.id, "total").inputs["df"] == versions[0].id
    # Run again: a new value version, served from the cache (same content) all the same.
    again = external()
    assert client.list_artifact_versions('name:"external_prices"').total == 2
    assert client.store.steps.get(again.id, "total").status == "cached"
