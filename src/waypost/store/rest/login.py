"""Checking credentials against a server: what ``waypost login`` does before it saves them."""

from __future__ import annotations

import socket

import httpx

from waypost.exceptions import ConfigurationError
from waypost.schemas.users import ApiKeyCreate, ApiKeyCreated, LoginRequest, Me, UserRead
from waypost.store.rest.http import API_PREFIX

#: The session cookie's name starts so; the server adds its port (two servers on one host).
SESSION_COOKIE = "waypost_session"


def _client(url: str, timeout_s: float) -> httpx.Client:
    return httpx.Client(base_url=url.rstrip("/") + API_PREFIX, timeout=timeout_s)


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.reason_phrase))
    except ValueError:
        return response.reason_phrase


def _call(client: httpx.Client, url: str, method: str, path: str, **kwargs: object) -> httpx.Response:
    try:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise ConfigurationError(
            f"Cannot reach a Waypost server at {url} ({type(exc).__name__}); check the URL."
        ) from None
    if response.is_error:
        raise ConfigurationError(f"{url} refused the login: {_detail(response)}")
    return response


def verify_api_key(url: str, api_key: str, *, timeout_s: float = 10.0) -> UserRead:
    """The user ``api_key`` belongs to on the server at ``url``; ConfigurationError when refused."""
    with _client(url, timeout_s) as client:
        response = _call(client, url, "GET", "/auth/me", headers={"Authorization": f"Bearer {api_key}"})
        return Me.model_validate_json(response.content).user


def api_key_from_password(url: str, username: str, password: str, *, timeout_s: float = 10.0) -> ApiKeyCreated:
    """Log in with a password, make an API key for this machine, and end the session again."""
    with _client(url, timeout_s) as client:
        body = LoginRequest(username=username, password=password).model_dump()
        me = Me.model_validate_json(_call(client, url, "POST", "/auth/login", json=body).content)
        name, token = next(((k, v) for k, v in client.cookies.items() if k.startswith(SESSION_COOKIE)), ("", ""))
        headers = {"X-CSRF-Token": me.csrf_token or "", "Cookie": f"{name}={token}"}
        request = ApiKeyCreate(name=f"waypost login on {socket.gethostname()}"[:255])
        created = _call(client, url, "POST", "/auth/api-keys", json=request.model_dump(mode="json"), headers=headers)
        _call(client, url, "POST", "/auth/logout", headers=headers)
        return ApiKeyCreated.model_validate_json(created.content)


def revoke_api_key(url: str, api_key: str, key_id: str, *, timeout_s: float = 10.0) -> None:
    """Revoke the caller's key ``key_id`` on the server; ConfigurationError when that fails.

    A key the server no longer accepts (401) or knows (404) counts as revoked already.
    """
    with _client(url, timeout_s) as client:
        try:
            response = client.delete(f"/auth/api-keys/{key_id}", headers={"Authorization": f"Bearer {api_key}"})
        except httpx.HTTPError as exc:
            raise ConfigurationError(f"Cannot reach {url} ({type(exc).__name__})") from None
    if response.is_error and response.status_code not in (401, 404):
        raise ConfigurationError(f"{url} did not revoke the key: {_detail(response)}")
