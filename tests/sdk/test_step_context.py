"""``get_step_context()``, ``log_metadata`` and ``@pipeline(model=Model(...))`` inside real runs."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

import waypost
import waypost.enums
from waypost import Model, get_step_context, log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus, ModelStages
from waypost.exceptions import StepFailedError, WaypostError


@step
def introspect(alpha: float = 0.5) -> tuple[Annotated[dict[str, Any], "facts"], Annotated[int, "answer"]]:
    ctx = get_step_context()
    model = ctx.model
    facts = {
        "run_id": str(ctx.pipeline_run.id),
        "pipeline": ctx.pipeline_name,
        "step": ctx.step_name,
        "step_run_id": str(ctx.step_run_id),
        "status": ctx.step_run.status.value,
        "parameters": ctx.parameters,
        "facts_uri": ctx.get_output_artifact_uri("facts"),
        "answer_uri": ctx.get_output_artifact_uri("answer"),
        "model": None if model is None else [model.name, model.version, model.number, str(model.id)],
    }
    ctx.add_output_tags(["inspected"], output_name="answer")
    log_metadata(metadata={"rows": 42}, infer_artifact=True, artifact_name="answer")
    return facts, 42


@pipeline(model=Model(name="churn", version="2.1"))
def with_model():
    introspect(alpha=0.25)
    introspect(id="again")


def test_step_context_knows_the_run_step_outputs_and_model() -> None:
    run = with_model()

    client = Client()
    facts = client.get_step_output(run.id, "introspect", "facts")
    sr = client.get_step_run(run.id, "introspect")
    version = client.get_model_version("churn", "2.1")
    assert facts["run_id"] == str(run.id)
    assert facts["pipeline"] == "with_model"
    assert facts["step"] == "introspect"
    assert facts["step_run_id"] == str(sr.id)
    assert facts["status"] == "running"
    assert facts["parameters"] == {"alpha": 0.25}
    assert facts["model"] == ["churn", "2.1", 1, str(version.id)]
    # The URIs the step was told are where its outputs were stored.
    assert facts["facts_uri"] == client.get_artifact_version(sr.outputs["facts"]).uri
    assert facts["answer_uri"] == client.get_artifact_version(sr.outputs["answer"]).uri
    assert client.get_step_output(run.id, "again", "facts")["step"] == "again"


def test_output_tags_and_artifact_metadata_from_inside_the_step() -> None:
    run = with_model()

    client = Client()
    answer = client.get_artifact_version(client.get_step_run(run.id, "introspect").outputs["answer"])
    assert answer.tags == ["inspected"]
    entries = [m for m in client.get_metadata(run.id) if m.artifact_version_id == answer.id]
    assert [(m.key, m.value) for m in entries] == [("rows", 42)]


def test_pipeline_model_creates_the_version_and_links_the_run_and_its_outputs() -> None:
    first = with_model()
    second = with_model.with_options(enable_cache=False)()

    client = Client()
    version = client.get_model_version("churn", "2.1")
    assert (version.name, version.number, version.stage) == ("2.1", 1, ModelStages.NONE)
    assert set(version.run_ids) == {first.id, second.id}
    outputs = {av for s in client.list_step_runs(second.id) for av in s.outputs.values()}
    assert len(outputs) == 4
    assert outputs <= set(version.artifact_version_ids)
    assert first.model_version_id == version.id == second.model_version_id
    assert [m.name for m in client.list_models().items] == ["churn"]


def test_a_model_without_version_gets_a_new_numbered_version_per_run() -> None:
    @step
    def which() -> list[Any]:
        model = get_step_context().model
        assert model is not None
        return [model.version, model.number]

    @pipeline(model=Model(name="ranker"), enable_cache=False)
    def numbered():
        which()

    first = numbered()
    second = numbered()

    client = Client()
    assert client.get_step_output(first.id, "which") == ["1", 1]
    assert client.get_step_output(second.id, "which") == ["2", 2]
    assert client.get_model_version("ranker", "latest").run_ids == [second.id]


def test_a_pipeline_without_a_model_gives_steps_none() -> None:
    @step
    def no_model() -> bool:
        return get_step_context().model is None

    @pipeline
    def plain():
        no_model()

    run = plain()

    assert Client().get_step_output(run.id, "no_model") is True
    assert run.model_version_id is None


def test_asking_for_an_unknown_output_uri_names_the_outputs() -> None:
    @step
    def ask() -> int:
        get_step_context().get_output_artifact_uri("nope")
        return 1

    @pipeline
    def p():
        ask()

    with pytest.raises(StepFailedError):
        p()
    sr = Client().get_step_run(Client().list_pipeline_runs().items[0].id, "ask")
    assert sr.error_type == "WaypostError"
    assert sr.error_message == "WaypostError: Step 'ask' has no output 'nope'; its outputs are ['output']."


def test_step_context_and_log_metadata_outside_a_step_say_how_to_use_them() -> None:
    with pytest.raises(WaypostError, match=r"only inside a running step"):
        get_step_context()
    with pytest.raises(WaypostError, match=r"outside a step without a target; pass run_id="):
        log_metadata(metadata={"a": 1})


def test_log_metadata_after_the_run_attaches_to_the_run() -> None:
    run = with_model()

    log_metadata(metadata={"reviewed": True, "reviewer": "ana", "notes": {"score": 3}}, run_id=run.id)

    client = Client()
    values = {
        m.key: m.value for m in client.get_metadata(run.id) if m.step_run_id is None and m.artifact_version_id is None
    }
    assert values == {"reviewed": True, "reviewer": "ana", "notes": {"score": 3}}
    assert [r.id for r in client.list_pipeline_runs(query="metadata.reviewer:ana").items] == [run.id]


def test_log_metadata_rejects_values_it_cannot_store() -> None:
    @step
    def bad_metadata() -> None:
        log_metadata(metadata={"model": object()})

    @pipeline
    def p():
        bad_metadata()

    with pytest.raises(StepFailedError, match="Metadata 'model' has type object, which cannot be stored"):
        p()


def test_public_surface() -> None:
    assert set(waypost.__all__) >= {"step", "pipeline", "log_metadata", "get_step_context", "Model"}
    assert {s.value for s in waypost.enums.ModelStages} >= {"staging", "production", "archived"}
    assert ExecutionStatus.CACHED.is_successful
