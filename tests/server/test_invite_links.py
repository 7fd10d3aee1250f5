"""Invites by one-time login link: who may make them, what they open, once, and what the audit log keeps."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from _access_world import PASSWORD, person
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line, serve

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

USERS = "/api/v1/users"
ME = "/api/v1/auth/me"


@pytest.fixture
def live(server_app: FastAPI, admin_key: str) -> Iterator[tuple[str, httpx.Client]]:
    """The app served on a loopback port, and an httpx client of the admin (bearer API key)."""
    with serve(server_app) as url, httpx.Client(base_url=url, headers={"Authorization": f"Bearer {admin_key}"}) as c:
        yield url, c


def _token(url: str) -> str:
    return httpx.URL(url).params["token"]


def test_an_invite_logs_the_new_person_in_once_and_they_set_a_password(
    live: tuple[str, httpx.Client], server_store: SqlStore
) -> None:
    url, admin = live
    r = admin.post(f"{USERS}/invitations", json={"name": "ana", "full_name": "Ana Lima", "email": "ana@example.com"})
    assert r.status_code == 201, r.text
    invite = r.json()
    assert invite["user"]["name"] == "ana"
    assert invite["url"].startswith(f"{url}/login?token=")  # this server's own login page, as it was reached
    expires = datetime.fromisoformat(invite["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)

    with httpx.Client(follow_redirects=False) as browser:
        opened = browser.get(invite["url"])
        assert opened.status_code == 303, opened.text
        me = browser.get(f"{url}{ME}").json()
        assert (me["user"]["name"], me["has_password"]) == ("ana", False)
        assert browser.get(invite["url"]).status_code == 401  # used once
        csrf = {"X-CSRF-Token": me["csrf_token"]}
        set_first = browser.post(f"{url}/api/v1/auth/password", json={"new_password": PASSWORD}, headers=csrf)
        assert set_first.status_code == 204, set_first.text
        assert browser.get(f"{url}{ME}").json()["has_password"] is True
        # From now on the current password is needed, as for everyone.
        again = browser.post(f"{url}/api/v1/auth/password", json={"new_password": "another long one"}, headers=csrf)
        assert_one_line(again, 422)
        assert "current password" in again.json()["detail"]
    with httpx.Client() as other:
        assert other.post(f"{url}/api/v1/auth/login", json={"username": "ana", "password": PASSWORD}).is_success
    assert server_store.users.get("ana").email == "ana@example.com"


def test_a_fresh_link_for_a_member_replaces_nothing_and_works_once(
    live: tuple[str, httpx.Client], server_store: SqlStore
) -> None:
    url, admin = live
    person(server_store, "bo")
    first = admin.post(f"{USERS}/bo/login-link")
    assert first.status_code == 201, first.text
    by_id = admin.post(f"{USERS}/{server_store.users.get('bo').id}/login-link")
    assert by_id.status_code == 201, by_id.text
    with httpx.Client(follow_redirects=False) as browser:
        for link in (first.json()["url"], by_id.json()["url"]):  # each link works, once
            assert browser.get(link).status_code == 303
            assert browser.get(link).status_code == 401
    # bo has a password: logging in by link leaves it as it is.
    with httpx.Client() as other:
        assert other.post(f"{url}/api/v1/auth/login", json={"username": "bo", "password": PASSWORD}).is_success


def test_links_follow_the_base_path(server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path) -> None:
    settings = server_settings.model_copy(
        update={"server": server_settings.server.model_copy(update={"base_path": "/wp", "invite_ttl_s": 3600})}
    )
    admin = server_store.users.create("admin", password=PASSWORD, is_admin=True)
    key = server_store.auth.create_api_key(admin.id, "tests").key
    app = create_app(settings, server_store, ArtifactStore(str(tmp_path / "artifacts")))
    with TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}) as c:
        r = c.post(f"/wp{USERS}/invitations", json={"name": "cy"})
        assert r.status_code == 201, r.text
        assert r.json()["url"].startswith(f"{BASE_URL}/wp/login?token=")
        expires = datetime.fromisoformat(r.json()["expires_at"])
        assert abs(expires - (datetime.now(UTC) + timedelta(hours=1))) < timedelta(minutes=1)
        with TestClient(app, base_url=BASE_URL, follow_redirects=False) as browser:
            opened = browser.get(r.json()["url"])
            assert (opened.status_code, opened.headers["location"]) == (303, "/wp/")


def test_only_those_who_manage_members_make_links(
    server_app: FastAPI, server_store: SqlStore, client: TestClient
) -> None:
    person(server_store, "vi")
    server_store.access.grant("Viewer", user="vi")
    person(server_store, "mo")
    person(server_store, "ma")
    server_store.access.grant("Manager", user="ma")
    for name in ("vi", "mo"):  # an organization Viewer, a plain organization Member
        key = server_store.auth.create_api_key(server_store.users.get(name).id, "k").key
        with TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}) as c:
            for r in (c.post(f"{USERS}/invitations", json={"name": f"by-{name}"}), c.post(f"{USERS}/mo/login-link")):
                assert_one_line(r, 403)
                assert "'member:manage_members'" in r.json()["detail"]
    assert not server_store.users.exists("by-vi")
    # A Manager manages members, but may not log in as an admin: that needs an organization Admin.
    key = server_store.auth.create_api_key(server_store.users.get("ma").id, "k").key
    with TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}) as c:
        assert c.post(f"{USERS}/mo/login-link").status_code == 201
        refused = c.post(f"{USERS}/admin/login-link")
        assert_one_line(refused, 403)
        assert "organization Admin" in refused.json()["detail"]


def test_service_accounts_deactivated_and_unknown_users_get_no_link(client: TestClient, server_store: SqlStore) -> None:
    assert client.post("/api/v1/auth/service-accounts", json={"name": "ci-bot"}).status_code == 201
    refused = client.post(f"{USERS}/ci-bot/login-link")
    assert_one_line(refused, 409)
    assert "API key" in refused.json()["detail"]
    person(server_store, "gone")
    assert client.post(f"{USERS}/gone/deactivate").status_code == 200
    assert_one_line(client.post(f"{USERS}/gone/login-link"), 409)
    assert_one_line(client.post(f"{USERS}/nobody/login-link"), 404)
    taken = client.post(f"{USERS}/invitations", json={"name": "gone"})
    assert_one_line(taken, 409)
    assert "login-link" in taken.json()["detail"]
    assert_one_line(client.post(f"{USERS}/invitations", json={"name": "../x"}), 422)
    assert_one_line(client.post(f"{USERS}/invitations", json={"name": "zed", "password": PASSWORD}), 422)
    # A person still needs a password when created directly rather than invited.
    assert_one_line(client.post(USERS, json={"name": "zed"}), 422)


def test_the_audit_log_names_the_user_never_the_token(
    client: TestClient, server_store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    person(server_store, "bo")
    with caplog.at_level(logging.DEBUG):
        invited = client.post(f"{USERS}/invitations", json={"name": "ana"}).json()
        fresh = client.post(f"{USERS}/bo/login-link").json()
    events = list(reversed(server_store.audit.list(action="login_link.", size=10).items))
    assert [(e.action, e.actor_name, e.target, e.details["invite"]) for e in events] == [
        ("login_link.created", "admin", "ana", True),
        ("login_link.created", "admin", "bo", False),
    ]
    listed = client.get("/api/v1/audit-events", params={"q": "action:login_link.created"})
    assert listed.status_code == 200, listed.text
    assert {e["target"] for e in listed.json()["items"]} == {"ana", "bo"}
    for link in (invited["url"], fresh["url"]):
        token = _token(link)
        assert token not in listed.text
        assert token not in caplog.text
