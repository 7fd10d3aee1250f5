"""A real Waypost server on a free loopback port, in a thread of the test process (uvicorn, SQLite)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import uvicorn

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore

ADMIN_PASSWORD = "correct horse battery staple"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """``start()``, ``stop()`` and ``restart()`` a server over ``folder``'s store; ``url`` and ``api_key``."""

    def __init__(
        self,
        folder: Path,
        *,
        heartbeat_timeout_s: float = 30.0,
        artifact_store_uri: str | None = None,
        store_url: str | None = None,
    ) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = load_settings(
            store={"url": store_url or f"sqlite:///{folder / 'server.db'}"},
            artifact_store={"uri": artifact_store_uri or str(folder / "server-artifacts")},
            execution={"heartbeat_timeout_s": heartbeat_timeout_s},
            server={"port": self.port},
        )
        self.api_key = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._store: SqlStore | None = None

    def start(self) -> LiveServer:
        store = self._store = SqlStore(self.settings.store_url)
        if store.users.count() == 0:
            admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
            self.api_key = store.auth.create_api_key(admin.id, "tests").key
        app = create_app(self.settings, store, ArtifactStore(self.settings.artifact_store_uri))
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", ws="none", lifespan="on")
        server = self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=server.run, name="waypost-live-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The test server did not start on {self.url}.")
            time.sleep(0.02)
        return self

    @property
    def store(self) -> SqlStore:
        """The running server's store."""
        assert self._store is not None, "the server is not running"
        return self._store

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(20)
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._store = None

    def restart(self) -> None:
        self.stop()
        self.start()
