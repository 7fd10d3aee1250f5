"""Account events leave audit rows: login links, API keys created and revoked, logouts, service accounts."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL

from waypost.store.sql.store import SqlStore


def _actions(store: SqlStore, prefix: str) -> list[tuple[str, str | None, str | None]]:
    events = store.audit.list(action=prefix, size=100).items
    return [(e.action, e.actor_name, e.target) for e in reversed(events)]


def test_a_login_link_is_audited_like_a_password_login(server_app: FastAPI, server_store: SqlStore) -> None:
    user = server_store.users.create("ada", password="correct horse battery", is_admin=False)
    token = server_store.auth.create_login_token(user.id)
    with TestClient(server_app, base_url=BASE_URL, follow_redirects=False) as http:
        assert http.get(f"/login?token={token}").status_code == 303
        assert http.get(f"/login?token={token}").status_code == 401  # used once
    events = server_store.audit.list(action="login.succeeded", size=10).items
    assert [(e.actor_name, e.details.get("method")) for e in events] == [("ada", "login_link")]
    assert events[0].client_address is not None


def test_api_keys_and_service_accounts_are_audited(client: TestClient, server_store: SqlStore) -> None:
    created = client.post("/api/v1/auth/api-keys", json={"name": "laptop"})
    assert created.status_code == 201, created.text
    key_id = created.json()["id"]
    assert client.delete(f"/api/v1/auth/api-keys/{key_id}").status_code == 204

    account = client.post("/api/v1/auth/service-accounts", json={"name": "ci-bot"})
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    bot_key = client.post(f"/api/v1/auth/service-accounts/{account_id}/api-keys", json={"name": "ci"})
    assert bot_key.status_code == 201, bot_key.text
    revoked = client.delete(f"/api/v1/auth/service-accounts/{account_id}/api-keys/{bot_key.json()['id']}")
    assert revoked.status_code == 204
    assert client.delete(f"/api/v1/auth/service-accounts/{account_id}").status_code == 204

    assert _actions(server_store, "api_key.") == [
        ("api_key.created", "admin", "admin"),
        ("api_key.revoked", "admin", "admin"),
        ("api_key.created", "admin", "ci-bot"),
        ("api_key.revoked", "admin", "ci-bot"),
    ]
    assert _actions(server_store, "service_account.") == [
        ("service_account.created", "admin", "ci-bot"),
        ("service_account.deleted", "admin", "ci-bot"),
    ]
    keys = server_store.audit.list(action="api_key.", size=10).items
    assert all("key" not in e.details for e in keys)  # the secret itself is never written down
    assert {e.details["key_id"] for e in keys} == {key_id, bot_key.json()["id"]}


def test_deleting_a_run_is_audited_with_its_project(client: TestClient, server_store: SqlStore) -> None:
    from waypost.enums import ExecutionStatus
    from waypost.testing import make_run

    run = make_run(server_store, name="old-run", status=ExecutionStatus.COMPLETED)
    assert client.delete(f"/api/v1/runs/{run.id}").status_code == 204
    assert _actions(server_store, "run.") == [("run.deleted", "admin", "old-run")]
    event = server_store.audit.list(action="run.deleted", size=1).items[0]
    assert event.details == {"id": str(run.id), "project": "default/default", "status": "completed"}


def test_accounts_made_changed_and_deactivated_are_audited(client: TestClient, server_store: SqlStore) -> None:
    made = client.post("/api/v1/users", json={"name": "bea", "password": "a long enough password"})
    assert made.status_code == 201, made.text
    changed = client.patch("/api/v1/users/bea", json={"email": "bea@example.com", "is_admin": True})
    assert changed.status_code == 200, changed.text
    assert client.post("/api/v1/users/bea/deactivate").status_code == 200
    assert _actions(server_store, "user.") == [
        ("user.created", "admin", "bea"),
        ("user.updated", "admin", "bea"),
        ("user.deactivated", "admin", "bea"),
    ]
    rows = {e.action: e.details for e in server_store.audit.list(action="user.", size=10).items}
    # It names the fields changed, not their values (an email is personal data).
    assert rows["user.updated"] == {"fields": ["email", "is_admin"], "is_admin": True}
    assert all("password" not in str(d) for d in rows.values())
