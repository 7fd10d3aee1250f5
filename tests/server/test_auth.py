"""Login, logout, password change, API keys and service accounts, against a real app and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL

from waypost.store.sql.store import SqlStore

ME = "/api/v1/auth/me"


def login(app: FastAPI, username: str = "admin", password: str = ADMIN_PASSWORD) -> tuple[TestClient, str]:
    """A cookie-authenticated client and its CSRF token."""
    c = TestClient(app, base_url=BASE_URL)
    r = c.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return c, r.json()["csrf_token"]


def assert_one_line(r: object, status: int) -> None:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    detail = r.json()["detail"]  # type: ignore[attr-defined]
    assert isinstance(detail, str)
    assert "\n" not in detail
    assert "Traceback" not in detail


def test_login_sets_a_strict_httponly_cookie(server_app: FastAPI, admin_user_id: str) -> None:
    c = TestClient(server_app, base_url=BASE_URL)
    r = c.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200
    session = next(h for h in r.headers.get_list("set-cookie") if h.startswith("waypost_session_8742="))
    assert "HttpOnly" in session
    assert "SameSite=strict" in session or "SameSite=Strict" in session
    assert "Path=/" in session
    assert "Secure" not in session  # plain http on loopback
    me = c.get(ME)
    assert me.status_code == 200
    assert me.json()["user"]["name"] == "admin"
    assert me.json()["via"] == "session"
    assert me.json()["csrf_token"] == r.json()["csrf_token"]


def test_cookie_is_secure_over_https(server_app: FastAPI, admin_user_id: str) -> None:
    c = TestClient(server_app, base_url="https://127.0.0.1")
    r = c.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert all("Secure" in h for h in r.headers.get_list("set-cookie"))


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong password"), ("nobody", ADMIN_PASSWORD)])
def test_wrong_credentials_get_one_line_401(
    anon_client: TestClient, admin_user_id: str, username: str, password: str
) -> None:
    r = anon_client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert_one_line(r, 401)
    assert r.json()["detail"] == "Wrong username or password."
    assert "set-cookie" not in r.headers


def test_logout_ends_the_session(server_app: FastAPI, admin_user_id: str) -> None:
    c, csrf = login(server_app)
    cookie = c.cookies.get("waypost_session_8742")
    assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    c.cookies.set("waypost_session_8742", cookie or "")  # a stolen copy of the cookie no longer works
    assert_one_line(c.get(ME), 401)


def test_cookie_post_needs_the_csrf_header(server_app: FastAPI, admin_user_id: str) -> None:
    c, csrf = login(server_app)
    body = {"name": "ci-bot"}
    assert_one_line(c.post("/api/v1/auth/service-accounts", json=body), 403)
    assert_one_line(c.post("/api/v1/auth/service-accounts", json=body, headers={"X-CSRF-Token": "x" * 64}), 403)
    r = c.post("/api/v1/auth/service-accounts", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    assert c.get(ME).status_code == 200  # reads need no token


def test_bearer_needs_no_csrf(client: TestClient) -> None:
    r = client.post("/api/v1/auth/service-accounts", json={"name": "ci-bot"})
    assert r.status_code == 201, r.text
    assert client.get(ME).json()["via"] == "api_key"


def test_password_change_ends_other_sessions_and_keys(
    server_app: FastAPI, server_store: SqlStore, admin_key: str
) -> None:
    first, csrf = login(server_app)
    second, _ = login(server_app)
    keyed = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {admin_key}"})
    assert keyed.get(ME).status_code == 200
    new = "a brand new password"
    r = first.post(
        "/api/v1/auth/password",
        json={"current_password": ADMIN_PASSWORD, "new_password": new},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 204, r.text
    assert first.get(ME).status_code == 200  # the session that changed it goes on
    assert_one_line(second.get(ME), 401)
    assert_one_line(keyed.get(ME), 401)
    assert server_store.users.verify_password("admin", ADMIN_PASSWORD) is None
    login(server_app, password=new)


def test_password_change_checks_the_current_one(server_app: FastAPI, admin_user_id: str) -> None:
    c, csrf = login(server_app)
    body = {"current_password": "not it at all", "new_password": "a brand new password"}
    assert_one_line(c.post("/api/v1/auth/password", json=body, headers={"X-CSRF-Token": csrf}), 403)
    body = {"current_password": ADMIN_PASSWORD, "new_password": "short"}
    assert_one_line(c.post("/api/v1/auth/password", json=body, headers={"X-CSRF-Token": csrf}), 422)


def test_service_account_keys_are_shown_once_and_revocable(client: TestClient, server_app: FastAPI) -> None:
    account = client.post("/api/v1/auth/service-accounts", json={"name": "ci-bot"}).json()
    base = f"/api/v1/auth/service-accounts/{account['id']}/api-keys"
    created = client.post(base, json={"name": "ci"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    listed = client.get(base).json()
    assert [k["id"] for k in listed] == [created.json()["id"]]
    assert "key" not in listed[0]
    bot = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    assert bot.get(ME).json()["user"]["name"] == "ci-bot"
    assert_one_line(bot.get("/api/v1/auth/service-accounts"), 403)  # not an admin
    assert client.delete(f"{base}/{created.json()['id']}").status_code == 204
    assert_one_line(bot.get(ME), 401)


def test_expired_and_garbage_keys_get_401(server_app: FastAPI, server_store: SqlStore, admin_user_id: str) -> None:
    user = server_store.users.get("admin")
    expired = server_store.auth.create_api_key(user.id, "old", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    for header in (f"Bearer {expired.key}", "Bearer wpk_nope_nope", "Bearer ", "Basic abc"):
        c = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": header})
        r = c.get(ME)
        assert_one_line(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"


def test_deactivated_user_is_refused_at_once(server_app: FastAPI, server_store: SqlStore, admin_key: str) -> None:
    session, _ = login(server_app)
    keyed = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {admin_key}"})
    assert session.get(ME).status_code == 200
    assert keyed.get(ME).status_code == 200
    server_store.users.create("backup", password="backup's password", is_admin=True)  # the last admin stays
    server_store.users.set_active(server_store.users.get("admin").id, False)
    assert_one_line(session.get(ME), 401)
    assert_one_line(keyed.get(ME), 401)
    assert_one_line(session.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}), 401)


def test_non_admin_cannot_manage_service_accounts(server_app: FastAPI, server_store: SqlStore) -> None:
    server_store.users.create("alice", password="alice's password")
    c, csrf = login(server_app, "alice", "alice's password")
    assert c.get(ME).json()["user"]["is_admin"] is False
    assert_one_line(c.post("/api/v1/auth/service-accounts", json={"name": "x"}, headers={"X-CSRF-Token": csrf}), 403)


def test_no_empty_or_short_passwords(server_store: SqlStore) -> None:
    from waypost.exceptions import ParameterError

    for password in ("", "short", None):
        with pytest.raises(ParameterError):
            server_store.users.create("bob", password=password)
