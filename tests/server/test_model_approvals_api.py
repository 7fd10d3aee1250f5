"""The approval routes: policies, stage requests, approving and rejecting (quorum, the requester refused,
permissions, decided once, a rejection changing nothing), "needs my approval", PUT .../stage under a
policy, and the audit rows of each step; on SQLite and PostgreSQL (a fresh database per test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _access_world import person
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line, store_databases

from waypost.settings import WaypostSettings, load_settings
from waypost.store.sql.store import SqlStore

API = "/api/v1"
ROLES = {"dev": "Developer", "ann": "Admin", "abe": "Admin", "vic": "Viewer", "nobody": None}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WaypostSettings]:
    """The app's settings, its store on SQLite or on a fresh PostgreSQL database (dropped after)."""
    db = store_databases()
    url = f"sqlite:///{tmp_path / 'server.db'}" if request.param == "sqlite" else db.create_postgres_database()
    yield load_settings(store={"url": url}, artifact_store={"uri": str(tmp_path / "artifacts")})
    if request.param == "postgres":
        db.drop_postgres_database(url)


@pytest.fixture
def iris(server_store: SqlStore) -> str:
    """Model ``iris`` of the default project with versions 1, 2 and 3."""
    for _ in range(3):
        server_store.models.get_or_create_version("iris", None)
    return "iris"


@pytest.fixture
def as_user(server_app: FastAPI, server_store: SqlStore) -> Iterator[dict[str, TestClient]]:
    """Clients of dev (Developer: promotes, cannot approve), ann and abe (project Admins: approve), vic (Viewer),
    nobody; all of default/default."""
    clients = {}
    for name, role in ROLES.items():
        person(server_store, name)
        if role:
            server_store.access.grant(role, user=name, project="default/default")
        key = server_store.auth.create_api_key(server_store.users.get(name).id, "tests").key
        clients[name] = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    yield clients
    for c in clients.values():
        c.close()


def _policy(c: TestClient, model: str, stages: list[str], approvals: int) -> httpx.Response:
    return c.patch(f"{API}/models/{model}/approval-policy", json={"stages": stages, "approvals_required": approvals})


def _ask(c: TestClient, model: str, version: str, stage: str, **extra: object) -> httpx.Response:
    return c.post(f"{API}/models/{model}/versions/{version}/stage-requests", json={"stage": stage, **extra})


def _vote(c: TestClient, request_id: str, decision: str, comment: str | None = None) -> httpx.Response:
    return c.post(f"{API}/model-requests/{request_id}/{decision}", json={"comment": comment})


def _audit(store: SqlStore, action: str) -> list[Any]:
    return store.audit.list(action=action, size=50).items


def test_two_approvals_put_the_version_in_production(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: str
) -> None:
    refused = _policy(as_user["dev"], iris, ["production"], 2)  # who approves decides what needs approval
    assert_one_line(refused, 403)
    assert "'model:approve'" in refused.json()["detail"]
    policy = _policy(as_user["ann"], iris, ["production"], 2)
    assert policy.json() == {"stages": ["production"], "approvals_required": 2, "source": "model"}
    assert as_user["vic"].get(f"{API}/models/{iris}/approval-policy").json()["source"] == "model"

    direct = as_user["dev"].put(f"{API}/models/{iris}/versions/2/stage", json={"stage": "production"})
    assert_one_line(direct, 409)
    assert "needs 2 approvals; request it with `waypost model request iris 2 production`" in direct.json()["detail"]

    asked = _ask(as_user["dev"], iris, "2", "production", reason="best f1")
    assert asked.status_code == 200, asked.text
    body = asked.json()
    assert (body["outcome"], body["version"]["stage"]) == ("pending", "none")
    request = body["request"]
    assert (request["requested_by_name"], request["status"], request["approvals_required"]) == ("dev", "pending", 2)

    first = _vote(as_user["ann"], request["id"], "approve", "fine by me")
    assert (first.json()["status"], first.json()["approvals"]) == ("pending", 1)
    assert server_store.models.get_version(iris, "2").stage.value == "none"
    second = _vote(as_user["abe"], request["id"], "approve")
    assert second.json()["status"] == "approved", second.text
    assert server_store.models.get(iris).stages == {"production": "2"}

    (t,) = as_user["vic"].get(f"{API}/models/{iris}/transitions").json()["items"]
    assert (t["how"], t["user_name"], t["reason"]) == ("approval", "dev", "best f1 (approved by ann, abe)")
    (made,) = _audit(server_store, "model.stage_requested")
    assert (made.actor_name, made.target, made.details["to"]) == ("dev", "iris:2", "production")
    assert [e.actor_name for e in _audit(server_store, "model.request_approved")] == ["abe", "ann"]
    (changed,) = _audit(server_store, "model.stage_changed")
    assert (changed.actor_name, changed.details["how"], changed.details["to"]) == ("abe", "approval", "production")
    assert [e.target for e in _audit(server_store, "model.approval_policy_changed")] == ["iris"]


def test_who_may_ask_and_who_may_decide(as_user: dict[str, TestClient], server_store: SqlStore, iris: str) -> None:
    _policy(as_user["ann"], iris, ["production"], 1)
    no_promote = _ask(as_user["vic"], iris, "1", "production")
    assert_one_line(no_promote, 403)
    assert "'model:promote'" in no_promote.json()["detail"]
    assert_one_line(_ask(as_user["nobody"], iris, "1", "production"), 404)

    own = _ask(as_user["ann"], iris, "1", "production").json()["request"]
    self_approval = _vote(as_user["ann"], own["id"], "approve")
    assert_one_line(self_approval, 403)
    assert "you cannot approve it" in self_approval.json()["detail"]
    no_approve = _vote(as_user["dev"], own["id"], "approve")
    assert_one_line(no_approve, 403)
    assert "'model:approve'" in no_approve.json()["detail"]
    assert_one_line(_vote(as_user["nobody"], own["id"], "approve"), 404)  # not revealed
    assert as_user["vic"].get(f"{API}/model-requests/{own['id']}").json()["votes"] == []
    assert server_store.models.get_version(iris, "1").stage.value == "none"


def test_a_decided_request_is_a_409_and_a_rejection_changes_nothing(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: str
) -> None:
    _policy(as_user["ann"], iris, ["production", "staging"], 1)
    rejected = _ask(as_user["dev"], iris, "3", "production").json()["request"]
    done = _vote(as_user["ann"], rejected["id"], "reject", "not good enough")
    assert (done.json()["status"], done.json()["votes"][0]["comment"]) == ("rejected", "not good enough")
    assert server_store.models.get_version(iris, "3").stage.value == "none"
    assert server_store.models.transitions(iris).total == 0
    for voter, decision in (("abe", "approve"), ("abe", "reject"), ("ann", "approve")):
        again = _vote(as_user[voter], rejected["id"], decision)
        assert_one_line(again, 409)
        assert "was rejected already; nothing changed" in again.json()["detail"]
    assert [e.details["status"] for e in _audit(server_store, "model.request_rejected")] == ["rejected"]
    assert _audit(server_store, "model.stage_changed") == []

    twice = _ask(as_user["dev"], iris, "3", "staging")
    assert twice.json()["outcome"] == "pending"
    assert_one_line(_ask(as_user["dev"], iris, "3", "staging"), 409)
    assert_one_line(_ask(as_user["dev"], iris, "3", "latest"), 422)


def test_needs_my_approval_and_my_requests(as_user: dict[str, TestClient], iris: str) -> None:
    _policy(as_user["ann"], iris, ["production", "staging"], 2)
    by_dev = _ask(as_user["dev"], iris, "1", "production").json()["request"]["id"]
    by_ann = _ask(as_user["ann"], iris, "2", "staging").json()["request"]["id"]

    def ids(who: str, **params: str) -> list[str]:
        r = as_user[who].get(f"{API}/model-requests", params=params)
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids("ann", mine="needs_approval") == [by_dev]  # not her own
    assert ids("abe", mine="needs_approval") == [by_ann, by_dev]
    assert ids("dev", mine="needs_approval") == []  # no model:approve
    assert ids("dev", mine="requested") == [by_dev]
    assert ids("vic") == [by_ann, by_dev]  # reading them needs model:read only
    assert ids("nobody") == []
    _vote(as_user["abe"], by_dev, "approve")
    assert ids("abe", mine="needs_approval") == [by_ann]
    assert ids("vic", model=iris, status="all") == [by_ann, by_dev]
    assert ids("vic", status="approved") == []
    assert_one_line(as_user["vic"].get(f"{API}/model-requests", params={"status": "open"}), 422)


def test_a_stage_the_policy_does_not_name_changes_at_once(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: str
) -> None:
    _policy(as_user["ann"], iris, ["production"], 1)
    done = _ask(as_user["dev"], iris, "1", "staging", reason="candidate")
    assert (done.json()["outcome"], done.json()["request"], done.json()["version"]["stage"]) == (
        "done",
        None,
        "staging",
    )
    (changed,) = _audit(server_store, "model.stage_changed")
    assert (changed.details["how"], changed.details["reason"]) == ("manual", "candidate")


def test_a_project_policy_holds_for_models_without_their_own(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: str
) -> None:
    body = {"stages": ["production"], "approvals_required": 1}
    assert_one_line(as_user["dev"].put(f"{API}/model-approval-policy", json=body), 403)
    put = as_user["ann"].put(f"{API}/model-approval-policy", json=body)
    assert put.json() == {**body, "source": "project"}
    assert as_user["vic"].get(f"{API}/model-approval-policy").json()["source"] == "project"
    assert as_user["vic"].get(f"{API}/models/{iris}/approval-policy").json()["source"] == "project"
    assert _ask(as_user["dev"], iris, "1", "production").json()["outcome"] == "pending"
    (event,) = _audit(server_store, "model.approval_policy_changed")
    assert (event.target, event.details["stages"]) == ("default/default", ["production"])
