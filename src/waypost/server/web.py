"""Non-API routes: the one-time login link, the OpenAPI schema, and the dashboard build at ``/``.

Also the gzip middleware for the API's answers (:class:`ApiCompression`).
"""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from waypost.server.auth.cookies import set_session
from waypost.server.auth.throttle import PasswordChecks, client_address
from waypost.server.deps import StoreDep, public, require
from waypost.settings import WaypostSettings

router = APIRouter(include_in_schema=False)

#: The dashboard build a wheel carries (the wheel's build hook copies dashboard/dist here).
PACKAGED_DASHBOARD = Path(__file__).resolve().parent / "_dashboard"
#: src/waypost/server/web.py -> the repository root, where a checkout builds the dashboard.
SOURCE_DASHBOARD = Path(__file__).resolve().parents[3] / "dashboard" / "dist"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Waypost</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>Waypost</h1>
<p>The server is running, but no dashboard build was found (<code>dashboard/dist</code>).</p>
<p>The REST API is at <code>{api}</code> (its schema at <code>/openapi.json</code>); the CLI
(<code>waypost runs list</code>, <code>waypost runs show RUN</code>) shows the same data.</p>
</body></html>
"""

BAD_LINK = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Waypost: login link</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>This login link does not work</h1>
<p>It is invalid, expired or was used already: each link works once, and only until it
expires. Ask an administrator for a new link (the Members page, or <code>waypost user invite</code>),
or <a href="{home}">log in with your password</a>.</p>
</body></html>
"""


def _settings(request: Request) -> WaypostSettings:
    settings: WaypostSettings = request.app.state.settings
    return settings


def dashboard_dir(settings: WaypostSettings) -> Path | None:
    """The dashboard build folder, when it holds an index.html.

    The configured folder if any; else the copy an installed wheel carries; else, in a source
    checkout (an editable install), the repository's own dashboard/dist.
    """
    if settings.server.dashboard_dir is not None:
        candidates = [settings.server.dashboard_dir]
    else:
        candidates = [PACKAGED_DASHBOARD, SOURCE_DASHBOARD]
    return next((folder for folder in candidates if (folder / "index.html").is_file()), None)


@router.get("/openapi.json", dependencies=[Depends(require("read"))])
def openapi(request: Request) -> JSONResponse:
    """The OpenAPI schema (behind authentication, like every API route)."""
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/login", dependencies=[public()], response_model=None)
def login_link(request: Request, store: StoreDep, token: str | None = None) -> Response:
    """With ``?token=``: trade the one-time token for a session and go to the dashboard."""
    home = (_settings(request).server.prefix or "") + "/"
    if token is None:
        return _dashboard_file(request, "login")
    user = store.auth.redeem_login_token(token)
    if user is None:
        return HTMLResponse(BAD_LINK.format(home=html.escape(home)), status_code=401)
    PasswordChecks.succeeded(store, user, client_address(request), "login_link")
    response = RedirectResponse(home, status_code=303)
    token_ = store.auth.create_session(user.id, _settings(request).server.session_ttl_s)
    set_session(request, response, token_)
    return response


@router.get("/", dependencies=[public()], response_model=None)
def index(request: Request) -> Response:
    """The dashboard."""
    return _dashboard_file(request, "")


@router.get("/{path:path}", dependencies=[public()], response_model=None)
def static(request: Request, path: str) -> Response:
    """A file of the dashboard build; other paths get index.html (client-side routes)."""
    if path == "api" or path.startswith("api/"):
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    return _dashboard_file(request, path)


#: The dashboard's pages run only the build's own scripts and talk only to this server. Styles
#: may be inline (the component library sets style attributes); user HTML never runs in the
#: page itself, only in sandboxed frames of the API's visualization route ('self').
DASHBOARD_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: Hashed build outputs: a new build writes new names, so a year in any cache is safe.
IMMUTABLE = "public, max-age=31536000, immutable"


def _dashboard_file(request: Request, path: str) -> Response:
    settings = _settings(request)
    folder = dashboard_dir(settings)
    if folder is None:
        api = html.escape(settings.server.prefix + "/api/v1")
        return HTMLResponse(NOT_BUILT.format(api=api), status_code=200 if path in ("", "login") else 404)
    root = folder.resolve()
    target = (root / path).resolve() if path else root / "index.html"
    if target.is_relative_to(root) and target.is_file():
        return _static(request, target, immutable="/assets/" in f"/{path}" and target.name != "index.html")
    if _looks_like_a_file(path):  # a missing asset, not a client-side route
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    return _static(request, root / "index.html", immutable=False)


#: What a build file ends with. A client-side route may hold a dot too (``/models/m/versions/1.0``): only
#: these endings, or a path under ``assets/``, make a missing path a 404 rather than the dashboard.
FILE_SUFFIXES = frozenset(
    [
        ".js",
        ".mjs",
        ".css",
        ".map",
        ".gz",
        ".json",
        ".txt",
        ".html",
        ".ico",
        ".png",
        ".svg",
        ".jpg",
        ".jpeg",
        ".webp",
        ".woff",
        ".woff2",
        ".ttf",
        ".webmanifest",
    ]
)


def _looks_like_a_file(path: str) -> bool:
    return path.startswith("assets/") or Path(path).suffix.lower() in FILE_SUFFIXES


def _static(request: Request, target: Path, *, immutable: bool) -> Response:
    """A build file, as the ``.gz`` the build wrote beside it when the client takes gzip.

    index.html is revalidated on every load (it names the current hashed assets); those
    assets are cached for a year. ``Vary`` tells caches the body depends on Accept-Encoding.
    """
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
        "Cache-Control": IMMUTABLE if immutable else "no-cache",
    }
    if media_type == "text/html":
        headers["Content-Security-Policy"] = DASHBOARD_CSP
    packed = target.with_name(target.name + ".gz")
    if accepts_gzip(request.headers.get("accept-encoding", "")) and packed.is_file():
        headers["Content-Encoding"] = "gzip"
        return FileResponse(packed, media_type=media_type, headers=headers)
    return FileResponse(target, media_type=media_type, headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` and ``*;q=0`` refuse it)."""
    quality: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[coding.strip().lower()] = q
    if "gzip" in quality:
        return quality["gzip"] > 0
    return quality.get("*", 0.0) > 0


class ApiCompression:
    """gzip for the API's answers over ~1 KB, when the client accepts it.

    Left alone: the server-sent event streams (the live events and log tails must reach
    the browser as they happen, not when a compressor's buffer fills), ranged reads of
    logs and artifacts (a gzip body cannot honour byte ranges), and bodies that are
    already compressed (Starlette's own list of such types). The dashboard's files
    outside the API come precompressed from the build (see :func:`_static`).
    """

    def __init__(self, app: ASGIApp, prefix: str = "", minimum_size: int = 1024) -> None:
        self.app = app
        self.api = f"{prefix}/api/"
        self.schema = f"{prefix}/openapi.json"
        # Level 1: a 6 MB graph of 10,000 steps packs to 0.8 MB in 20 ms of CPU; level 9
        # saves another 0.1 MB for 110 ms, which a local dashboard would wait for.
        self.gzip = GZipMiddleware(
            app,
            minimum_size=minimum_size,
            compresslevel=1,
            exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/octet-stream"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._compressible(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _compressible(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if not (path.startswith(self.api) or path == self.schema):
            return False
        if path.endswith("/events") or path.endswith("/stream"):
            return False
        return not any(name == b"range" for name, _ in scope["headers"])
