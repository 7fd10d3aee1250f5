"""The CLI prints stored text without terminal control characters; ``waypost logout`` revokes the key login made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from cli_support import invoke

from live_server import ADMIN_PASSWORD, LiveServer
from waypost import log_metadata, pipeline, step
from waypost.cli._common import clean
from waypost.execution import runtime
from waypost.settings import config_path

# Colour, a window-title change (OSC), a carriage return that would overwrite the line,
# a C1 control, a bidirectional override and a bell.
EVIL = "\x1b[31mred\x1b[0m\x1b]0;pwned\x07\rback\x9b2J\u202eflip\x07"
CONTROLS = ("\x1b", "\r", "\x07", "\x9b", "\u202e")


@step
def noisy() -> int:
    print(f"line with {EVIL} inside")
    print("colour \x1b[31mred\x1b[0m done")
    log_metadata(metadata={"note": EVIL})
    return 1


@pipeline
def evil_pipe() -> None:
    noisy()


def assert_clean(text: str) -> None:
    for control in CONTROLS:
        assert control not in text, repr(text)


def test_clean_keeps_text_tabs_and_newlines() -> None:
    assert clean(f"a{EVIL}z") == "aredbackflipz"
    assert clean("tab\there\nnext line") == "tab\there\nnext line"
    assert clean("plain ünïcödé ✓") == "plain ünïcödé ✓"


def test_stored_text_prints_without_control_characters() -> None:
    run = evil_pipe.with_options(run_name=f"evil-{EVIL}")()
    assert "\x1b" in run.name  # stored as given; only printing cleans it
    for args in (
        ("runs", "list"),
        ("runs", "show", run.name),
        ("logs", run.name, "noisy"),
        ("logs", run.name, "noisy", "--grep", "line"),
        ("logs", run.name, "noisy", "--tail", "5"),
    ):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert_clean(result.output)
    # The text itself stays (an escape sequence whose end was cut is left as inert text).
    listed = invoke("runs", "list").output
    assert "evil-red" in listed
    assert "backflip" in listed
    shown = invoke("runs", "show", run.name).output
    assert shown.count("backflip") >= 2  # the name and the metadata value
    logs = invoke("logs", run.name, "noisy").output
    assert "colour red done" in logs
    assert "backflip inside" in logs  # the capture kept what followed the carriage return


def test_error_messages_print_without_control_characters() -> None:
    result = invoke("runs", "show", f"nope{EVIL}")
    assert result.exit_code == 1
    assert "Error: " in result.stderr
    assert_clean(result.stderr)


# -- logout -------------------------------------------------------------------------------
@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    runtime.reset()
    server.stop()


def works(live: LiveServer, key: str) -> bool:
    r = httpx.get(f"{live.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    return r.status_code == 200


def test_logout_revokes_the_key_login_made(live: LiveServer) -> None:
    assert invoke("login", live.url, "--username", "admin", "--password", ADMIN_PASSWORD).exit_code == 0
    saved = yaml.safe_load(config_path().read_text())["store"]
    key, key_id = saved["api_key"], saved["api_key_id"]
    assert key_id
    assert works(live, key)
    result = invoke("logout")
    assert result.exit_code == 0, result.output
    assert "Revoked the API key" in result.output
    assert not works(live, key)
    assert yaml.safe_load(config_path().read_text())["store"] == {"url": None, "api_key": None, "api_key_id": None}


def test_logout_leaves_a_key_the_user_brought(live: LiveServer) -> None:
    assert invoke("login", live.url, "--api-key", live.api_key).exit_code == 0
    result = invoke("logout")
    assert result.exit_code == 0, result.output
    assert "Revoked" not in result.output
    assert works(live, live.api_key)


def test_logout_from_a_server_that_is_gone_still_logs_out(live: LiveServer) -> None:
    assert invoke("login", live.url, "--username", "admin", "--password", ADMIN_PASSWORD).exit_code == 0
    live.stop()
    result = invoke("logout")
    assert result.exit_code == 0, result.output
    assert "Could not revoke the API key" in result.output
    assert "Logged out" in result.output
    assert yaml.safe_load(config_path().read_text())["store"]["url"] is None
