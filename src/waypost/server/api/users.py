"""/users: user management and invites. Reading needs member:read; changes member:manage_members organization-wide."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from waypost.schemas import Page
from waypost.schemas.users import Invitation, LoginLink, UserCreate, UserInvite, UserRead, UserUpdate
from waypost.server.api._params import PageNo, Size
from waypost.server.auth import trail
from waypost.server.deps import Principal, StoreDep, require
from waypost.server.services import users
from waypost.settings import WaypostSettings

router = APIRouter(prefix="/users", tags=["users"])
Reader = Annotated[Principal, Depends(require("member:read"))]
Admin = Annotated[Principal, Depends(require("member:manage_members"))]
UserRef = Annotated[str, Path(max_length=255, description="A user's id or name.")]


@router.get("", response_model=Page[UserRead])
def list_users(
    store: StoreDep,
    reader: Reader,
    service_accounts: Annotated[
        bool | None, Query(description="Only service accounts (true) or only people (false).")
    ] = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[UserRead]:
    """Users and service accounts by name."""
    return users.list_users(store, service_accounts, page, size)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
def create_user(body: UserCreate, request: Request, store: StoreDep, admin: Admin) -> UserRead:
    """A new user with a password of 12 characters or more."""
    created = users.create_user(store, admin, body)
    trail.record(store, request, admin, trail.USER_CREATED, created.name, {"is_admin": created.is_admin})
    return created


def _invite_ttl_s(request: Request) -> int:
    settings: WaypostSettings = request.app.state.settings
    return settings.server.invite_ttl_s


def _login_url(request: Request) -> str:
    """This server's /login page as the caller reached it (scheme, host and base path)."""
    return str(request.url_for("login_link"))


@router.post("/invitations", status_code=status.HTTP_201_CREATED, response_model=Invitation)
def invite_user(body: UserInvite, request: Request, store: StoreDep, admin: Admin) -> Invitation:
    """A new person without a password, and a one-time login link to send them (server.invite_ttl_s)."""
    invited = users.invite_user(store, admin, body, login_url=_login_url(request), ttl_s=_invite_ttl_s(request))
    details = {"invite": True, "expires_at": invited.expires_at.isoformat()}
    trail.record(store, request, admin, trail.LOGIN_LINK_CREATED, invited.user.name, details)
    return invited


@router.post("/{user}/login-link", status_code=status.HTTP_201_CREATED, response_model=LoginLink)
def create_login_link(user: UserRef, request: Request, store: StoreDep, admin: Admin) -> LoginLink:
    """A fresh one-time login link for an active person, e.g. when their invite expired or they lost their password."""
    found, link = users.create_login_link(
        store, admin, user, login_url=_login_url(request), ttl_s=_invite_ttl_s(request)
    )
    details = {"invite": False, "expires_at": link.expires_at.isoformat()}
    trail.record(store, request, admin, trail.LOGIN_LINK_CREATED, found.name, details)
    return link


@router.get("/{user}", response_model=UserRead)
def get_user(user: UserRef, store: StoreDep, reader: Reader) -> UserRead:
    """A user by id or name."""
    return users.get_user_or_404(store, user)


@router.patch("/{user}", response_model=UserRead)
def update_user(user: UserRef, change: UserUpdate, request: Request, store: StoreDep, admin: Admin) -> UserRead:
    """Change a user's full name, email or admin flag."""
    updated = users.update_user(store, admin, user, change)
    changed = sorted(change.model_dump(exclude_unset=True))  # which fields, never their values
    details: dict[str, object] = {"fields": changed}
    if change.is_admin is not None:
        details["is_admin"] = change.is_admin
    trail.record(store, request, admin, trail.USER_UPDATED, updated.name, details)
    return updated


@router.post("/{user}/deactivate", response_model=UserRead)
def deactivate_user(user: UserRef, request: Request, store: StoreDep, admin: Admin) -> UserRead:
    """Deactivate a user; their sessions and API keys end at once."""
    deactivated = users.deactivate_user(store, admin, user)
    trail.record(store, request, admin, trail.USER_DEACTIVATED, deactivated.name)
    return deactivated
