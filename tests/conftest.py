"""Every test runs against its own data dir, config file, store and artifact store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost.execution import runtime


@pytest.fixture(autouse=True)
def waypost_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point Waypost at a fresh folder; close whatever the test opened."""
    home = tmp_path / "waypost-home"
    monkeypatch.setenv("WAYPOST_DATA_DIR", str(home))
    monkeypatch.setenv("WAYPOST_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("WAYPOST_EXECUTION__SHOW_PROGRESS", "false")
    for var in ("WAYPOST_STORE__URL", "WAYPOST_STORE__API_KEY", "WAYPOST_ARTIFACT_STORE__URI"):
        monkeypatch.delenv(var, raising=False)
    runtime.reset()
    yield home
    runtime.reset()
