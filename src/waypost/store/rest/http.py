"""The HTTP side of the RestStore: one keep-alive client, retries, and errors mapped back to ours."""

from __future__ import annotations

import json as jsonlib
import logging
import time
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from waypost import exceptions
from waypost.exceptions import ConfigurationError, StoreError, WaypostError
from waypost.schemas import MAX_PAGE_SIZE
from waypost.schemas.access import PROJECT_HEADER

T = TypeVar("T")

API_PREFIX = "/api/v1"
#: The header in which the server names the WaypostError subclass behind an error response.
ERROR_HEADER = "X-Waypost-Error"
#: Errors after which a request may not have reached the server at all (always safe to retry).
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Errors after which an idempotent request may be sent again.
_RETRYABLE = (*_NOT_SENT, httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout, httpx.WriteError)


def _error_class(name: str | None, status: int) -> type[WaypostError]:
    """The error class the server named, or one by status when it named none."""
    kind = getattr(exceptions, name or "", None)
    if isinstance(kind, type) and issubclass(kind, WaypostError):
        return kind
    if status == 404:
        return exceptions.NotFoundError
    if status == 409:
        return StoreError
    if status in (400, 422):
        return exceptions.ParameterError
    return StoreError


class Http:
    """Calls the server's /api/v1, with a bearer token, timeouts and retries."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        *,
        timeout_s: float = 30.0,
        retries: int = 6,
        transport: httpx.BaseTransport | None = None,
        project: str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        httpx_log = logging.getLogger("httpx")
        if httpx_log.level == logging.NOTSET:  # one INFO line per store call would flood the step logs
            httpx_log.setLevel(logging.WARNING)
        self.retries = retries
        headers = {"Accept": "application/json", "User-Agent": "waypost-reststore"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        if project:  # the project the server records into and lists from
            headers[PROJECT_HEADER] = project
        self.client = httpx.Client(
            base_url=self.url + API_PREFIX,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            transport=transport,
        )

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool | None = None,
        content: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send a request; retry connection failures (and, for idempotent calls, lost responses)."""
        if idempotent is None:
            idempotent = method in ("GET", "PUT", "DELETE", "HEAD")
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        retryable = _RETRYABLE if idempotent and not hasattr(content, "read") else _NOT_SENT
        if json is not None:
            content, headers = _encode(json), {**(headers or {}), "Content-Type": "application/json"}
        delay = 0.25
        for attempt in range(self.retries + 1):
            try:
                response = self.client.request(method, path, params=params, content=content, headers=headers)
                break
            except retryable as exc:
                if attempt == self.retries:
                    raise StoreError(
                        f"Cannot reach the Waypost server at {self.url} ({type(exc).__name__}); "
                        "check that it runs (`waypost status`) and the URL is right."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 4.0)
            except httpx.HTTPError as exc:
                raise StoreError(f"Request to the Waypost server at {self.url} failed: {exc}.") from None
        if response.is_error:
            raise self.error(response)
        return response

    def get(self, path: str, into: Any, **params: Any) -> Any:
        """GET ``path`` and validate the JSON answer as ``into``."""
        return _parse(self.request("GET", path, params=params), into)

    def send(
        self, method: str, path: str, body: Any = None, into: Any = None, *, idempotent: bool | None = None
    ) -> Any:
        """Send ``body`` as JSON and validate the answer as ``into`` (None: ignore it)."""
        response = self.request(method, path, json=body, idempotent=idempotent)
        return None if into is None else _parse(response, into)

    def all_pages(self, path: str, item: type[T], **params: Any) -> list[T]:
        """Every item of a paged list route."""
        return list(self.iter_pages(path, item, **params))

    def iter_pages(self, path: str, item: type[T], **params: Any) -> Iterator[T]:
        """The items of a paged list route, fetching page after page."""
        adapter = TypeAdapter(list[item])  # type: ignore[valid-type]
        page = 1
        while True:
            body = self.request("GET", path, params={**params, "page": page, "size": MAX_PAGE_SIZE}).json()
            yield from adapter.validate_python(body["items"])
            if page * MAX_PAGE_SIZE >= body["total"] or not body["items"]:
                return
            page += 1

    def error(self, response: httpx.Response) -> WaypostError:
        try:
            message = str(response.json().get("detail", ""))
        except ValueError:
            message = response.text[:200]
        message = message or f"HTTP {response.status_code}"
        if response.status_code == 401 and ERROR_HEADER not in response.headers:
            return ConfigurationError(
                f"Not logged in to {self.url}, or the API key was revoked ({message}); run `waypost login {self.url}`."
            )
        if response.status_code == 403 and ERROR_HEADER not in response.headers:
            return StoreError(message)  # logged in, but refused: the server's message names the permission
        kind = _error_class(response.headers.get(ERROR_HEADER), response.status_code)
        try:
            return kind(message)
        except TypeError:  # an error class that needs more than a message
            return StoreError(message)


def _encode(value: Any) -> bytes:
    """JSON of a body, each model serialized by its own rules (e.g. NaN as "NaN")."""
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    if isinstance(value, list):
        return b"[" + b",".join(_encode(v) for v in value) + b"]"
    return jsonlib.dumps(value).encode()


def _parse(response: httpx.Response, into: Any) -> Any:
    if isinstance(into, type) and issubclass(into, BaseModel):
        return into.model_validate_json(response.content)
    return TypeAdapter(into).validate_json(response.content)
