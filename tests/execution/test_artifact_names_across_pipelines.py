"""Outputs of different pipelines are separate artifacts unless the user gave them one name."""

from __future__ import annotations

from typing import Annotated

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus


@step
def load() -> int:
    return 1


@step
def train(x: int) -> int:
    return x + 1


@step
def features() -> Annotated[int, "shared_features"]:
    return 7


def _versions(client: Client) -> dict[str, int]:
    return {a.name: a.latest_version for a in client.list_artifacts(size=100).items}


def test_same_step_and_output_names_in_two_pipelines_are_two_artifacts() -> None:
    @pipeline
    def alpha() -> None:
        train(load())

    @pipeline
    def beta() -> None:
        train(load())

    alpha()
    second = beta()  # identical steps and inputs: before, a cache hit served alpha's versions

    client = Client()
    assert _versions(client) == {
        "alpha::load::output": 1,
        "alpha::train::output": 1,
        "beta::load::output": 1,
        "beta::train::output": 1,
    }
    for s in client.list_step_runs(second.id):
        assert s.status == ExecutionStatus.COMPLETED
        assert client.get_artifact_version(s.outputs["output"]).name == f"beta::{s.name}::output"
        assert client.get_artifact_version(s.outputs["output"]).producer_run_id == second.id
    again = beta()  # its own cache still works
    assert {s.status for s in client.list_step_runs(again.id)} == {ExecutionStatus.CACHED}


def test_an_annotated_name_is_one_artifact_with_a_version_per_pipeline() -> None:
    @pipeline
    def gamma() -> None:
        features()

    @pipeline
    def delta() -> None:
        features.with_options(enable_cache=False)()

    gamma()
    delta()
    client = Client()
    assert _versions(client) == {"shared_features": 2}
    pipelines = {v.version: v.producer_run_id for v in client.list_artifact_versions("name:shared_features").items}
    assert len(set(pipelines.values())) == 2


def test_an_annotated_name_shares_the_cache_across_pipelines() -> None:
    @pipeline
    def first() -> None:
        features()

    @pipeline
    def second() -> None:
        features()

    first()
    run = second()
    client = Client()
    [s] = client.list_step_runs(run.id)
    assert s.status == ExecutionStatus.CACHED
    assert _versions(client) == {"shared_features": 1}


def test_a_renamed_output_misses_the_cache_and_says_why() -> None:
    @step
    def make() -> Annotated[int, "before"]:
        return 1

    @pipeline(name="renaming")
    def first() -> None:
        make()

    first()

    @step  # the same code under a new Annotated name (the source hash is the function's text)
    def make() -> Annotated[int, "after"]:  # noqa: F811
        return 1

    @pipeline(name="renaming")
    def again() -> None:
        make()

    run = again()
    [s] = Client().list_step_runs(run.id)
    assert s.status == ExecutionStatus.COMPLETED
    assert "artifact names changed" in (s.cache_miss_reason or "")
