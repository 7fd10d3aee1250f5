"""``waypost user invite``: a one-time login link, from the local store or a logged-in server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_support import assert_one_line_error, invoke

from live_server import LiveServer
from waypost.settings import load_settings, write_config
from waypost.store.sql.store import SqlStore


def _link(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if "/login?token=" in line).strip()


def test_a_local_invite_prints_a_link_to_the_local_server() -> None:
    settings = load_settings()
    r = invoke("user", "invite", "ana", "--full-name", "Ana Lima")
    assert r.exit_code == 0, r.output
    assert "Invited ana" in r.stdout
    link = _link(r.stdout)
    assert link.startswith(f"http://127.0.0.1:{settings.server.port}/login?token=")
    assert "waypost up" in r.stderr  # the link works where the local server listens
    again = json.loads(invoke("user", "invite", "ana", "--json").stdout)  # exists: a fresh link
    store = SqlStore(settings.store_url)
    try:
        assert store.users.get("ana").full_name == "Ana Lima"
        assert not store.users.has_password(store.users.get("ana").id)
        for url in (link, again["url"]):
            token = httpx.URL(url).params["token"]
            user = store.auth.redeem_login_token(token)
            assert user is not None
            assert user.name == "ana"
        store.users.create("ci-bot", is_service_account=True)
    finally:
        store.close()
    assert_one_line_error(invoke("user", "invite", "ci-bot"), "service account")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server_the_link_is_the_servers_and_needs_manage_members(live: LiveServer) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    r = invoke("user", "invite", "bo")
    assert r.exit_code == 0, r.output
    assert "Invited bo" in r.stdout
    link = _link(r.stdout)
    assert link.startswith(f"{live.url}/login?token=")
    with httpx.Client(follow_redirects=False) as browser:
        assert browser.get(link).status_code == 303
        assert browser.get(link).status_code == 401
    assert "A fresh login link for bo" in invoke("user", "invite", "bo").stdout
    assert [e.target for e in live.store.audit.list(action="login_link.", size=10).items] == ["bo", "bo"]

    bo = live.store.users.get("bo")
    write_config({"store.api_key": live.store.auth.create_api_key(bo.id, "cli").key})
    assert_one_line_error(invoke("user", "invite", "cy"), "'member:manage_members'")
