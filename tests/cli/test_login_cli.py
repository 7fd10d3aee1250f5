"""``waypost login`` / ``logout`` against a live server: afterwards the CLI and the Client use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cli_support import assert_one_line_error, good, invoke

from live_server import ADMIN_PASSWORD, LiveServer
from waypost.client import Client
from waypost.execution import runtime
from waypost.settings import config_path
from waypost.store.rest import RestStore


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    runtime.reset()
    server.stop()


def test_login_with_an_api_key_sends_everything_to_the_server(live: LiveServer) -> None:
    result = invoke("login", live.url, "--api-key", live.api_key)
    assert result.exit_code == 0, result.output
    assert "Logged in" in result.output
    assert "admin" in result.output
    saved = yaml.safe_load(config_path().read_text())["store"]
    # A key brought along is not revoked at logout, so none is remembered for that.
    assert saved == {"url": live.url, "api_key": live.api_key, "api_key_id": None}
    assert config_path().stat().st_mode & 0o077 == 0

    runtime.reset()
    run = good(n=2)
    assert isinstance(Client().store, RestStore)
    with RestStore(live.url, live.api_key) as store:
        assert store.runs.get(run.id).name == run.name
    listed = invoke("runs", "list")
    assert run.name in listed.output

    result = invoke("logout")
    assert result.exit_code == 0
    assert "Logged out" in result.output
    runtime.reset()
    assert not isinstance(Client().store, RestStore)
    assert run.name not in invoke("runs", "list").output


def test_login_with_a_password_makes_an_api_key(live: LiveServer) -> None:
    result = invoke("login", live.url, "--username", "admin", "--password", ADMIN_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Created API key" in result.output
    key = yaml.safe_load(config_path().read_text())["store"]["api_key"]
    assert key
    assert key != live.api_key
    with RestStore(live.url, key) as store:
        assert store.runs.list().total == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--username", "admin", "--password", "wrong"], "Wrong username or password"),
        (["--api-key", "wp_nope"], "invalid"),
    ],
)
def test_bad_credentials_are_one_line_and_save_nothing(live: LiveServer, args: list[str], fragment: str) -> None:
    assert_one_line_error(invoke("login", live.url, *args), fragment)
    assert not config_path().exists()
