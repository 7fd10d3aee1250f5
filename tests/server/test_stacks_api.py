"""The stacks API through a real app and store: components, stacks, secrets, connectors, verify, active stacks.

A Stack Admin registers everything and no answer ever holds a secret's value; a workspace
Developer reads stacks but changes nothing, and each refusal names the permission and the
workspace; a workspace the caller holds nothing in is a 404; bad input is a one-line 422 that
changes nothing; verify answers 200 with the exact failure (masked) even when the flavor hangs
or crashes; every change leaves an audit row without values; a run's stack snapshot reads back.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field
from server_support import BASE_URL, assert_one_line

from waypost.schemas.runs import RunCreate
from waypost.schemas.stacks import ComponentType
from waypost.server.services import stacks as stacks_service
from waypost.stacks.flavors import ConnectorCredentials, Flavor, VerifyError, register, secret_field
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_pipeline, make_spec

API = "/api/v1"
PASSWORD = "a long enough password"
VALUE = "xq-The-Secret-Value-9931"
KEY_ID = "AKIA-KEY-ID-4471"


class ProbeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = secret_field("Where to reach.")
    mode: str = Field(default="ok", pattern="^(ok|refuse|hang|crash)$", description="How verify behaves.")


class ProbeTracker(Flavor):
    """A flavor registered the way a plug-in's would be, whose verify does what its config says."""

    type: ClassVar[ComponentType] = ComponentType.EXPERIMENT_TRACKER
    name: ClassVar[str] = "probe-test"
    description: ClassVar[str] = "A test flavor."
    config: ClassVar[type[BaseModel]] = ProbeConfig

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        assert isinstance(config, ProbeConfig)
        if config.mode == "refuse":
            raise VerifyError(f"{config.url} refused the connection")
        if config.mode == "hang":
            time.sleep(3)
        if config.mode == "crash":
            raise RuntimeError(f"boom while talking to {config.url}")
        return f"probe {config.url}"


register(ProbeTracker)


class Recorder:
    """A client that keeps every answer's body, to search them all for secret values."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.bodies: list[str] = []

    def __call__(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        r = self.client.request(method, API + path, **kw)
        self.bodies.append(r.text)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None


def _as(app: FastAPI, store: SqlStore, name: str, role: str | None = None, workspace: str = "default") -> TestClient:
    user = store.users.create(name, password=PASSWORD, is_admin=False)
    if role is not None:
        store.access.grant(role, user=name, workspace=workspace)
    key = store.auth.create_api_key(user.id, "tests").key
    return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def admin(server_app: FastAPI, server_store: SqlStore) -> Iterator[Recorder]:
    """A workspace Stack Admin of default (not an organization Admin)."""
    with _as(server_app, server_store, "stacky", "Stack Admin") as c:
        yield Recorder(c)


@pytest.fixture
def ada(server_app: FastAPI, server_store: SqlStore) -> Iterator[TestClient]:
    """A Developer of the default workspace (every new user is one): stack:read, nothing more."""
    with _as(server_app, server_store, "ada") as c:
        yield c


def test_a_full_flow_never_answers_a_secret_value(admin: Recorder, server_store: SqlStore) -> None:
    call = admin
    flavors = call("GET", "/flavors", params={"type": "artifact_store"})
    assert {f["name"] for f in flavors} >= {"local", "s3", "fsspec"}
    s3 = call("GET", "/flavors/artifact_store/s3")
    assert s3["config_schema"]["properties"]["secret"]["writeOnly"] is True
    assert s3["connector_types"] == ["aws"]

    secret = call("POST", "/secrets", 201, json={"name": "aws", "values": {"secret": VALUE, "key": KEY_ID}})
    assert secret["keys"] == ["key", "secret"]
    call("GET", "/secrets")
    call("GET", "/secrets/aws")
    call("PATCH", "/secrets/aws", json={"values": {"extra": VALUE + "-2"}})
    connector = call(
        "POST",
        "/connectors",
        201,
        json={
            "name": "minio",
            "type": "aws",
            "config": {"access_key_id": KEY_ID, "secret_access_key": VALUE, "endpoint_url": "http://127.0.0.1:9"},
        },
    )
    assert connector["secret_fields"] == ["access_key_id", "secret_access_key"]
    call("PATCH", "/connectors/minio", json={"config": {"region": "eu-west-1"}})
    call("GET", "/connectors")
    call("GET", "/connectors/minio")

    bucket = call(
        "POST",
        "/components",
        201,
        json={
            "name": "bucket",
            "type": "artifact_store",
            "flavor": "s3",
            "config": {"path": "s3://bucket-a/p", "key": KEY_ID, "secret": "{{secret.aws.secret}}"},
            "connector": "minio",
        },
    )
    assert bucket["config"] == {"path": "s3://bucket-a/p", "key": "********", "secret": "{{secret.aws.secret}}"}
    assert bucket["connector"] == "minio"
    probe = call(
        "POST",
        "/components",
        201,
        json={
            "name": "probe",
            "type": "experiment_tracker",
            "flavor": "probe-test",
            "config": {"url": "https://{{secret.aws.secret}}/x", "mode": "refuse"},
        },
    )
    assert probe["config"]["url"] == "********"  # a secret field holding more than a reference is masked
    call("PATCH", "/components/bucket", json={"config": {**bucket["config"], "region": "eu-west-1"}})
    listed = call("GET", "/components", params={"type": "artifact_store"})
    assert [c["name"] for c in listed["items"]] == ["bucket", "default"]
    call("GET", "/components/bucket", params={"type": "artifact_store"})

    failed = call("POST", "/components/probe/verify")
    assert failed["ok"] is False
    assert failed["message"] == "******** refused the connection"
    unsaved = call(
        "POST",
        "/components/verify",
        json={"name": "p2", "type": "experiment_tracker", "flavor": "probe-test", "config": {"url": VALUE}},
    )
    assert unsaved == {**unsaved, "ok": True, "resource": "probe ********"}
    assert call("GET", "/components", params={"type": "experiment_tracker"})["total"] == 1  # nothing saved

    stack = call(
        "POST",
        "/stacks",
        201,
        json={
            "name": "cloud",
            "components": {"orchestrator": "default", "artifact_store": "bucket", "experiment_tracker": "probe"},
        },
    )
    assert set(stack["components"]) == {"orchestrator", "artifact_store", "experiment_tracker"}
    call("GET", "/stacks")
    call("GET", "/stacks/cloud")
    call("PATCH", "/stacks/cloud", json={"description": "S3"})
    call("POST", "/stacks/cloud/copy", 201, json={"name": "cloud-2"})
    results = call("POST", "/stacks/cloud/verify")
    assert set(results) == {"orchestrator", "artifact_store", "experiment_tracker"}
    assert results["experiment_tracker"]["ok"] is False
    assert "********" in results["experiment_tracker"]["message"]
    active = call("PUT", "/stacks/active", json={"stack": "cloud"})
    assert active["name"] == "cloud"
    assert active["active_for"] == ["stacky"]
    assert call("GET", "/stacks/active")["name"] == "cloud"
    call("POST", "/connectors/minio/verify", json={})

    everything = "\n".join(admin.bodies)
    assert VALUE not in everything
    assert KEY_ID not in everything
    events = server_store.audit.list(size=500).items
    assert VALUE not in repr(events)
    assert KEY_ID not in repr(events)
    actions = {e.action for e in events}
    assert {
        "secret.created",
        "secret.updated",
        "connector.created",
        "connector.updated",
        "component.created",
        "component.updated",
        "stack.created",
        "stack.updated",
    } <= actions

    for path in ("/stacks/cloud-2", "/stacks/cloud"):
        call("DELETE", path, 204)
    call("DELETE", "/components/probe", 204, params={"type": "experiment_tracker"})
    call("DELETE", "/components/bucket", 204)
    call("DELETE", "/connectors/minio", 204)
    call("DELETE", "/secrets/aws", 204)
    actions = {e.action for e in server_store.audit.list(size=500).items}
    assert {"stack.deleted", "component.deleted", "connector.deleted", "secret.deleted"} <= actions
    assert call("GET", "/stacks/active")["name"] == "default"  # the deleted active stack falls back


def test_verify_answers_200_when_the_flavor_hangs_or_crashes(admin: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stacks_service, "VERIFY_TIMEOUT_S", 0.5)
    admin("POST", "/secrets", 201, json={"name": "hook", "values": {"url": VALUE}})
    for mode in ("hang", "crash"):
        body = {
            "name": mode,
            "type": "experiment_tracker",
            "flavor": "probe-test",
            "config": {"url": "{{secret.hook.url}}", "mode": mode},
        }
        started = time.monotonic()
        result = admin("POST", "/components/verify", json=body)
        assert time.monotonic() - started < 2.5
        assert result["ok"] is False
        assert VALUE not in result["message"]
    assert admin.bodies[-1].count("RuntimeError: boom while talking to ********") == 1
    assert "No answer within 0.5 s" in admin.bodies[-2]


def test_bad_input_is_a_one_line_422_that_saves_nothing(admin: Recorder) -> None:
    c = admin.client
    r = c.post(
        f"{API}/components",
        json={"name": "b", "type": "artifact_store", "flavor": "s3", "config": {"path": "nope"}},
    )
    assert_one_line(r, 422)
    assert "'path'" in r.json()["detail"]
    r = c.post(
        f"{API}/components",
        json={"name": "b", "type": "alerter", "flavor": "slack", "config": {"webhook_url": "{{secret.missing.url}}"}},
    )
    assert_one_line(r, 422)
    assert "no secret 'missing'" in r.json()["detail"]
    r = c.post(f"{API}/stacks", json={"name": "half", "components": {"orchestrator": "default"}})
    assert_one_line(r, 422)
    assert "artifact store" in r.json()["detail"]
    r = c.delete(f"{API}/stacks/default")
    assert_one_line(r, 422)
    r = c.delete(f"{API}/components/default", params={"type": "orchestrator"})
    assert_one_line(r, 422)
    assert "'default'" in r.json()["detail"]
    r = c.delete(f"{API}/components/default")
    assert_one_line(r, 422)
    assert "name the type" in r.json()["detail"]
    r = c.get(f"{API}/stacks/nope")
    assert_one_line(r, 404)
    r = c.post(f"{API}/connectors/verify", json={"name": "x", "type": "aws", "config": {"bad": 1}})
    assert_one_line(r, 422)
    assert c.get(f"{API}/components").json()["total"] == 2
    assert c.get(f"{API}/stacks").json()["total"] == 1


def test_refusals_name_the_permission_and_the_workspace(
    ada: TestClient, admin: Recorder, client: TestClient, server_app: FastAPI, server_store: SqlStore
) -> None:
    assert ada.get(f"{API}/stacks").json()["items"][0]["name"] == "default"
    assert ada.get(f"{API}/components").status_code == 200
    for method, path, body, permission in (
        ("POST", "/stacks", {"name": "x", "components": {"orchestrator": "default"}}, "stack:create"),
        ("PATCH", "/stacks/default", {"description": "x"}, "stack:update"),
        ("DELETE", "/components/default?type=orchestrator", None, "stack:delete"),
        ("GET", "/secrets", None, "secret:read"),
        ("POST", "/secrets", {"name": "s", "values": {"k": "v"}}, "secret:create"),
    ):
        r = ada.request(method, API + path, json=body)
        assert_one_line(r, 403)
        assert f"'{permission}'" in r.json()["detail"]
        assert "workspace 'default'" in r.json()["detail"]
    assert ada.get(f"{API}/stacks/active").json()["name"] == "default"
    assert ada.put(f"{API}/stacks/active", json={"stack": "default"}).status_code == 200

    # Writing a secret reference needs secret:read: a Developer given stack:create by a custom role may not.
    client.post(f"{API}/roles", json={"name": "Builder", "level": "workspace", "permissions": ["stack:create"]})
    with _as(server_app, server_store, "bob", "Builder") as bob:
        admin("POST", "/secrets", 201, json={"name": "hook", "values": {"url": VALUE}})
        body = {"name": "h", "type": "alerter", "flavor": "slack", "config": {"webhook_url": "{{secret.hook.url}}"}}
        r = bob.post(f"{API}/components", json=body)
        assert_one_line(r, 403)
        assert "'secret:read'" in r.json()["detail"]

    # A workspace the caller holds nothing in is not revealed.
    client.post(f"{API}/workspaces", json={"name": "ml"})
    assert client.get(f"{API}/stacks", params={"workspace": "ml"}).json()["items"][0]["is_default"] is True
    r = ada.get(f"{API}/stacks", params={"workspace": "ml"})
    assert_one_line(r, 404)
    assert r.json()["detail"] == client.get(f"{API}/stacks", params={"workspace": "nowhere"}).json()["detail"].replace(
        "nowhere", "ml"
    )


def test_a_run_reads_back_its_stack_snapshot(client: TestClient, server_store: SqlStore) -> None:
    pipe = make_pipeline(server_store)
    snap = server_store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    stack = server_store.stacks.snapshot("default")
    with_stack = server_store.runs.create(
        RunCreate(
            name=f"r-{uuid.uuid4().hex[:8]}",
            pipeline_id=pipe.id,
            snapshot_id=snap.id,
            stack_id=stack.id,
            stack_snapshot=stack,
            started_at=datetime.now(UTC),
        )
    )
    without = server_store.runs.create(
        RunCreate(name=f"r-{uuid.uuid4().hex[:8]}", pipeline_id=pipe.id, snapshot_id=snap.id)
    )
    got = client.get(f"{API}/runs/{with_stack.id}/stack")
    assert got.status_code == 200, got.text
    assert got.json()["name"] == "default"
    assert set(got.json()["components"]) == {"orchestrator", "artifact_store"}
    r = client.get(f"{API}/runs/{without.name}/stack")
    assert_one_line(r, 404)
    assert "recorded no stack" in r.json()["detail"]
    assert_one_line(client.get(f"{API}/runs/{uuid.uuid4()}/stack"), 404)
