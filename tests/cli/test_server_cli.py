"""`waypost up --detach`, `status` and `down` against a real server process over real HTTP."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import httpx
from cli_support import assert_one_line_error, invoke


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_up_status_health_down(waypost_home: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    assert invoke("status").exit_code == 1
    up = invoke("up", "--detach", "--port", str(port))
    try:
        assert up.exit_code == 0, up.output
        assert "Created the first user: admin, password" in up.stderr
        link = re.search(rf"{re.escape(base)}/login\?token=\S+", up.stdout)
        assert link is not None, up.stdout
        status = invoke("status")
        assert status.exit_code == 0
        assert f"running at {base}" in status.stdout
        health = httpx.get(f"{base}/api/v1/health")
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/api/v1/auth/me").status_code == 401
        with httpx.Client(base_url=base) as browser:
            r = browser.get(link.group())
            assert r.status_code == 303
            assert browser.get("/api/v1/auth/me").json()["user"]["name"] == "admin"
            assert browser.get(link.group()).status_code == 401  # used up
        assert_one_line_error(invoke("up", "--detach", "--port", str(port)), "already runs")
    finally:
        down = invoke("down")
    assert down.exit_code == 0
    assert "Stopped" in down.stdout
    assert invoke("status").exit_code == 1
    again = invoke("up", "--detach", "--port", str(port))  # a second start: no new admin, a new link
    try:
        assert again.exit_code == 0, again.output
        assert "Created the first user" not in again.stderr
        assert "/login?token=" in again.stdout
    finally:
        invoke("down")


def test_down_stops_gracefully_while_a_dashboard_holds_the_event_stream(waypost_home: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    up = invoke("up", "--detach", "--port", str(port))
    assert up.exit_code == 0, up.output
    try:
        link = re.search(rf"{re.escape(base)}/login\?token=\S+", up.stdout)
        assert link is not None, up.stdout
        with httpx.Client(base_url=base, timeout=10) as browser:
            assert browser.get(link.group()).status_code == 303
            with browser.stream("GET", "/api/v1/events") as events:
                assert events.status_code == 200
                down = invoke("down")
    finally:
        invoke("down")
    assert down.exit_code == 0
    assert "Stopped" in down.stdout
    assert "by force" not in down.stdout


def test_up_refuses_a_busy_port(waypost_home: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert_one_line_error(invoke("up", "--port", str(port)), "in use")


def test_down_without_a_server(waypost_home: Path) -> None:
    r = invoke("down")
    assert r.exit_code == 0
    assert "No Waypost server is running" in r.stdout
