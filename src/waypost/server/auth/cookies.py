"""The session cookie (HttpOnly) and the CSRF cookie (readable by the SPA), scoped to the base path.

Their names end with the port the browser used (``waypost_session_8742``): browsers share
cookies between the ports of one host, so two servers there would otherwise log each other out.
"""

from __future__ import annotations

from fastapi import Request, Response

from waypost.server.deps import CSRF_COOKIE, SESSION_COOKIE, cookie_name, csrf_token_for
from waypost.settings import WaypostSettings


def _settings(request: Request) -> WaypostSettings:
    settings: WaypostSettings = request.app.state.settings
    return settings


def set_session(request: Request, response: Response, token: str) -> str:
    """Set the cookies of a new session; return its CSRF token."""
    server = _settings(request).server
    path = server.prefix or "/"
    secure = request.url.scheme == "https"
    csrf = csrf_token_for(token)
    common = {"max_age": server.session_ttl_s, "path": path, "secure": secure, "samesite": "strict"}
    response.set_cookie(cookie_name(request, SESSION_COOKIE), token, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(cookie_name(request, CSRF_COOKIE), csrf, httponly=False, **common)  # type: ignore[arg-type]
    return csrf


def clear_session(request: Request, response: Response) -> None:
    """Delete the session cookies."""
    path = _settings(request).server.prefix or "/"
    secure = request.url.scheme == "https"
    for base in (SESSION_COOKIE, CSRF_COOKIE):
        name = cookie_name(request, base)
        response.delete_cookie(name, path=path, secure=secure, httponly=base == SESSION_COOKIE, samesite="strict")
