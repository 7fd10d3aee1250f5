"""POST /stacks/{stack}/worker-key: a dask orchestrator's worker_api_key, resolved, for whoever may run on the stack.

A real app over a real SQLite store. The stack lives in workspace ``ml``; its dask orchestrator's
``worker_api_key`` is ``{{secret.workers.key}}``. Running on it needs reading the stack and
``run:create`` in the request's project (``ml/vision``): a Contributor of ``ml`` gets the key; a
Viewer or a Stack Admin of ``ml`` (no run:create) a 403 naming the permission; someone holding
nothing in ``ml`` a 404; a project Contributor the key only once the stack is shared with them. A
stack without a dask orchestrator or without a worker_api_key is a one-line 422. Each key given
leaves an audit row that never holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.schemas.stacks import ComponentCreate, ComponentType, SecretCreate, StackCreate
from waypost.store.sql.store import SqlStore

API = "/api/v1"
PASSWORD = "a long enough password"
KEY = "wp-worker-key-7f3e91c2"
LITERAL = "wp-literal-key-55aa10"
ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE
PROJECT = {"X-Waypost-Project": "ml/vision"}


@pytest.fixture
def ml(server_store: SqlStore) -> SqlStore:
    """Workspace ml (project vision) with stacks: cluster (dask, key by reference), literal, nokey, plain."""
    store = server_store
    ws = store.access.create_workspace("ml").id
    store.access.create_project("vision", workspace="ml")
    store.stacks.create_secret(SecretCreate(name="workers", values={"key": KEY}), workspace_id=ws)
    dask = {"n_workers": 3, "server_url": "https://waypost.example.com", "worker_resources": {"GPU": 1}}
    for name, config in (
        ("dask-ref", {**dask, "worker_api_key": "{{secret.workers.key}}"}),
        ("dask-literal", {"worker_api_key": LITERAL}),
        ("dask-nokey", dask),
    ):
        store.stacks.create_component(
            ComponentCreate(name=name, type=ORCH, flavor="dask", config=config), workspace_id=ws
        )
    for stack, orchestrator in (
        ("cluster", "dask-ref"),
        ("literal", "dask-literal"),
        ("nokey", "dask-nokey"),
        ("plain", "default"),
    ):
        body = StackCreate(name=stack, components={ORCH: orchestrator, ART: "default"})
        store.stacks.create_stack(body, workspace_id=ws)
    return store


@contextmanager
def person(app: FastAPI, store: SqlStore, name: str, role: str | None = None, **scope: str) -> Iterator[TestClient]:
    """A user holding ``role`` at ``scope`` (workspace= or project=), with an API key; the project header set."""
    user = store.users.create(name, password=PASSWORD, is_admin=False)
    if role is not None:
        store.access.grant(role, user=name, **scope)
    key = store.auth.create_api_key(user.id, "tests").key
    headers = {"Authorization": f"Bearer {key}", **PROJECT}
    with TestClient(app, base_url=BASE_URL, headers=headers) as c:
        yield c


def issued(store: SqlStore) -> list[dict[str, object]]:
    return [
        {"actor": e.actor_name, "target": e.target, **(e.details or {})}
        for e in store.audit.list(action="stack.worker_key_issued", size=50).items
    ]


def test_a_contributor_of_the_workspace_gets_the_resolved_key_and_an_audit_row(
    server_app: FastAPI, ml: SqlStore
) -> None:
    with person(server_app, ml, "runner", "Contributor", workspace="ml") as runner:
        got = runner.post(f"{API}/stacks/cluster/worker-key")
        assert got.status_code == 200, got.text
        assert got.json() == {"api_key": KEY}
        # The stack as GET returns it still holds the reference, never the value.
        stack = runner.get(f"{API}/stacks/cluster").json()
        assert stack["components"]["orchestrator"]["config"]["worker_api_key"] == "{{secret.workers.key}}"
        assert KEY not in runner.get(f"{API}/stacks/cluster").text
        # A literal key is masked when read, and given out whole here.
        masked = runner.get(f"{API}/stacks/literal").json()["components"]["orchestrator"]["config"]
        assert masked["worker_api_key"] == "********"
        assert runner.post(f"{API}/stacks/literal/worker-key").json() == {"api_key": LITERAL}

    rows = issued(ml)
    assert [(r["actor"], r["target"], r["component"], r["project"]) for r in rows] == [
        ("runner", "literal", "dask-literal", "ml/vision"),
        ("runner", "cluster", "dask-ref", "ml/vision"),
    ]
    events = [e.model_dump_json() for e in ml.audit.list(size=500).items]
    assert not [e for e in events if KEY in e or LITERAL in e]


def test_who_may_not_run_on_the_stack_is_refused_and_nothing_is_recorded(server_app: FastAPI, ml: SqlStore) -> None:
    with person(server_app, ml, "watcher", "Viewer", workspace="ml") as watcher:
        refused = watcher.post(f"{API}/stacks/cluster/worker-key")
        assert_one_line(refused, 403)
        assert "'run:create'" in refused.json()["detail"]
        assert refused.headers["X-Waypost-Error"] == "ConfigurationError"  # a refusal, not a bad login
        assert KEY not in refused.text
    with person(server_app, ml, "stacker", "Stack Admin", workspace="ml") as stacker:
        assert stacker.get(f"{API}/stacks/cluster").status_code == 200  # may read it, may not run on it
        assert_one_line(stacker.post(f"{API}/stacks/cluster/worker-key"), 403)
    with person(server_app, ml, "outsider") as outsider:  # holds nothing in ml: it is not revealed
        assert_one_line(outsider.post(f"{API}/stacks/cluster/worker-key"), 404)
        assert_one_line(
            outsider.post(f"{API}/stacks/cluster/worker-key", headers={"X-Waypost-Project": "default"}), 404
        )
    assert issued(ml) == []


def test_a_project_contributor_needs_the_stack_shared(server_app: FastAPI, ml: SqlStore) -> None:
    with person(server_app, ml, "pia", "Contributor", project="ml/vision") as pia:
        refused = pia.post(f"{API}/stacks/cluster/worker-key")
        assert_one_line(refused, 403)
        assert "'stack:read'" in refused.json()["detail"]
        stack_id = ml.stacks.get_stack("cluster", workspace_id=ml.access.get_workspace("ml").id).id
        ml.access.share("stack", stack_id, role="Viewer", user="pia")
        got = pia.post(f"{API}/stacks/cluster/worker-key")
        assert got.status_code == 200, got.text
        assert got.json()["api_key"] == KEY


def test_a_stack_without_a_dask_worker_key_is_a_one_line_422(server_app: FastAPI, ml: SqlStore) -> None:
    with person(server_app, ml, "runner", "Contributor", workspace="ml") as runner:
        nokey = runner.post(f"{API}/stacks/nokey/worker-key")
        assert_one_line(nokey, 422)
        assert "has no worker_api_key" in nokey.json()["detail"]
        assert "dask-nokey" in nokey.json()["detail"]
        plain = runner.post(f"{API}/stacks/plain/worker-key")
        assert_one_line(plain, 422)
        assert "no dask orchestrator" in plain.json()["detail"]
        assert_one_line(runner.post(f"{API}/stacks/missing/worker-key"), 404)
    assert issued(ml) == []
