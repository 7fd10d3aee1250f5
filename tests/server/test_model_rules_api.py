"""The promotion-rule routes: saving (a filter that does not parse is a one-line 422), listing, changing,
deleting, dry runs, evaluating a version (a rule through approval), permissions and audit rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from _access_world import person
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.enums import MetadataType
from waypost.schemas import MetadataCreate
from waypost.store.sql.store import SqlStore

API = "/api/v1"
RULE = {"name": "good", "filter": "metadata.accuracy>=0.9 metadata.data_validation:pass", "to_stage": "staging"}


@pytest.fixture
def iris(server_store: SqlStore) -> list[uuid.UUID]:
    """Model ``iris`` with versions 1 (accuracy 0.8), 2 (0.95) and 3 (0.97, not validated)."""
    ids = []
    for accuracy, validation in ((0.8, "pass"), (0.95, "pass"), (0.97, "fail")):
        version = server_store.models.get_or_create_version("iris", None).id
        server_store.metadata.add(
            [
                MetadataCreate(key="accuracy", value=accuracy, type=MetadataType.FLOAT, model_version_id=version),
                MetadataCreate(
                    key="data_validation", value=validation, type=MetadataType.STRING, model_version_id=version
                ),
            ]
        )
        ids.append(version)
    return ids


@pytest.fixture
def as_user(server_app: FastAPI, server_store: SqlStore) -> Iterator[dict[str, TestClient]]:
    """Clients of cory (Contributor: model:update), ann (Admin), vic (Viewer) of default/default, and nobody."""
    clients = {}
    for name, role in {"cory": "Contributor", "ann": "Admin", "vic": "Viewer", "nobody": None}.items():
        person(server_store, name)
        if role:
            server_store.access.grant(role, user=name, project="default/default")
        key = server_store.auth.create_api_key(server_store.users.get(name).id, "tests").key
        clients[name] = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    yield clients
    for c in clients.values():
        c.close()


def test_a_rule_is_saved_listed_changed_and_deleted(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: list[uuid.UUID]
) -> None:
    cory, vic = as_user["cory"], as_user["vic"]
    made = cory.post(f"{API}/models/iris/rules", json={**RULE, "beats": {"stage": "production", "metric": "accuracy"}})
    assert made.status_code == 201, made.text
    assert (made.json()["created_by_name"], made.json()["beats"]) == (
        "cory",
        {"stage": "production", "metric": "accuracy"},
    )
    assert_one_line(cory.post(f"{API}/models/iris/rules", json=RULE), 409)
    assert [r["name"] for r in vic.get(f"{API}/models/iris/rules").json()] == ["good"]
    assert vic.get(f"{API}/models/iris/rules/good").json()["to_stage"] == "staging"
    assert_one_line(vic.get(f"{API}/models/iris/rules/nope"), 404)

    changed = cory.patch(f"{API}/models/iris/rules/good", json={"enabled": False, "beats": None})
    assert (changed.json()["enabled"], changed.json()["beats"]) == (False, None)
    assert changed.json()["updated_at"] is not None
    assert cory.delete(f"{API}/models/iris/rules/good").status_code == 204
    assert vic.get(f"{API}/models/iris/rules").json() == []
    events = server_store.audit.list(size=20).items
    assert [e.action for e in events if e.action.startswith("model.rule")] == [
        "model.rule_deleted",
        "model.rule_updated",
        "model.rule_created",
    ]


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("metadata.accuracy>=", "has no value"),
        ("metadata.accuracy>=high", "is not a number"),
        ("colour:red", "Unknown filter key 'colour'"),
        ('metadata.note:"open', "no closing quote"),
    ],
)
def test_a_rule_that_does_not_parse_is_a_one_line_422(
    as_user: dict[str, TestClient], iris: list[uuid.UUID], bad: str, words: str
) -> None:
    r = as_user["cory"].post(f"{API}/models/iris/rules", json={**RULE, "filter": bad})
    assert_one_line(r, 422)
    assert words in r.json()["detail"]
    assert r.headers["X-Waypost-Error"] == "FilterSyntaxError"
    assert as_user["cory"].get(f"{API}/models/iris/rules").json() == []
    as_user["cory"].post(f"{API}/models/iris/rules", json=RULE)
    patched = as_user["cory"].patch(f"{API}/models/iris/rules/good", json={"filter": bad})
    assert_one_line(patched, 422)


def test_permissions_on_rules(as_user: dict[str, TestClient], iris: list[uuid.UUID]) -> None:
    refused = as_user["vic"].post(f"{API}/models/iris/rules", json=RULE)
    assert_one_line(refused, 403)
    assert "'model:update'" in refused.json()["detail"]
    assert_one_line(as_user["nobody"].get(f"{API}/models/iris/rules"), 404)
    assert as_user["cory"].post(f"{API}/models/iris/rules", json=RULE).status_code == 201
    assert_one_line(as_user["vic"].delete(f"{API}/models/iris/rules/good"), 403)
    assert as_user["vic"].post(f"{API}/models/iris/rules/good/dry-run").status_code == 200  # a read
    assert_one_line(as_user["vic"].post(f"{API}/model-versions/{iris[1]}/rule-evaluations"), 403)


def test_dry_run_then_evaluation_through_approval(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: list[uuid.UUID]
) -> None:
    as_user["cory"].post(f"{API}/models/iris/rules", json=RULE)
    dry = as_user["vic"].post(f"{API}/models/iris/rules/good/dry-run").json()
    assert (dry["checked"], [m["version_name"] for m in dry["matches"]]) == (1, ["2"])
    assert server_store.models.transitions("iris").total == 0

    as_user["ann"].patch(f"{API}/models/iris/approval-policy", json={"stages": ["staging"], "approvals_required": 1})
    nothing = as_user["cory"].post(f"{API}/model-versions/{iris[2]}/rule-evaluations").json()
    assert (nothing["rule"], nothing["result"]) == (None, None)
    fired = as_user["cory"].post(f"{API}/model-versions/{iris[1]}/rule-evaluations").json()
    assert fired["rule"] == "good"
    request = fired["result"]["request"]
    assert (fired["result"]["outcome"], request["how"], request["rule"], request["requested_by"]) == (
        "pending",
        "rule",
        "good",
        None,
    )
    (asked,) = server_store.audit.list(action="model.stage_requested", size=5).items
    assert (asked.actor_name, asked.details["rule"], asked.details["how"]) == ("cory", "good", "rule")
    approved = as_user["ann"].post(f"{API}/model-requests/{request['id']}/approve", json={}).json()
    assert approved["status"] == "approved"
    (t,) = as_user["vic"].get(f"{API}/models/iris/transitions").json()["items"]
    assert (t["version_name"], t["to_stage"], t["how"], t["rule"]) == ("2", "staging", "approval", "good")
