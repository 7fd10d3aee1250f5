"""The audit log over HTTP: filtered and paged for those who hold audit_log:read, exported as CSV, refused to others."""

from __future__ import annotations

import csv
import io

from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.store.sql.store import SqlStore

API = "/api/v1/audit-events"


def _member(server_app: FastAPI, server_store: SqlStore, name: str) -> TestClient:
    user = server_store.users.create(name, password="a long enough password")
    key = server_store.auth.create_api_key(user.id, "k").key
    return TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})


def test_admins_search_the_log_with_the_filter_language(client: TestClient, server_store: SqlStore) -> None:
    server_store.audit.record("login.failed", actor_name="mallory", target="ada", client_address="10.0.0.9")
    server_store.audit.record("login.succeeded", actor_name="ada", target="ada", client_address="10.0.0.1")
    server_store.audit.record("grant.created", actor_name="admin", target="ada", details={"role": "Viewer"})

    everything = client.get(API).json()
    assert everything["total"] == 3
    assert everything["items"][0]["action"] == "grant.created"  # newest first

    failed = client.get(API, params={"q": "action:login.failed"}).json()
    assert [(e["actor_name"], e["client_address"]) for e in failed["items"]] == [("mallory", "10.0.0.9")]
    by_actor = client.get(API, params={"q": "actor:ada created>1d", "sort": "action"}).json()
    assert [e["action"] for e in by_actor["items"]] == ["login.succeeded"]
    assert client.get(API, params={"size": 1, "page": 2}).json()["items"][0]["action"] == "login.succeeded"

    r = client.get(API, params={"q": "colour:red"})
    assert_one_line(r, 400)
    assert "colour" in r.json()["detail"]


def test_the_csv_export_holds_the_filtered_rows_and_defuses_formulas(
    client: TestClient, server_store: SqlStore
) -> None:
    server_store.audit.record("login.failed", actor_name="=HYPERLINK(evil)", target="ada", details={"n": 1})
    server_store.audit.record("api_key.created", actor_name="admin", target="admin")
    r = client.get(f"{API}/export.csv", params={"q": "action:login.failed"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["created_at", "action", "actor_name", "target", "client_address", "details"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["login.failed", "'=HYPERLINK(evil)", "ada", ""]
    assert rows[1][5] == '{"n":1}'


def test_members_cannot_read_the_log(server_app: FastAPI, server_store: SqlStore, client: TestClient) -> None:
    member = _member(server_app, server_store, "ada")
    for path in (API, f"{API}/export.csv"):
        r = member.get(path)
        assert_one_line(r, 403)
        assert "audit_log:read" in r.json()["detail"]
    # A custom organization role with the permission opens it.
    server_store.access.create_role("Auditor", "organization", ["audit_log:read"])
    server_store.access.grant("Auditor", user="ada")
    assert member.get(API).status_code == 200
