"""The app factory: routers, middleware, error handlers, and the fail-closed route check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import RouteContext, iter_route_contexts

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import ConfigurationError
from waypost.schemas.access import PROJECT_HEADER
from waypost.server import errors, web
from waypost.server.api import ROUTERS
from waypost.server.deps import auth_markers
from waypost.server.middleware import BodyGuard, HostAllowList
from waypost.server.nul_guard import RejectNul
from waypost.server.version import server_version
from waypost.settings import WaypostSettings
from waypost.store import filters
from waypost.store.sql.store import SqlStore
from waypost.store.sql.timeouts import limit_statements

__all__ = ["API_PREFIX", "api_routes", "check_routes", "create_app"]

API_PREFIX = "/api/v1"
log = logging.getLogger("waypost.server")


async def _sweep_crashed(store: SqlStore, timeout_s: float) -> None:
    """Mark runs crashed whose heartbeats stopped, every third of the timeout."""
    while True:
        try:
            crashed = await asyncio.to_thread(store.runs.mark_crashed, timeout_s)
            if crashed:
                log.info("Marked %d run(s) crashed: their heartbeats stopped.", len(crashed))
        except Exception as exc:  # a locked or unreachable database must not end the sweep
            log.warning("Crash sweep failed: %s", exc)
        await asyncio.sleep(max(0.5, timeout_s / 3))


_TOKEN = re.compile(r"(token=)[^&\s\"]+")


class RedactLoginTokens(logging.Filter):
    """Access-log lines show ``/login?token=[redacted]``: a one-time link in a log file is a way in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, str) and "token=" in a for a in record.args):
            record.args = tuple(_TOKEN.sub(r"\1[redacted]", a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_access_log() -> None:
    """Install :class:`RedactLoginTokens` on uvicorn's access logger (once; after uvicorn set up its logging)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLoginTokens) for f in access.filters):
        access.addFilter(RedactLoginTokens())


def _lifespan(store: SqlStore, timeout_s: float) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        redact_access_log()
        task = asyncio.create_task(_sweep_crashed(store, timeout_s))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


def create_app(settings: WaypostSettings, store: SqlStore, artifact_store: ArtifactStore) -> FastAPI:
    """A Waypost server over ``store`` and ``artifact_store``.

    Raises:
        ConfigurationError: a route declares neither ``require(...)`` nor ``public()``.
    """
    server = settings.server
    prefix = server.prefix
    app = FastAPI(
        title="Waypost",
        version=server_version(),
        openapi_url=None,  # served behind authentication by web.router
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(store, settings.execution.heartbeat_timeout_s),
    )
    app.state.settings = settings
    app.state.store = store
    # Bounds on what one request may cost the database (after migrations, which run unbounded).
    limit_statements(store.engines, server.query_timeout_s)
    filters.set_limits(server.filter_max_chars, server.filter_max_terms)
    app.state.artifact_store = artifact_store
    for router in ROUTERS:
        app.include_router(router, prefix=prefix + API_PREFIX)
    app.include_router(web.router, prefix=prefix)
    errors.install(app)
    app.add_middleware(RejectNul)  # innermost: a NUL it finds in a body is answered by the error handlers
    app.add_middleware(web.ApiCompression, prefix=prefix)
    # Inside CORS, so that its refusals carry CORS headers a browser lets the page read.
    app.add_middleware(BodyGuard, settings=server)
    if server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=server.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "Last-Event-ID", "Range", PROJECT_HEADER],
        )
    allowed = [*server.allowed_hosts]
    if server.host not in ("0.0.0.0", "::", ""):
        allowed.append(server.host)
    app.add_middleware(HostAllowList, allowed=allowed)
    check_routes(app)
    return app


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every route of ``app`` as served (included routers flattened, their prefixes applied)."""
    return list(iter_route_contexts(app.routes))


def check_routes(app: FastAPI) -> None:
    """Fail closed: raise unless every route declares ``require(...)`` or ``public()``."""
    undeclared: list[str] = []
    for route in api_routes(app):
        dependant = getattr(route, "dependant", None)
        if dependant is None or not auth_markers(dependant):  # mounts and plain Starlette routes included
            methods = ",".join(sorted(route.methods or ["WS"]))
            undeclared.append(f"{methods} {route.path}")
    if undeclared:
        raise ConfigurationError(
            f"Routes without require(...) or public(): {', '.join(undeclared)}; declare what each needs."
        )
