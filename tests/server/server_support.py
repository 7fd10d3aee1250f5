"""Constants and helpers the server tests and their fixtures share."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import uvicorn
from fastapi import FastAPI

BASE_URL = "http://127.0.0.1:8742"
ADMIN_PASSWORD = "correct horse battery staple"


def assert_one_line(r: object, status: int | tuple[int, ...]) -> None:
    """``r`` answered ``status`` (one of them) with a one-line JSON ``detail`` and no traceback."""
    wanted = status if isinstance(status, tuple) else (status,)
    assert r.status_code in wanted, r.text  # type: ignore[attr-defined]
    detail = r.json()["detail"]  # type: ignore[attr-defined]
    assert isinstance(detail, str)
    assert "\n" not in detail
    assert "Traceback" not in detail


def store_databases() -> ModuleType:
    """tests/store/_databases.py, which creates and drops the store tests' PostgreSQL and MariaDB databases."""
    path = Path(__file__).parents[1] / "store" / "_databases.py"
    spec = importlib.util.spec_from_file_location("_store_databases", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread with its own event loop; yields its URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
