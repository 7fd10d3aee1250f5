"""Live status events over a real server on loopback while a pipeline really runs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from _api_helpers import run_numbers, share_stores
from fastapi import FastAPI
from server_support import serve

from waypost.settings import WaypostSettings


@pytest.fixture
def live_url(server_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port."""
    with serve(server_app) as url:
        yield url


def test_events_stream_run_and_step_status_changes(
    live_url: str, admin_key: str, monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings
) -> None:
    share_stores(monkeypatch, server_settings)
    headers = {"Authorization": f"Bearer {admin_key}"}
    events: list[tuple[str, dict[str, object]]] = []
    runner: threading.Thread | None = None
    with (
        httpx.Client(base_url=live_url, headers=headers, timeout=20) as http,
        http.stream("GET", "/api/v1/events") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        deadline = time.monotonic() + 20
        for line in response.iter_lines():
            if runner is None:  # connected: the watcher knows the state from now on
                runner = threading.Thread(target=run_numbers)
                runner.start()
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))))
                if kind == "run" and events[-1][1]["status"] == "completed":
                    break
            assert time.monotonic() < deadline, f"no completed run event; got {events}"
    assert runner is not None
    runner.join(timeout=30)
    run_statuses = [e["status"] for k, e in events if k == "run"]
    assert run_statuses[-1] == "completed"
    steps = {(e["name"], e["status"]) for k, e in events if k == "step"}
    assert ("report", "completed") in steps
