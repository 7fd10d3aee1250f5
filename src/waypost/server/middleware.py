"""ASGI middleware: the Host allow-list (against DNS rebinding) and the request body guard."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from anyio import to_thread
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from waypost.exceptions import WaypostError
from waypost.server.deps import JSON_ONLY, auth_markers, authenticate, is_json, remember_caller
from waypost.server.errors import one_line, status_of
from waypost.settings import ServerSettings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


async def _reply(send: Send, status: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def host_name(host_header: str) -> str:
    """The host of a Host header, without port or IPv6 brackets, lower-case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HostAllowList:
    """Answer 400 unless the Host header names an allowed host (a DNS-rebinding guard)."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = LOOPBACK_HOSTS | {h.lower() for h in allowed}
        self.any = "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self.any:
            headers = dict(scope.get("headers") or [])
            host = host_name(headers.get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                if scope["type"] == "http":
                    await _reply(send, 400, "Host not allowed; add it to WAYPOST_SERVER__ALLOWED_HOSTS.")
                else:
                    await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)


BodyKind = Literal["json", "raw", "none"]


@dataclass(frozen=True)
class BodyRule:
    """What a route does with a request body: parses JSON, streams raw bytes, or ignores it."""

    kind: BodyKind
    public: bool
    limit: int


def too_large(limit: int) -> str:
    """The 413 message."""
    return f"Request body too large; the limit is {limit} bytes."


class BodyGuard:
    """Judge a request's body by its headers before anything reads it.

    FastAPI reads a JSON route's whole body before its dependencies run, so authentication,
    the type check and the size limit all have to come first, here:

    - a body for a JSON route that needs credentials: the caller is authenticated first (401/403);
    - a JSON route takes only JSON (415); raw upload routes take any bytes;
    - a declared Content-Length over the route's limit is refused at once (413): public routes
      (login) have the smallest limit, JSON routes ``max_body_bytes``, uploads ``max_upload_bytes``;
    - a body without Content-Length (chunked) is counted as it streams and cut at the limit (413).
    """

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.json_limit = settings.max_body_bytes
        self.public_limit = min(settings.max_public_body_bytes, settings.max_body_bytes)
        self.upload_limit = settings.max_upload_bytes
        self._routes: list[tuple[Any, BodyRule]] | None = None

    def _rule_of(self, route: Any) -> BodyRule:
        dependant = getattr(route, "dependant", None)
        public = dependant is not None and "public" in auth_markers(dependant)
        if getattr(route, "body_field", None) is not None:
            return BodyRule("json", public, self.public_limit if public else self.json_limit)
        if (getattr(route, "openapi_extra", None) or {}).get("requestBody"):  # reads request.stream() itself
            return BodyRule("raw", public, self.upload_limit)
        return BodyRule("none", public, self.json_limit)

    def rule_for(self, scope: Scope) -> BodyRule:
        """The rule of the route that will answer this request (the JSON limit when none will)."""
        if self._routes is None:  # routes are fixed once the app serves
            self._routes = [(r, self._rule_of(r)) for r in iter_route_contexts(scope["app"].routes)]
        for route, rule in self._routes:
            if route.matches(scope)[0] is Match.FULL:
                return rule
        return BodyRule("none", True, self.json_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        chunked = b"transfer-encoding" in headers
        size = 0
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = -1
            if size < 0:
                await _reply(send, 400, "Content-Length is not a number.")
                return
        if size == 0 and not chunked:  # no body: nothing will be read
            await self.app(scope, receive, send)
            return
        rule = self.rule_for(scope)
        if rule.kind == "json":
            if not rule.public:
                refused = await _authenticate(scope)
                if refused is not None:
                    await _reply(send, *refused)
                    return
            if not is_json(headers.get(b"content-type", b"")):
                await _reply(send, 415, JSON_ONLY)
                return
        if size > rule.limit:
            await _reply(send, 413, too_large(rule.limit))
            return
        await _limited(self.app, scope, receive, send, rule.limit)


async def _authenticate(scope: Scope) -> tuple[int, str, Mapping[str, str] | None] | None:
    """Why the caller is refused (status, detail, headers), or None when they may go on."""
    request = Request(scope)
    try:
        principal = await to_thread.run_sync(authenticate, request, scope["app"].state.store)
    except HTTPException as exc:
        return exc.status_code, str(exc.detail), exc.headers
    except WaypostError as exc:
        return status_of(exc), one_line(str(exc) or type(exc).__name__), None
    remember_caller(request, principal)  # the route's ``require`` uses it rather than look it up again
    return None


async def _limited(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """Run ``app`` with a ``receive`` that stops the body at ``limit`` bytes with a 413."""
    received = 0
    started = False

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:  # an HTTPException, so the app's handlers answer 413
                raise _TooLarge(413, too_large(limit))
        return message

    async def tracking_send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await app(scope, limited_receive, tracking_send)
    except _TooLarge:
        if not started:
            await _reply(send, 413, too_large(limit))


class _TooLarge(HTTPException):
    """A streamed body passed the limit."""
