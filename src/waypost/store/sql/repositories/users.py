"""Users and service accounts, with argon2 password hashes."""

from __future__ import annotations

import builtins
import functools
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, func, select, update

from waypost.exceptions import ParameterError, StoreError
from waypost.schemas.access import DEFAULT_WORKSPACE_ID
from waypost.schemas.users import MIN_PASSWORD_LENGTH, UserRead
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.repositories._common import insert_row, not_found, row_by_id, row_by_ref
from waypost.store.sql.repositories.access import (
    forget_user,
    keeping_an_admin,
    on_new_user,
    set_org_admin,
)
from waypost.store.sql.tables import utcnow

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
        workspace_id: uuid.UUID | None = None,
        invited: bool = False,
    ) -> UserRead:
        """A new user; people need a password unless ``invited``, service accounts must not have one.

        An invited person starts without a password: they log in once by a one-time link and set
        one then. A service account belongs to a workspace (the default one unless named); the
        user's first grants are written in the same transaction (see ``access.on_new_user``).
        """
        if is_service_account and password is not None:
            raise ParameterError("Service accounts have no password; give them API keys.")
        if not is_service_account:
            if password is None and not invited:
                raise ParameterError("A user needs a password.")
            if password is not None:
                check_password(password)
        password_hash = _hasher().hash(password) if password is not None else None
        try:
            with self._s.write() as s:
                row = insert_row(
                    s,
                    db.users,
                    name=name,
                    full_name=full_name,
                    email=email,
                    is_active=True,
                    is_admin=is_admin,
                    is_service_account=is_service_account,
                    password_hash=password_hash,
                    workspace_id=(workspace_id or DEFAULT_WORKSPACE_ID) if is_service_account else None,
                )
                on_new_user(s, row["id"], is_admin=is_admin, workspace_id=row["workspace_id"])
            return UserRead.model_validate(row)
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(f"A user named '{name}' exists already; pick another name.") from None
            raise

    def get(self, ref: str | uuid.UUID) -> UserRead:
        """A user by id or name."""
        with self._s.read_conn() as s:
            row = row_by_ref(s, db.users, ref)
            if row is None:
                raise not_found("user", ref, "list the users to see their names")
            return UserRead.model_validate(row)

    def exists(self, name: str) -> bool:
        """Whether a user or service account named ``name`` exists."""
        with self._s.read_conn() as s:
            return s.scalar(select(db.users.c.id).where(db.users.c.name == name)) is not None

    def list(self, *, service_accounts: bool | None = None) -> builtins.list[UserRead]:
        """Users by name; only service accounts (True) or only people (False) when asked."""
        stmt = select(db.users).order_by(db.users.c.name)
        if service_accounts is not None:
            stmt = stmt.where(db.users.c.is_service_account == service_accounts)
        with self._s.read_conn() as s:
            return [UserRead.model_validate(r) for r in s.execute(stmt)]

    def count(self) -> int:
        """How many users (service accounts included) exist."""
        with self._s.read_conn() as s:
            return s.scalar(select(func.count()).select_from(db.users)) or 0

    def verify_password(self, name: str, password: str) -> UserRead | None:
        """The active user whose name and password these are, else None."""
        dummy = _dummy_hash()  # made before the lookup, so the first unknown name costs no more than a known one
        with self._s.read_conn() as s:
            row = s.execute(select(db.users).where(db.users.c.name == name)).first()
            stored = row.password_hash if row is not None and row.is_active else None
            user = UserRead.model_validate(row) if row is not None else None
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            _hasher().verify(stored or dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        return user if stored else None

    def has_password(self, user_id: uuid.UUID) -> bool:
        """Whether user ``user_id`` has a password (an invited person has none until they set one)."""
        with self._s.read_conn() as s:
            return _existing(s, user_id).password_hash is not None

    def set_password(self, user_id: uuid.UUID, password: str) -> None:
        """Replace a user's password (ending sessions and keys is the auth repository's job)."""
        check_password(password)
        password_hash = _hasher().hash(password)  # before the transaction: a hash takes ~0.1 s
        with self._s.write() as s:
            if _existing(s, user_id).is_service_account:
                raise ParameterError("Service accounts have no password; give them API keys.")
            _set(s, user_id, password_hash=password_hash)

    def set_active(self, user_id: uuid.UUID, active: bool) -> UserRead:
        """Activate or deactivate a user; a deactivated user is refused on the next request."""
        with self._s.write() as s:
            _existing(s, user_id)
            with keeping_an_admin(s):
                return _set(s, user_id, is_active=active)

    def deactivate(self, user_id: uuid.UUID) -> UserRead:
        """Deactivate a user and, in the same transaction, end their sessions and revoke their keys."""
        now = utcnow()
        with self._s.write() as s:
            _existing(s, user_id)
            s.execute(
                update(db.auth_sessions)
                .where(db.auth_sessions.c.user_id == user_id, db.auth_sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            s.execute(
                update(db.api_keys)
                .where(db.api_keys.c.user_id == user_id, db.api_keys.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            with keeping_an_admin(s):
                return _set(s, user_id, is_active=False)

    def update(
        self,
        user_id: uuid.UUID,
        *,
        full_name: str | None = None,
        email: str | None = None,
        is_admin: bool | None = None,
    ) -> UserRead:
        """Change a user's full name, email or admin flag; None leaves a field as it is."""
        changes = {"full_name": full_name, "email": email}
        with self._s.write() as s:
            _existing(s, user_id)
            if is_admin is not None:
                with keeping_an_admin(s):
                    set_org_admin(s, user_id, is_admin)
            return _set(s, user_id, **{k: v for k, v in changes.items() if v is not None})

    def delete(self, user_id: uuid.UUID) -> None:
        """Delete a user with its keys and sessions."""
        users = db.users
        with self._s.write() as s, keeping_an_admin(s):
            forget_user(s, user_id)
            if s.execute(users.delete().where(users.c.id == user_id)).rowcount == 0:
                raise not_found("user", user_id, "list the users to see their names")


def _existing(s: Connection, user_id: uuid.UUID) -> Row[Any]:
    """The user ``user_id``, or a one-line NotFoundError."""
    row = row_by_id(s, db.users, user_id)
    if row is None:
        raise not_found("user", user_id, "list the users to see their names")
    return row


def _set(s: Connection, user_id: uuid.UUID, **values: Any) -> UserRead:
    """Change columns of user ``user_id`` (none: only read it); the user as it is now."""
    if values:
        s.execute(update(db.users).where(db.users.c.id == user_id).values(**values))
    return UserRead.model_validate(_existing(s, user_id))
