"""ASGI middleware refusing NUL characters in the path, the query and JSON bodies with a one-line 400.

PostgreSQL cannot store U+0000 in text and file systems refuse it in names, so a NUL that
got through would fail deep inside (a 500, or a database error). JSON bodies are scanned
as they stream in, without buffering them, for the escape ``\\u0000`` (a raw NUL byte is
not valid JSON, which the JSON parser refuses already).
"""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from waypost.server.deps import is_json

DETAIL = "The request contains a NUL character (\\u0000 or %00), which cannot be stored; remove it."
# An escape is a NUL when the backslashes before "u0000" are odd in number: an even run is
# escaped backslashes followed by the plain text "u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_CARRY = 32  # bytes kept from one body chunk to find an escape split across two


def _is_json(scope: Scope) -> bool:
    headers: list[tuple[bytes, bytes]] = scope.get("headers") or []
    return is_json(next((value for name, value in headers if name == b"content-type"), b""))


class RejectNul:
    """Answer 400 when a NUL character is in the path, the query string or a JSON body's strings."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"")
        if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
            await JSONResponse({"detail": DETAIL}, status_code=400)(scope, receive, send)
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        tail = b""

        async def checked_receive() -> Message:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                window = tail + message.get("body", b"")
                if _NUL_ESCAPE.search(window):  # an HTTPException, so the app's handlers answer 400
                    raise HTTPException(400, DETAIL)
                tail = window[-_CARRY:]
            return message

        await self.app(scope, checked_receive, send)
