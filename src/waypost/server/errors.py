"""Exception handlers: every error becomes a status and a one-line JSON ``detail``, never a traceback.

Details never show the server's insides: the database URL, the database file, the artifact
store's location and the data and home folders are replaced by a neutral name (the full
message of a database failure goes to the server log instead).
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from starlette.exceptions import HTTPException as StarletteHTTPException

from waypost.exceptions import (
    ArtifactStoreError,
    ConfigurationError,
    ConflictError,
    FilterSyntaxError,
    MaterializerError,
    NotFoundError,
    ParameterError,
    StoreError,
    StoreLockedError,
    WaypostError,
)
from waypost.stacks.flavors import FlavorError
from waypost.stacks.references import UnresolvedSecretError
from waypost.store.sql.engine import normalize_url
from waypost.store.sql.timeouts import StatementTimeoutError

log = logging.getLogger("waypost.server")
#: Names the WaypostError subclass behind an error response.
ERROR_HEADER = "X-Waypost-Error"

#: Most specific first; the first isinstance match wins.
STATUS_OF: list[tuple[type[WaypostError], int]] = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (StatementTimeoutError, 503),
    (StoreLockedError, 503),
    (FilterSyntaxError, 400),
    (ParameterError, 422),
    (ConfigurationError, 422),
    (MaterializerError, 422),
    (ArtifactStoreError, 502),
]


def one_line(text: str) -> str:
    """The first non-empty line of ``text``."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "Error.")


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response."""
    return JSONResponse({"detail": one_line(message)}, status_code=status, headers=headers)


def status_of(exc: WaypostError) -> int:
    """The HTTP status for one of our errors (400 when none is more specific)."""
    return next((code for kind, code in STATUS_OF if isinstance(exc, kind)), 400)


def _redactions(request: Request) -> list[tuple[str, str]]:
    """(text, stand-in) pairs for what a detail must not reveal, longest first; computed once per app."""
    state = request.app.state
    cached: list[tuple[str, str]] | None = getattr(state, "redactions", None)
    if cached is not None:
        return cached
    pairs: dict[str, str] = {}
    settings = getattr(state, "settings", None)
    store = getattr(state, "store", None)
    files = getattr(state, "artifact_store", None)
    urls = [getattr(getattr(store, "engines", None), "url", None)]
    if settings is not None:
        urls.append(settings.store_url)
        pairs[str(settings.data_dir)] = "<data dir>"
        pairs[os.path.realpath(settings.data_dir)] = "<data dir>"
    for url in filter(None, urls):
        _add_database(pairs, url)
    if files is not None:
        for where in (files.uri, files.root, os.path.realpath(files.root) if files.is_local else ""):
            pairs[where] = "<artifact store>"
    pairs[str(Path.home())] = "~"
    pairs[tempfile.gettempdir()] = "<tmp>"
    cached = sorted(((k, v) for k, v in pairs.items() if len(k) > 1), key=lambda kv: -len(kv[0]))
    state.redactions = cached
    return cached


def _add_database(pairs: dict[str, str], url: str) -> None:
    pairs[url] = pairs[normalize_url(url)] = "<database>"
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError:  # an unparsable URL is still hidden verbatim
        return
    for hide in (True, False):
        pairs[parsed.render_as_string(hide_password=hide)] = "<database>"
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        pairs[parsed.database] = pairs[os.path.realpath(parsed.database)] = "<database file>"


def scrub(request: Request, message: str) -> str:
    """``message`` without the server's database URL or file system locations."""
    for text, stand_in in _redactions(request):
        if text in message:
            message = message.replace(text, stand_in)
    return message


async def _waypost_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WaypostError)
    code = status_of(exc)
    if code >= 500 or (isinstance(exc, StoreError) and not isinstance(exc, NotFoundError | ConflictError)):
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    # The RestStore raises the same class again from this header.
    return detail(code, scrub(request, str(exc) or type(exc).__name__), {ERROR_HEADER: type(exc).__name__})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return detail(exc.status_code, scrub(request, str(exc.detail)), getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if not errors:
        return detail(422, "Invalid request.")
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return detail(422, scrub(request, f"Invalid {where}: {first.get('msg', 'invalid value')}{more}."))


async def _flavor_error(request: Request, exc: Exception) -> JSONResponse:
    """A flavor, component config or stack that cannot be used: its one-line message (waypost.stacks)."""
    return detail(422, scrub(request, str(exc)))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return detail(500, "Internal server error; the server log has the details.")


#: What every error answer looks like; the OpenAPI schema says so instead of FastAPI's list-of-errors shape.
ERROR_SCHEMA: dict[str, Any] = {
    "title": "HTTPValidationError",
    "description": "An error: a one-line reason in `detail`.",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "Detail"}},
    "required": ["detail"],
}


def document_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe 422 answers as they are: ``{"detail": "<one line>"}``."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = build().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
                schemas.pop("ValidationError", None)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` and document their answers in its OpenAPI schema."""
    document_errors(app)
    app.add_exception_handler(WaypostError, _waypost_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FlavorError, _flavor_error)
    app.add_exception_handler(UnresolvedSecretError, _flavor_error)
    app.add_exception_handler(Exception, _unexpected)
