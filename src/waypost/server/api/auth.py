"""/auth: login, logout, password change, the caller, service accounts and their API keys."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime

from anyio import to_thread
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from waypost.schemas.users import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    LoginRequest,
    Me,
    PasswordChange,
    ServiceAccountCreate,
    TokenExchange,
    UserRead,
)
from waypost.server.auth import trail
from waypost.server.auth.cookies import clear_session, set_session
from waypost.server.auth.throttle import PasswordChecks, client_address, password_checks
from waypost.server.deps import CurrentUser, StoreDep, csrf_token_for, public, require, session_token
from waypost.server.services import users
from waypost.settings import WaypostSettings

router = APIRouter(prefix="/auth", tags=["auth"])
Admin = Depends(require("admin"))


def _ttl(request: Request) -> int:
    settings: WaypostSettings = request.app.state.settings
    return settings.server.session_ttl_s


def start_session(request: Request, response: Response, store: StoreDep, user: UserRead) -> Me:
    """Open a session for ``user`` and set its cookies."""
    token = store.auth.create_session(user.id, _ttl(request))
    csrf = set_session(request, response, token)
    return Me(user=user, via="session", csrf_token=csrf, has_password=store.users.has_password(user.id))


@router.post("/login", dependencies=[public()])
async def login(body: LoginRequest, request: Request, response: Response, store: StoreDep) -> Me:
    """Log in with username and password; sets the session cookie and returns the CSRF token.

    Async so that logins queueing for a password-check slot hold no worker thread.
    """
    checks = password_checks(request)
    user = await checks.login(store, body.username, body.password, client_address(request))
    return await to_thread.run_sync(start_session, request, response, store, user)


@router.post("/exchange", dependencies=[public()])
def exchange(body: TokenExchange, request: Request, response: Response, store: StoreDep) -> Me:
    """Trade a one-time login token for a session."""
    user = store.auth.redeem_login_token(body.token)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This login link is invalid, expired or used already.")
    PasswordChecks.succeeded(store, user, client_address(request), "login_token")
    return start_session(request, response, store, user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, response: Response, store: StoreDep, user: CurrentUser) -> None:
    """End this session (a bearer caller has nothing to end; revoke the key instead)."""
    token = session_token(request)
    if user.via == "session" and token:
        store.auth.end_session(token)
        trail.record(store, request, user, trail.SESSION_ENDED, user.name)
    clear_session(request, response)


@router.get("/me")
def me(request: Request, store: StoreDep, user: CurrentUser) -> Me:
    """The caller; for a browser session, the CSRF token too."""
    token = session_token(request)
    csrf = csrf_token_for(token) if user.via == "session" and token else None
    found = store.users.get(user.user_id)
    has_password = not found.is_service_account and store.users.has_password(user.user_id)
    return Me(user=found, via=user.via, csrf_token=csrf, has_password=has_password)


def _check_expiry(body: ApiKeyCreate) -> None:
    """Refuse a key that would be expired at birth (400), rather than store one that never works."""
    if body.expires_at is not None and body.expires_at.tzinfo is not None and body.expires_at <= datetime.now(UTC):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "expires_at is in the past; give a future time, or leave it out for a key that never expires.",
        )


@router.post("/api-keys", status_code=status.HTTP_201_CREATED)
def create_own_api_key(body: ApiKeyCreate, request: Request, store: StoreDep, user: CurrentUser) -> ApiKeyCreated:
    """A new API key for the caller (``waypost login`` makes one); the key is shown only this once."""
    _check_expiry(body)
    created = store.auth.create_api_key(user.user_id, body.name, expires_at=body.expires_at)
    trail.record(store, request, user, trail.API_KEY_CREATED, user.name, {"key_id": str(created.id), "name": body.name})
    return created


@router.get("/api-keys")
def list_own_api_keys(store: StoreDep, user: CurrentUser) -> list[ApiKeyRead]:
    """The caller's API keys that are not revoked, newest first (their prefixes, never their secrets)."""
    return store.auth.list_api_keys(user.user_id, include_revoked=False)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_own_api_key(key_id: uuid.UUID, request: Request, store: StoreDep, user: CurrentUser) -> None:
    """Revoke one of the caller's API keys (the one in use included); another user's key is a 404."""
    users.revoke_own_api_key(store, user, key_id)
    trail.record(store, request, user, trail.API_KEY_REVOKED, user.name, {"key_id": str(key_id)})


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(body: PasswordChange, request: Request, store: StoreDep, user: CurrentUser) -> None:
    """Change your password; every other session and every API key of yours ends.

    The current password is needed, except by a user who has none yet (invited by a one-time
    login link): they set their first one without it.
    """
    checks = password_checks(request)  # argon2 twice: within the bound on concurrent checks
    if await to_thread.run_sync(store.users.has_password, user.user_id):
        if body.current_password is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "Give your current password (current_password) to set a new one."
            )
        if await checks.run(store.users.verify_password, user.name, body.current_password) is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "The current password is wrong.")
    await checks.run(store.users.set_password, user.user_id, body.new_password)
    keep = session_token(request) if user.via == "session" else None
    await to_thread.run_sync(functools.partial(store.auth.end_user_sessions, user.user_id, keep=keep))
    await to_thread.run_sync(store.auth.revoke_user_api_keys, user.user_id)
    await to_thread.run_sync(trail.record, store, request, user, trail.PASSWORD_CHANGED, user.name)


# -- service accounts (admin) -------------------------------------------------------
def _service_account(store: StoreDep, account_id: uuid.UUID) -> UserRead:
    account = store.users.get(account_id)
    if not account.is_service_account:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No service account '{account_id}' exists.")
    return account


@router.post("/service-accounts", status_code=status.HTTP_201_CREATED, dependencies=[Admin])
def create_service_account(
    body: ServiceAccountCreate, request: Request, store: StoreDep, user: CurrentUser
) -> UserRead:
    """A new service account (it authenticates with API keys only)."""
    account = store.users.create(body.name, full_name=body.full_name, is_admin=body.is_admin, is_service_account=True)
    trail.record(store, request, user, trail.SERVICE_ACCOUNT_CREATED, account.name, {"is_admin": body.is_admin})
    return account


@router.get("/service-accounts", dependencies=[Admin])
def list_service_accounts(store: StoreDep) -> list[UserRead]:
    """Every service account."""
    return store.users.list(service_accounts=True)


@router.delete("/service-accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Admin])
def delete_service_account(account_id: uuid.UUID, request: Request, store: StoreDep, user: CurrentUser) -> None:
    """Delete a service account and its keys."""
    account = _service_account(store, account_id)
    store.users.delete(account.id)
    trail.record(store, request, user, trail.SERVICE_ACCOUNT_DELETED, account.name)


@router.post("/service-accounts/{account_id}/api-keys", status_code=status.HTTP_201_CREATED, dependencies=[Admin])
def create_api_key(
    account_id: uuid.UUID, body: ApiKeyCreate, request: Request, store: StoreDep, user: CurrentUser
) -> ApiKeyCreated:
    """A new API key; the ``key`` in this answer is shown once and never again."""
    account = _service_account(store, account_id)
    _check_expiry(body)
    created = store.auth.create_api_key(account.id, body.name, expires_at=body.expires_at)
    details = {"key_id": str(created.id), "name": body.name}
    trail.record(store, request, user, trail.API_KEY_CREATED, account.name, details)
    return created


@router.get("/service-accounts/{account_id}/api-keys", dependencies=[Admin])
def list_api_keys(account_id: uuid.UUID, store: StoreDep) -> list[ApiKeyRead]:
    """A service account's keys (without their secrets)."""
    return store.auth.list_api_keys(_service_account(store, account_id).id)


@router.delete(
    "/service-accounts/{account_id}/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Admin],
)
def revoke_api_key(
    account_id: uuid.UUID, key_id: uuid.UUID, request: Request, store: StoreDep, user: CurrentUser
) -> None:
    """Revoke a key; requests with it fail from now on."""
    key = store.auth.get_api_key(key_id)
    account = _service_account(store, account_id)
    if key.user_id != account.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No API key '{key_id}' on this service account.")
    store.auth.revoke_api_key(key_id)
    trail.record(store, request, user, trail.API_KEY_REVOKED, account.name, {"key_id": str(key_id)})
