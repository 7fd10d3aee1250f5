"""A one-time login link never lands in the server's access log (a log file must not be a way in)."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import uvicorn
from fastapi import FastAPI


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_login_tokens_are_redacted_in_uvicorn_s_access_log(server_app: FastAPI) -> None:
    server = uvicorn.Server(uvicorn.Config(server_app, host="127.0.0.1", port=0, log_level="info"))
    access = logging.getLogger("uvicorn.access")
    lines = _Lines()
    access.addHandler(lines)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        r = httpx.get(f"http://127.0.0.1:{port}/login?token=s3cret-link-value&next=/runs", follow_redirects=False)
        assert r.status_code == 401  # no such link
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(lines)
    logged = [line for line in lines.lines if "/login" in line]
    assert logged, lines.lines
    assert all("s3cret-link-value" not in line for line in logged)
    assert "token=[redacted]&next=/runs" in logged[0]
