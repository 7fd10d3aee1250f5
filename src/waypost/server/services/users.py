"""Users (admin): list, create, read, change and deactivate people and service accounts; your own API keys."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status

from waypost.exceptions import NotFoundError
from waypost.schemas import Page
from waypost.schemas.users import UserCreate, UserRead, UserUpdate
from waypost.server.deps import Principal
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.store import SqlStore


def get_user_or_404(store: SqlStore, ref: str) -> UserRead:
    """A user by id or name."""
    return or_404(lambda: store.users.get(ref))


def list_users(store: SqlStore, service_accounts: bool | None, page: int, size: int) -> Page[UserRead]:
    """Users by name; only service accounts (True) or only people (False) when asked."""
    return page_of(store.users.list(service_accounts=service_accounts), page, size)


def create_user(store: SqlStore, body: UserCreate) -> UserRead:
    """A new person with an argon2-hashed password (12 characters at least); a taken name is a 409."""
    if store.users.exists(body.name):
        raise HTTPException(status.HTTP_409_CONFLICT, f"A user named '{body.name}' exists already; pick another name.")
    return store.users.create(
        body.name, password=body.password, full_name=body.full_name, email=body.email, is_admin=body.is_admin
    )


def update_user(store: SqlStore, caller: Principal, ref: str, change: UserUpdate) -> UserRead:
    """Change a user's full name, email or admin flag; an admin cannot demote themselves."""
    user = get_user_or_404(store, ref)
    if change.is_admin is False and user.id == caller.user_id:
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot remove your own admin rights; ask another admin.")
    return store.users.update(user.id, full_name=change.full_name, email=change.email, is_admin=change.is_admin)


def deactivate_user(store: SqlStore, caller: Principal, ref: str) -> UserRead:
    """Deactivate a user and end their sessions and API keys at once."""
    user = get_user_or_404(store, ref)
    if user.id == caller.user_id:
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot deactivate yourself; ask another admin.")
    return store.users.deactivate(user.id)


def revoke_own_api_key(store: SqlStore, caller: Principal, key_id: uuid.UUID) -> None:
    """Revoke one of the caller's own API keys; a key of anyone else answers as if it did not exist."""
    try:
        key = store.auth.get_api_key(key_id)
    except NotFoundError:
        key = None
    if key is None or key.user_id != caller.user_id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"You have no API key '{key_id}'; GET /api/v1/auth/api-keys lists yours."
        )
    store.auth.revoke_api_key(key_id)
