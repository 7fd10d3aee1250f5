"""Users, service accounts, API keys and login on the wire."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.common import ReadModel

#: Passwords shorter than this are refused; there are no default or empty passwords.
MIN_PASSWORD_LENGTH = 12
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,254}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserRead(ReadModel):
    """A user or service account (never its password hash)."""

    id: UUID
    name: str
    full_name: str | None = None
    email: str | None = None
    is_active: bool
    is_admin: bool
    is_service_account: bool
    created_at: datetime


class UserCreate(_Strict):
    """A human user with a password."""

    name: str = Field(pattern=NAME_PATTERN)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    full_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    is_admin: bool = False


class UserInvite(_Strict):
    """A person to invite: they log in once by a link, then set their own password."""

    name: str = Field(pattern=NAME_PATTERN)
    full_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)


class LoginLink(BaseModel):
    """A one-time login link: it logs its user in once, until ``expires_at``; send it privately."""

    url: str
    expires_at: datetime


class Invitation(LoginLink):
    """A just-invited user and their one-time login link."""

    user: UserRead


def login_link_refusal(user: UserRead) -> str | None:
    """Why ``user`` may not get a one-time login link (one line), or None when they may."""
    if user.is_service_account:
        return f"'{user.name}' is a service account, which logs in with API keys; create one for it instead."
    if not user.is_active:
        return f"'{user.name}' is deactivated; a login link would not work. Invite them under a new name."
    return None


class UserUpdate(_Strict):
    """A change to a user; fields left out stay as they are."""

    full_name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    is_admin: bool | None = None


class ServiceAccountCreate(_Strict):
    """A service account: a user without a password that authenticates with API keys."""

    name: str = Field(pattern=NAME_PATTERN)
    full_name: str | None = Field(default=None, max_length=255)
    is_admin: bool = False


class ApiKeyCreate(_Strict):
    """A new API key; ``expires_at`` None means it never expires."""

    name: str = Field(min_length=1, max_length=255)
    expires_at: datetime | None = None


class ApiKeyRead(ReadModel):
    """An API key's record; the key itself is shown only once, at creation."""

    id: UUID
    user_id: UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyRead):
    """A just-created API key, with the secret ``key`` (not stored; shown this once)."""

    key: str


class LoginRequest(_Strict):
    """Username and password."""

    username: str = Field(min_length=1, max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class TokenExchange(_Strict):
    """A one-time login token (from the link ``waypost up`` prints)."""

    token: str = Field(min_length=1, max_length=255)


class PasswordChange(_Strict):
    """The current password and the new one; a user without a password yet (invited by link) leaves it out."""

    current_password: str | None = Field(default=None, min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class Me(BaseModel):
    """The caller, and for a browser session the CSRF token to echo in ``X-CSRF-Token``."""

    user: UserRead
    via: str
    csrf_token: str | None = None
    has_password: bool = Field(
        default=True, description="False for a user invited by link who has not set a password yet."
    )
