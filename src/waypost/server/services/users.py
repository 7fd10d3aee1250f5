"""Users: list, create, invite, read, change and deactivate people and service accounts; your own API keys.

Changes need ``member:manage_members`` organization-wide; making someone an admin (or unmaking
them), deactivating an admin or making an admin a login link needs an organization Admin, so that
a Manager cannot raise anyone (themselves included) above themselves.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from fastapi import HTTPException, status

from waypost.exceptions import NotFoundError
from waypost.schemas import Page
from waypost.schemas.users import (
    Invitation,
    LoginLink,
    UserCreate,
    UserInvite,
    UserRead,
    UserUpdate,
    login_link_refusal,
)
from waypost.server.deps import Principal, authorize
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.store import SqlStore


def get_user_or_404(store: SqlStore, ref: str) -> UserRead:
    """A user by id or name."""
    return or_404(lambda: store.users.get(ref))


def list_users(store: SqlStore, service_accounts: bool | None, page: int, size: int) -> Page[UserRead]:
    """Users by name; only service accounts (True) or only people (False) when asked."""
    return page_of(store.users.list(service_accounts=service_accounts), page, size)


def _may_manage(caller: Principal, *, admin_flag: bool, what: str = "make or unmake admins") -> None:
    """Refuse (403) unless the caller holds member:manage_members organization-wide (and is an Admin, for admins)."""
    authorize(caller, "member:manage_members")
    if admin_flag and not (caller.is_admin or caller.access.is_org_admin):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"Only an organization Admin may {what}; ask one to do it.")


def create_user(store: SqlStore, caller: Principal, body: UserCreate) -> UserRead:
    """A new person with an argon2-hashed password (12 characters at least); a taken name is a 409."""
    _may_manage(caller, admin_flag=body.is_admin)
    if store.users.exists(body.name):
        raise HTTPException(status.HTTP_409_CONFLICT, f"A user named '{body.name}' exists already; pick another name.")
    return store.users.create(
        body.name, password=body.password, full_name=body.full_name, email=body.email, is_admin=body.is_admin
    )


def update_user(store: SqlStore, caller: Principal, ref: str, change: UserUpdate) -> UserRead:
    """Change a user's full name, email or admin flag; an admin cannot demote themselves."""
    _may_manage(caller, admin_flag=change.is_admin is not None)
    user = get_user_or_404(store, ref)
    if change.is_admin is False and user.id == caller.user_id:
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot remove your own admin rights; ask another admin.")
    return store.users.update(user.id, full_name=change.full_name, email=change.email, is_admin=change.is_admin)


def deactivate_user(store: SqlStore, caller: Principal, ref: str) -> UserRead:
    """Deactivate a user and end their sessions and API keys at once."""
    authorize(caller, "member:manage_members")
    user = get_user_or_404(store, ref)
    _may_manage(caller, admin_flag=user.is_admin, what="deactivate an admin")
    if user.id == caller.user_id:
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot deactivate yourself; ask another admin.")
    return store.users.deactivate(user.id)


def _issue_link(store: SqlStore, user: UserRead, login_url: str, ttl_s: int) -> LoginLink:
    # Taken before the token, so the expiry shown is never later than the token's own.
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_s)
    token = store.auth.create_login_token(user.id, ttl_s=ttl_s)
    return LoginLink(url=f"{login_url}?{urlencode({'token': token})}", expires_at=expires_at)


def create_login_link(
    store: SqlStore, caller: Principal, ref: str, *, login_url: str, ttl_s: int
) -> tuple[UserRead, LoginLink]:
    """A fresh one-time login link for an active person (an organization Admin's, for an admin)."""
    authorize(caller, "member:manage_members")
    user = get_user_or_404(store, ref)
    _may_manage(caller, admin_flag=user.is_admin, what="make a login link for an admin")
    refusal = login_link_refusal(user)
    if refusal is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, refusal)
    return user, _issue_link(store, user, login_url, ttl_s)


def invite_user(store: SqlStore, caller: Principal, body: UserInvite, *, login_url: str, ttl_s: int) -> Invitation:
    """A new person without a password, and their one-time login link; a taken name is a 409."""
    _may_manage(caller, admin_flag=False)
    if store.users.exists(body.name):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"A user named '{body.name}' exists already; make them a fresh login link instead "
            f"(POST /api/v1/users/{body.name}/login-link).",
        )
    user = store.users.create(body.name, full_name=body.full_name, email=body.email, invited=True)
    link = _issue_link(store, user, login_url, ttl_s)
    return Invitation(user=user, url=link.url, expires_at=link.expires_at)


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
