"""Non-API routes: the one-time login link, the OpenAPI schema, and the dashboard build at ``/``."""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from waypost.server.auth.cookies import set_session
from waypost.server.deps import StoreDep, public, require
from waypost.settings import WaypostSettings

router = APIRouter(include_in_schema=False)

#: src/waypost/server/web.py -> the repository root, where the dashboard is built.
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
<p>It is invalid, expired (links last 10 minutes) or was used already. Restart
<code>waypost up</code> for a new link, or <a href="{home}">log in with your password</a>.</p>
</body></html>
"""


def _settings(request: Request) -> WaypostSettings:
    settings: WaypostSettings = request.app.state.settings
    return settings


def dashboard_dir(settings: WaypostSettings) -> Path | None:
    """The dashboard build folder, when it holds an index.html."""
    folder = settings.server.dashboard_dir or SOURCE_DASHBOARD
    return folder if (folder / "index.html").is_file() else None


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


def _dashboard_file(request: Request, path: str) -> Response:
    settings = _settings(request)
    folder = dashboard_dir(settings)
    if folder is None:
        api = html.escape(settings.server.prefix + "/api/v1")
        return HTMLResponse(NOT_BUILT.format(api=api), status_code=200 if path in ("", "login") else 404)
    root = folder.resolve()
    target = (root / path).resolve() if path else root / "index.html"
    if target.is_relative_to(root) and target.is_file():
        media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        headers = {"X-Content-Type-Options": "nosniff"}
        if "/assets/" in f"/{path}":  # Vite's content-hashed files never change
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return FileResponse(target, media_type=media_type, headers=headers)
    if Path(path).suffix:  # a missing asset, not a client-side route
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    return FileResponse(root / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})
