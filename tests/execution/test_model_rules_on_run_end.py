"""Promotion rules fire when a run that made a version completes, and when metadata is logged on a version;
never for a failed run or a version a run consumed; a broken rule never fails the run. On a local store
and through a server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from live_server import LiveServer
from waypost import Model, log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import ModelStages
from waypost.exceptions import StepFailedError
from waypost.execution import runtime
from waypost.schemas.model_approvals import ModelApprovalPolicyUpdate, PromotionRuleCreate
from waypost.settings import write_config
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore

GOOD = "metadata.accuracy>=0.9 metadata.data_validation:pass"


@step
def evaluate(accuracy: float, fail: bool) -> float:
    log_metadata(metadata={"accuracy": accuracy, "data_validation": "pass"}, infer_model=True)
    if fail:
        raise RuntimeError("the evaluation broke after logging")
    return accuracy


@pipeline(model=Model(name="churn"), enable_cache=False)
def train(accuracy: float = 0.5, fail: bool = False) -> None:
    evaluate(accuracy, fail)


@step
def use() -> int:
    return 1


@pipeline(model=Model(name="churn", version=ModelStages.STAGING), enable_cache=False)
def serve() -> None:
    use()


def _rule(**kw: object) -> None:
    fields: dict[str, object] = {"name": "good", "filter": GOOD, "to_stage": "staging", **kw}
    Client().store.promotions.create_rule("churn", PromotionRuleCreate.model_validate(fields))


def _stage(version: str) -> str:
    return Client().get_model_version("churn", version).stage.value


def test_a_rule_fires_when_the_run_that_made_the_version_completes() -> None:
    train(accuracy=0.5)  # makes the model; no rule yet
    _rule()
    train(accuracy=0.6)
    assert _stage("2") == "none"  # does not match
    train(accuracy=0.95)
    assert _stage("3") == "staging"
    (t,) = Client().list_model_transitions("churn").items
    assert (t.version_name, t.how, t.rule) == ("3", "rule", "good")
    serve()  # consumes staging: a consumer never triggers the rules
    assert Client().list_model_transitions("churn").total == 1


def test_a_failed_run_fires_no_rule() -> None:
    train(accuracy=0.5)
    _rule()
    with pytest.raises(StepFailedError):
        train(accuracy=0.99, fail=True)
    assert _stage("2") == "none"
    assert Client().list_model_transitions("churn").total == 0


def test_logging_metadata_on_a_version_outside_a_run_fires_rules() -> None:
    train(accuracy=0.5)
    _rule()
    log_metadata(metadata={"accuracy": 0.93}, model_name="churn", model_version="1")
    assert _stage("1") == "staging"


def test_a_rule_into_a_stage_needing_approval_leaves_a_pending_request() -> None:
    train(accuracy=0.5)
    client = Client()
    client.store.promotions.set_policy("churn", ModelApprovalPolicyUpdate(stages=["staging"], approvals_required=1))
    _rule()
    train(accuracy=0.97)
    assert _stage("2") == "none"
    (request,) = client.store.promotions.list_requests(model="churn").items
    assert (request.version_name, request.to_stage.value, request.how, request.rule) == ("2", "staging", "rule", "good")


def test_a_broken_rule_never_fails_the_run(caplog: pytest.LogCaptureFixture) -> None:
    train(accuracy=0.5)
    _rule()
    store = Client().store
    assert isinstance(store, SqlStore)
    with store.sessions.write() as s:  # a rule saved broken (by hand in the database): it cannot be parsed
        s.execute(update(db.model_promotion_rules).values(filter="metadata.accuracy>="))
    with caplog.at_level(logging.WARNING, logger="waypost.models"):
        run = train(accuracy=0.99)
    assert run.status.value == "completed"
    assert "The promotion rules of model 'churn' were not applied to version 2: Filter term" in caplog.text
    assert _stage("2") == "none"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    write_config({"store.url": server.url, "store.api_key": server.api_key})
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def test_through_a_server_the_rule_fires_at_the_runs_end_and_is_audited(live: LiveServer) -> None:
    train(accuracy=0.5)
    _rule()
    assert [r.name for r in Client().store.promotions.list_rules("churn")] == ["good"]
    train(accuracy=0.91)
    assert live.store.models.get_version("churn", "2").stage.value == "staging"
    (t,) = live.store.models.transitions("churn").items
    assert (t.how, t.rule, t.user_id) == ("rule", "good", None)
    (event,) = live.store.audit.list(action="model.stage_changed", size=5).items
    assert (event.actor_name, event.details["how"], event.details["rule"]) == ("admin", "rule", "good")
