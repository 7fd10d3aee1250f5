"""POST /runs/{run}/stop: the run and its running steps end as stopped; its launcher's heartbeat hears of it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from _access_world import person
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.enums import ExecutionStatus
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_run, make_step_run, start_step

API = "/api/v1"


@pytest.fixture
def as_user(server_app: FastAPI, server_store: SqlStore) -> Iterator[dict[str, TestClient]]:
    """Clients of ``vic`` (Viewer of the default project) and ``nobody`` (no role anywhere)."""
    person(server_store, "vic")
    server_store.access.grant("Viewer", user="vic", project="default/default")
    person(server_store, "nobody")
    clients = {}
    for name in ("vic", "nobody"):
        key = server_store.auth.create_api_key(server_store.users.get(name).id, "tests").key
        clients[name] = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    yield clients
    for c in clients.values():
        c.close()


def test_stopping_a_running_run_stops_it_and_its_running_steps(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store, name="long-run")
    make_step_run(server_store, run, "load")
    start_step(server_store, run, "train")
    beat = client.post(f"{API}/runs/{run.id}/heartbeat")
    assert (beat.status_code, beat.json()) == (200, {"active": True})

    r = client.post(f"{API}/runs/{run.id}/stop", json={"reason": "wrong data set"})

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == str(run.id)
    assert body["status"] == "stopped"
    assert body["status_reason"] == "Stopped by admin: wrong data set"
    assert body["ended_at"] is not None
    assert body["step_counts"] == {"completed": 1, "stopped": 1}
    train = client.get(f"{API}/runs/{run.id}/steps/train").json()
    assert train["status"] == "stopped"
    assert client.get(f"{API}/runs/{run.id}/steps/load").json()["status"] == "completed"
    # The launcher's next heartbeat is told, and its heartbeat time stays where the stop left it.
    beat = client.post(f"{API}/runs/{run.id}/heartbeat")
    assert (beat.status_code, beat.json()) == (200, {"active": False})

    events = server_store.audit.list(action="run.stopped", size=10).items
    assert [(e.actor_name, e.target) for e in events] == [("admin", "long-run")]
    assert events[0].details == {
        "id": str(run.id),
        "project": "default/default",
        "reason": "Stopped by admin: wrong data set",
    }


def test_a_run_is_stopped_by_name_without_a_body(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store, name="by-name", status=ExecutionStatus.INITIALIZING)
    r = client.post(f"{API}/runs/by-name/stop")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["status_reason"]) == ("stopped", "Stopped by admin")
    assert server_store.runs.get(run.id).status == ExecutionStatus.STOPPED


def test_stopping_a_run_that_ended_is_a_409(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store, name="twice")
    assert client.post(f"{API}/runs/{run.id}/stop").status_code == 200
    again = client.post(f"{API}/runs/{run.id}/stop", json={"reason": "again"})
    assert_one_line(again, 409)
    assert again.json()["detail"] == "Run 'twice' already ended (stopped); there is nothing to stop."
    assert server_store.runs.get(run.id).status_reason == "Stopped by admin"

    done = make_run(server_store, name="finished", status=ExecutionStatus.COMPLETED)
    r = client.post(f"{API}/runs/{done.id}/stop")
    assert_one_line(r, 409)
    assert r.json()["detail"] == "Run 'finished' already ended (completed); there is nothing to stop."
    assert server_store.runs.get(done.id).status == ExecutionStatus.COMPLETED
    assert server_store.audit.list(action="run.stopped", size=10).total == 1


def test_a_viewer_is_refused_and_a_hidden_run_is_not_found(
    client: TestClient, as_user: dict[str, TestClient], server_store: SqlStore
) -> None:
    run = make_run(server_store, name="guarded")
    refused = as_user["vic"].post(f"{API}/runs/{run.id}/stop")
    assert_one_line(refused, 403)
    assert "run:update" in refused.json()["detail"]
    hidden = as_user["nobody"].post(f"{API}/runs/{run.id}/stop")
    assert_one_line(hidden, 404)
    missing = uuid.uuid4()
    unknown = as_user["nobody"].post(f"{API}/runs/{missing}/stop")
    assert unknown.json()["detail"] == hidden.json()["detail"].replace(str(run.id), str(missing))  # not revealed
    assert server_store.runs.get(run.id).status == ExecutionStatus.RUNNING
    assert server_store.audit.list(action="run.stopped", size=10).total == 0
    assert client.post(f"{API}/runs/{run.id}/stop").status_code == 200


def test_bad_stop_requests_are_one_line_errors(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store)
    assert_one_line(client.post(f"{API}/runs/{run.id}/stop", json={"reason": "x" * 501}), 422)
    assert_one_line(client.post(f"{API}/runs/{run.id}/stop", json={"reason": 5}), 422)
    assert_one_line(client.post(f"{API}/runs/no-such-run/stop"), 404)
    assert server_store.runs.get(run.id).status == ExecutionStatus.RUNNING


def test_a_heartbeat_says_inactive_for_a_run_that_ended(client: TestClient, server_store: SqlStore) -> None:
    done = make_run(server_store, status=ExecutionStatus.COMPLETED)
    beat = client.post(f"{API}/runs/{done.id}/heartbeat")
    assert (beat.status_code, beat.json()) == (200, {"active": False})
