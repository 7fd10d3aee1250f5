"""Users and service accounts, with argon2 password hashes."""

from __future__ import annotations

import builtins
import functools
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from waypost.exceptions import ParameterError, StoreError
from waypost.schemas.users import MIN_PASSWORD_LENGTH, UserRead
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.orm import ApiKey, AuthSession, User, utcnow
from waypost.store.sql.repositories._common import not_found, parse_id

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@functools.cache
def _hasher() -> PasswordHasher:
    # Loaded on first use: argon2 comes with the server extra, and a pipeline run never hashes.
    from argon2 import PasswordHasher

    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong name costs as long as a wrong password.

    Made on first use: one argon2 hash costs ~0.1 s, which every process opening a store paid at import.
    """
    return _hasher().hash("waypost-no-such-user")


def check_password(password: str) -> None:
    """Refuse empty or short passwords."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ParameterError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")


class UserRepository:
    """Users (people, with passwords) and service accounts (API keys only)."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def create(
        self,
        name: str,
        *,
        password: str | None = None,
        is_admin: bool = False,
        is_service_account: bool = False,
        full_name: str | None = None,
        email: str | None = None,
    ) -> UserRead:
        """A new user; people need a password, service accounts must not have one."""
        if is_service_account and password is not None:
            raise ParameterError("Service accounts have no password; give them API keys.")
        if not is_service_account:
            if password is None:
                raise ParameterError("A user needs a password.")
            check_password(password)
        row = User(
            name=name,
            full_name=full_name,
            email=email,
            is_active=True,
            is_admin=is_admin,
            is_service_account=is_service_account,
            password_hash=_hasher().hash(password) if password is not None else None,
        )
        try:
            with self._s.write() as s:
                s.add(row)
                s.flush()
                return UserRead.model_validate(row)
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(f"A user named '{name}' exists already; pick another name.") from None
            raise

    def get(self, ref: str | uuid.UUID) -> UserRead:
        """A user by id or name."""
        rid = parse_id(ref)
        with self._s.read() as s:
            row = s.get(User, rid) if rid else s.scalar(select(User).where(User.name == str(ref)))
            if row is None:
                raise not_found("user", ref, "list the users to see their names")
            return UserRead.model_validate(row)

    def exists(self, name: str) -> bool:
        """Whether a user or service account named ``name`` exists."""
        with self._s.read() as s:
            return s.scalar(select(User.id).where(User.name == name)) is not None

    def list(self, *, service_accounts: bool | None = None) -> builtins.list[UserRead]:
        """Users by name; only service accounts (True) or only people (False) when asked."""
        stmt = select(User).order_by(User.name)
        if service_accounts is not None:
            stmt = stmt.where(User.is_service_account == service_accounts)
        with self._s.read() as s:
            return [UserRead.model_validate(r) for r in s.scalars(stmt)]

    def count(self) -> int:
        """How many users (service accounts included) exist."""
        with self._s.read() as s:
            return s.scalar(select(func.count()).select_from(User)) or 0

    def verify_password(self, name: str, password: str) -> UserRead | None:
        """The active user whose name and password these are, else None."""
        dummy = _dummy_hash()  # made before the lookup, so the first unknown name costs no more than a known one
        with self._s.read() as s:
            row = s.scalar(select(User).where(User.name == name))
            stored = row.password_hash if row is not None and row.is_active else None
            user = UserRead.model_validate(row) if row is not None else None
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            _hasher().verify(stored or dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return user if stored else None

    def set_password(self, user_id: uuid.UUID, password: str) -> None:
        """Replace a user's password (ending sessions and keys is the auth repository's job)."""
        check_password(password)
        with self._s.write() as s:
            row = s.get(User, user_id)
            if row is None:
                raise not_found("user", user_id, "list the users to see their names")
            if row.is_service_account:
                raise ParameterError("Service accounts have no password; give them API keys.")
            row.password_hash = _hasher().hash(password)

    def set_active(self, user_id: uuid.UUID, active: bool) -> UserRead:
        """Activate or deactivate a user; a deactivated user is refused on the next request."""
        with self._s.write() as s:
            row = s.get(User, user_id)
            if row is None:
                raise not_found("user", user_id, "list the users to see their names")
            row.is_active = active
            s.flush()
            return UserRead.model_validate(row)

    def deactivate(self, user_id: uuid.UUID) -> UserRead:
        """Deactivate a user and, in the same transaction, end their sessions and revoke their keys."""
        now = utcnow()
        with self._s.write() as s:
            row = s.get(User, user_id)
            if row is None:
                raise not_found("user", user_id, "list the users to see their names")
            row.is_active = False
            s.execute(
                update(AuthSession)
                .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            s.execute(
                update(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
            )
            s.flush()
            return UserRead.model_validate(row)

    def update(
        self,
        user_id: uuid.UUID,
        *,
        full_name: str | None = None,
        email: str | None = None,
        is_admin: bool | None = None,
    ) -> UserRead:
        """Change a user's full name, email or admin flag; None leaves a field as it is."""
        with self._s.write() as s:
            row = s.get(User, user_id)
            if row is None:
                raise not_found("user", user_id, "list the users to see their names")
            if full_name is not None:
                row.full_name = full_name
            if email is not None:
                row.email = email
            if is_admin is not None:
                row.is_admin = is_admin
            s.flush()
            return UserRead.model_validate(row)

    def delete(self, user_id: uuid.UUID) -> None:
        """Delete a user with its keys and sessions."""
        with self._s.write() as s:
            row = s.get(User, user_id)
            if row is None:
                raise not_found("user", user_id, "list the users to see their names")
            s.delete(row)
