"""/users: user management, for admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from waypost.schemas import Page
from waypost.schemas.users import UserCreate, UserRead, UserUpdate
from waypost.server.api._params import PageNo, Size
from waypost.server.deps import Principal, StoreDep, require
from waypost.server.services import users

router = APIRouter(prefix="/users", tags=["users"])
Admin = Annotated[Principal, Depends(require("admin"))]
UserRef = Annotated[str, Path(max_length=255, description="A user's id or name.")]


@router.get("", response_model=Page[UserRead])
def list_users(
    store: StoreDep,
    admin: Admin,
    service_accounts: Annotated[
        bool | None, Query(description="Only service accounts (true) or only people (false).")
    ] = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[UserRead]:
    """Users and service accounts by name."""
    return users.list_users(store, service_accounts, page, size)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead)
def create_user(body: UserCreate, store: StoreDep, admin: Admin) -> UserRead:
    """A new user with a password of 12 characters or more."""
    return users.create_user(store, body)


@router.get("/{user}", response_model=UserRead)
def get_user(user: UserRef, store: StoreDep, admin: Admin) -> UserRead:
    """A user by id or name."""
    return users.get_user_or_404(store, user)


@router.patch("/{user}", response_model=UserRead)
def update_user(user: UserRef, change: UserUpdate, store: StoreDep, admin: Admin) -> UserRead:
    """Change a user's full name, email or admin flag."""
    return users.update_user(store, admin, user, change)


@router.post("/{user}/deactivate", response_model=UserRead)
def deactivate_user(user: UserRef, store: StoreDep, admin: Admin) -> UserRead:
    """Deactivate a user; their sessions and API keys end at once."""
    return users.deactivate_user(store, admin, user)
