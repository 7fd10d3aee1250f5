"""A RestStore caller the server refuses (403) gets the server's one-line reason, not "log in again"."""

from __future__ import annotations

from pathlib import Path

import pytest
from _access_world import person

from live_server import LiveServer
from waypost.client import Client
from waypost.exceptions import StoreError
from waypost.execution import runtime
from waypost.testing.factories import make_run


def test_a_viewer_stopping_a_run_through_the_client_is_told_the_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = LiveServer(tmp_path / "server").start()
    try:
        run = make_run(server.store, name="long-run")
        vic = person(server.store, "vic")
        server.store.access.grant("Viewer", user="vic", project="default/default")
        monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
        monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.store.auth.create_api_key(vic, "t").key)
        runtime.reset()
        with pytest.raises(StoreError) as err:
            Client().stop_run(run.name)
        assert str(err.value) == (
            "You lack the 'run:update' permission in project 'default/default'; ask an Admin of the project or "
            "its workspace for a role that has it."
        )
        monkeypatch.setenv("WAYPOST_STORE__API_KEY", "wp_not-a-key")
        runtime.reset()
        with pytest.raises(Exception, match=r"^Not logged in to http://127\.0\.0\.1:\d+, or the API key was revoked"):
            Client().stop_run(run.name)
    finally:
        runtime.reset()
        server.stop()
