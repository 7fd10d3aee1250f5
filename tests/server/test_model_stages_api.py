"""The model routes: a model's card and stage holders, PATCH of the card, PUT of a version's stage (permission,
409 for another holder, 422 for a bad stage, an audit row per change) and the transition history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from _access_world import person
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.store.sql.store import SqlStore

API = "/api/v1"


@pytest.fixture
def iris(server_store: SqlStore) -> str:
    """Model ``iris`` of the default project with versions 1, 2 and 3."""
    for _ in range(3):
        server_store.models.get_or_create_version("iris", None)
    return "iris"


@pytest.fixture
def as_user(server_app: FastAPI, server_store: SqlStore) -> Iterator[dict[str, TestClient]]:
    """Clients of ``dev`` (Developer), ``cory`` (Contributor), ``vic`` (Viewer) of default/default, ``nobody``."""
    roles = {"dev": "Developer", "cory": "Contributor", "vic": "Viewer", "nobody": None}
    clients = {}
    for name, role in roles.items():
        person(server_store, name)
        if role:
            server_store.access.grant(role, user=name, project="default/default")
        key = server_store.auth.create_api_key(server_store.users.get(name).id, "tests").key
        clients[name] = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    yield clients
    for c in clients.values():
        c.close()


def _stage(c: TestClient, model: str, version: str, stage: str, **extra: object) -> httpx.Response:
    return c.put(f"{API}/models/{model}/versions/{version}/stage", json={"stage": stage, **extra})


def test_promoting_records_the_change_and_an_audit_row(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: str
) -> None:
    r = _stage(as_user["dev"], iris, "2", "production", reason="best f1")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["stage"]) == ("2", "production")
    assert body["stage_since"] is not None

    model = as_user["vic"].get(f"{API}/models/{iris}").json()
    assert (model["stages"], model["version_count"], model["latest_version"]) == ({"production": "2"}, 3, "3")
    history = as_user["vic"].get(f"{API}/models/{iris}/transitions").json()
    assert history["total"] == 1
    (t,) = history["items"]
    assert (t["version_name"], t["from_stage"], t["to_stage"], t["how"]) == ("2", "none", "production", "manual")
    assert (t["user_name"], t["reason"]) == ("dev", "best f1")

    (event,) = server_store.audit.list(action="model.stage_changed", size=10).items
    assert (event.actor_name, event.target) == ("dev", "iris:2")
    assert event.details == {
        "model": "iris",
        "version": "2",
        "number": 2,
        "from": "none",
        "to": "production",
        "archived": [],
        "force": False,
        "reason": "best f1",
        "project": "default/default",
    }
    # The stage it is in already: a 200 that changes and records nothing.
    again = _stage(as_user["dev"], iris, "2", "production")
    assert again.status_code == 200
    assert server_store.audit.list(action="model.stage_changed", size=10).total == 1
    assert server_store.models.transitions(iris).total == 1


def test_another_holder_is_a_409_unless_forced(client: TestClient, server_store: SqlStore, iris: str) -> None:
    assert _stage(client, iris, "1", "production").status_code == 200
    refused = _stage(client, iris, "3", "production")
    assert_one_line(refused, 409)
    detail = refused.json()["detail"]
    assert "Version 1 of model 'iris' is in production" in detail
    assert "--force" in detail
    assert refused.headers["X-Waypost-Error"] == "ConflictError"
    assert server_store.models.get_version(iris, "3").stage.value == "none"

    forced = _stage(client, iris, "3", "production", force=True, reason="retrained")
    assert forced.json()["stage"] == "production"
    assert server_store.models.get(iris).stages == {"production": "3"}
    assert server_store.models.get_version(iris, "1").stage.value == "archived"
    newest = server_store.audit.list(action="model.stage_changed", size=10).items[0]
    assert (newest.target, newest.details["archived"], newest.details["force"]) == ("iris:3", ["1"], True)
    history = client.get(f"{API}/models/{iris}/transitions", params={"size": 2}).json()
    assert (history["total"], [t["version_name"] for t in history["items"]]) == (3, ["3", "1"])
    assert history["items"][1]["reason"] == "replaced by version 3"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"stage": "latest"}, "stage"),
        ({"stage": "prod"}, "stage"),
        ({}, "stage"),
        ({"stage": "staging", "reason": "x" * 2001}, "reason"),
        ({"stage": "staging", "how": "rule"}, "how"),
    ],
)
def test_a_bad_stage_change_is_a_one_line_422(
    client: TestClient, server_store: SqlStore, iris: str, body: dict[str, object], fragment: str
) -> None:
    r = client.put(f"{API}/models/{iris}/versions/1/stage", json=body)
    assert_one_line(r, 422)
    assert fragment in r.json()["detail"]
    assert server_store.models.transitions(iris).total == 0


def test_unknown_versions_and_models_are_one_line_404s(client: TestClient, iris: str) -> None:
    r = _stage(client, iris, "9.9.9", "staging")
    assert_one_line(r, 404)
    assert r.json()["detail"] == (
        "Model 'iris' has no version '9.9.9'; run `waypost model versions iris` to see its versions."
    )
    for missing in (_stage(client, "nope", "1", "staging"), client.get(f"{API}/models/nope")):
        assert_one_line(missing, 404)
        assert "nope" in missing.json()["detail"]


def test_promote_needs_model_promote_and_hidden_models_stay_hidden(
    as_user: dict[str, TestClient], server_store: SqlStore, iris: str
) -> None:
    for name in ("cory", "vic"):
        refused = _stage(as_user[name], iris, "1", "staging")
        assert_one_line(refused, 403)
        assert "'model:promote'" in refused.json()["detail"]
    hidden = _stage(as_user["nobody"], iris, "1", "staging")
    assert_one_line(hidden, 404)
    unknown = _stage(as_user["nobody"], "ghost", "1", "staging")
    assert hidden.json()["detail"] == unknown.json()["detail"].replace("ghost", iris)
    assert as_user["nobody"].get(f"{API}/models/{iris}").status_code == 404
    assert as_user["nobody"].get(f"{API}/models/{iris}/transitions").status_code == 404
    assert server_store.models.transitions(iris).total == 0
    assert server_store.audit.list(action="model.stage_changed", size=10).total == 0


def test_patch_changes_the_card_with_model_update(as_user: dict[str, TestClient], iris: str) -> None:
    card = {"license": "MIT", "use_cases": "## Uses\n\nflowers", "metric_directions": {"accuracy": "higher"}}
    r = as_user["cory"].patch(f"{API}/models/{iris}", json=card)
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in card} == card
    again = as_user["cory"].patch(f"{API}/models/{iris}", json={"license": None, "ethics": "none known"})
    assert (again.json()["license"], again.json()["ethics"], again.json()["use_cases"]) == (
        None,
        "none known",
        "## Uses\n\nflowers",
    )
    assert again.json()["metric_directions"] == {"accuracy": "higher"}
    refused = as_user["vic"].patch(f"{API}/models/{iris}", json={"license": "GPL"})
    assert_one_line(refused, 403)
    assert "'model:update'" in refused.json()["detail"]
    for bad in ({"metric_directions": {"accuracy": "up"}}, {"license": "x" * 100_001}, {"owner": "me"}):
        assert_one_line(as_user["cory"].patch(f"{API}/models/{iris}", json=bad), 422)
    assert as_user["vic"].get(f"{API}/models/{iris}").json()["license"] is None


def test_the_models_list_shows_holders_and_counts(client: TestClient, server_store: SqlStore, iris: str) -> None:
    server_store.models.set_stage(iris, "1", "staging")
    server_store.models.set_stage(iris, "2", "production")
    (listed,) = client.get(f"{API}/models", params={"q": "name:iris"}).json()["items"]
    assert (listed["stages"], listed["version_count"], listed["latest_version"]) == (
        {"staging": "1", "production": "2"},
        3,
        "3",
    )
    by_id = client.get(f"{API}/models/{listed['id']}/versions/production").json()
    assert (by_id["name"], by_id["stage"]) == ("2", "production")
    assert client.get(f"{API}/models/{iris}/versions/{uuid.uuid4()}").status_code == 404
