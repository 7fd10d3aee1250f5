"""Runs record into the active project: WAYPOST_PROJECT, Client(project=...), and names per project."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from waypost import Model, pipeline, step
from waypost.client import Client
from waypost.exceptions import NotFoundError
from waypost.execution import runtime
from waypost.schemas.access import DEFAULT_PROJECT_ID
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore


@step
def make() -> int:
    return 41


@step
def bump(value: int) -> int:
    return value + 1


@pipeline(model=Model(name="counter"))
def counting() -> None:
    bump(make())


def _sql() -> SqlStore:
    store = Client().store
    assert isinstance(store, SqlStore)
    return store


def test_runs_record_into_the_active_project(monkeypatch: pytest.MonkeyPatch) -> None:
    vision = _sql().access.create_project("vision")
    default_run = counting()
    monkeypatch.setenv("WAYPOST_PROJECT", "default/vision")
    runtime.reset()
    vision_run = counting()

    assert default_run.project_id == DEFAULT_PROJECT_ID
    assert vision_run.project_id == vision.id
    store = _sql()
    # The same pipeline name is a different pipeline in each project, and so are artifacts and models.
    assert default_run.pipeline_id != vision_run.pipeline_id
    assert {p.project_id for p in store.pipelines.list().items} == {DEFAULT_PROJECT_ID, vision.id}
    assert store.models.list(project_id=vision.id).total == 1
    # A step's cache never reaches into another project: the vision run computed its own outputs.
    assert store.steps.get(vision_run.id, "bump").cached_from_run_id is None
    again = counting()  # within the project, the cache works as before
    assert store.steps.get(again.id, "bump").cached_from_run_id == vision_run.id
    output = Client().get_step_output(vision_run.id, "bump")
    assert output == 42
    version = store.artifacts.get_version(store.steps.get(vision_run.id, "bump").outputs["output"])
    with store.engines.read.connect() as conn:
        artifact_project = conn.execute(
            sa.select(db.artifacts.c.project_id).where(db.artifacts.c.id == version.artifact_id)
        ).scalar_one()
    assert artifact_project == vision.id

    # Client(project=...) reads another project without changing the environment.
    assert Client(project="default").store.pipelines.get("counting").id == default_run.pipeline_id


def test_an_unknown_active_project_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_PROJECT", "nowhere")
    runtime.reset()
    with pytest.raises(NotFoundError) as missing:
        counting()
    assert "nowhere" in str(missing.value)
    assert "waypost project list" in str(missing.value)
    assert "\n" not in str(missing.value)
