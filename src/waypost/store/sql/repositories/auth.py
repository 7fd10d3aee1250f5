"""API keys, browser sessions and one-time login tokens; only hashes of their secrets are stored.

Every ``resolve_*`` reads the database, so revocation, expiry and deactivation take effect on
the very next request.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from waypost.exceptions import ParameterError, StoreError
from waypost.schemas.users import ApiKeyCreated, ApiKeyRead, UserRead
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import insert_row, not_found, row_by_id
from waypost.store.sql.tables import utcnow

KEY_PREFIX = "wpk"
SESSION = "session"
LOGIN_TOKEN = "login_token"
#: ``last_used_at`` is rewritten at most this often per key, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)
log = logging.getLogger("waypost.store")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AuthRepository:
    """Credentials other than passwords."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    # -- API keys ---------------------------------------------------------------------
    def create_api_key(self, user_id: uuid.UUID, name: str, *, expires_at: datetime | None = None) -> ApiKeyCreated:
        """A new key for ``user_id``; the returned ``key`` is the only copy of the secret."""
        if expires_at is not None and expires_at.tzinfo is None:
            raise ParameterError("expires_at needs a timezone, e.g. 2026-12-31T00:00:00Z.")
        prefix = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        key = f"{KEY_PREFIX}_{prefix}_{secret}"
        with self._s.write() as s:
            if row_by_id(s, db.users, user_id) is None:
                raise not_found("user", user_id, "list the users to see their names")
            row = insert_row(
                s, db.api_keys, user_id=user_id, name=name, prefix=prefix, key_hash=_hash(key), expires_at=expires_at
            )
        return ApiKeyCreated(**ApiKeyRead.model_validate(row).model_dump(), key=key)

    def resolve_api_key(self, key: str) -> UserRead | None:
        """The active user a valid, unexpired, unrevoked key belongs to, else None."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        now = utcnow()
        with self._s.read() as s:
            found = s.execute(
                select(
                    db.api_keys.c.id,
                    db.api_keys.c.key_hash,
                    db.api_keys.c.revoked_at,
                    db.api_keys.c.expires_at,
                    db.api_keys.c.last_used_at,
                    *[c.label(f"user_{c.name}") for c in db.users.c],
                )
                .join(db.users, db.users.c.id == db.api_keys.c.user_id)
                .where(db.api_keys.c.prefix == parts[1])
            ).first()
            if found is None:
                return None
            row = found
            if not hmac.compare_digest(row.key_hash, _hash(key)):
                return None
            if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
                return None
            if not row.user_is_active:
                return None
            stale = row.last_used_at is None or row.last_used_at <= now - LAST_USED_EVERY
            resolved = UserRead.model_validate({c.name: getattr(row, f"user_{c.name}") for c in db.users.c})
        if stale:
            self._touch(row.id, now)
        return resolved

    def _touch(self, key_id: uuid.UUID, now: datetime) -> None:
        """Record that a key was used; at most one write per key per LAST_USED_EVERY, never a failed request."""
        fresh = or_(db.api_keys.c.last_used_at.is_(None), db.api_keys.c.last_used_at <= now - LAST_USED_EVERY)
        try:
            with self._s.write() as s:
                # The condition makes concurrent requests with one key write once between them.
                s.execute(update(db.api_keys).where(db.api_keys.c.id == key_id, fresh).values(last_used_at=now))
        except StoreError as exc:  # a busy database must not turn a valid key into an error
            log.warning("Could not record the use of API key %s: %s", key_id, exc)

    def list_api_keys(self, user_id: uuid.UUID, *, include_revoked: bool = True) -> builtins.list[ApiKeyRead]:
        """A user's keys, newest first (revoked ones too unless ``include_revoked`` is False)."""
        stmt = select(db.api_keys).where(db.api_keys.c.user_id == user_id)
        if not include_revoked:
            stmt = stmt.where(db.api_keys.c.revoked_at.is_(None))
        with self._s.read() as s:
            rows = s.execute(stmt.order_by(db.api_keys.c.created_at.desc()))
            return [ApiKeyRead.model_validate(r) for r in rows]

    def get_api_key(self, key_id: uuid.UUID) -> ApiKeyRead:
        """One key's record."""
        with self._s.read_conn() as s:
            row = row_by_id(s, db.api_keys, key_id)
            if row is None:
                raise not_found("API key", key_id, "list the keys to see their ids")
            return ApiKeyRead.model_validate(row)

    def revoke_api_key(self, key_id: uuid.UUID) -> None:
        """Revoke a key at once (revoking twice is harmless)."""
        keys = db.api_keys
        with self._s.write() as s:
            if row_by_id(s, keys, key_id) is None:
                raise not_found("API key", key_id, "list the keys to see their ids")
            s.execute(update(keys).where(keys.c.id == key_id, keys.c.revoked_at.is_(None)).values(revoked_at=utcnow()))

    def revoke_user_api_keys(self, user_id: uuid.UUID) -> None:
        """Revoke every key of a user."""
        with self._s.write() as s:
            s.execute(
                update(db.api_keys)
                .where(db.api_keys.c.user_id == user_id, db.api_keys.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )

    # -- sessions and one-time login tokens -------------------------------------------
    def create_session(self, user_id: uuid.UUID, ttl_s: float) -> str:
        """A new browser session; returns its token (the cookie value)."""
        return self._issue(user_id, SESSION, ttl_s)

    def resolve_session(self, token: str) -> UserRead | None:
        """The active user of a live session, else None."""
        return self._resolve(token, SESSION, consume=False)

    def end_session(self, token: str) -> None:
        """End one session (logout)."""
        with self._s.write() as s:
            s.execute(
                update(db.auth_sessions)
                .where(db.auth_sessions.c.token_hash == _hash(token), db.auth_sessions.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )

    def end_user_sessions(self, user_id: uuid.UUID, *, keep: str | None = None) -> None:
        """End every session of a user, except the one whose token is ``keep``."""
        stmt = update(db.auth_sessions).where(
            db.auth_sessions.c.user_id == user_id, db.auth_sessions.c.revoked_at.is_(None)
        )
        if keep is not None:
            stmt = stmt.where(db.auth_sessions.c.token_hash != _hash(keep))
        with self._s.write() as s:
            s.execute(stmt.values(revoked_at=utcnow()))

    def create_login_token(self, user_id: uuid.UUID, ttl_s: float = 600) -> str:
        """A single-use login token (the link ``waypost up`` prints)."""
        return self._issue(user_id, LOGIN_TOKEN, ttl_s)

    def redeem_login_token(self, token: str) -> UserRead | None:
        """The user of a live login token, which is used up by this call; else None."""
        return self._resolve(token, LOGIN_TOKEN, consume=True)

    def _issue(self, user_id: uuid.UUID, kind: str, ttl_s: float) -> str:
        token = secrets.token_urlsafe(32)
        with self._s.write() as s:
            if row_by_id(s, db.users, user_id) is None:
                raise not_found("user", user_id, "list the users to see their names")
            insert_row(
                s,
                db.auth_sessions,
                user_id=user_id,
                kind=kind,
                token_hash=_hash(token),
                expires_at=utcnow() + timedelta(seconds=ttl_s),
            )
        return token

    def _resolve(self, token: str, kind: str, *, consume: bool) -> UserRead | None:
        now = utcnow()
        live = (
            db.auth_sessions.c.token_hash == _hash(token),
            db.auth_sessions.c.kind == kind,
            db.auth_sessions.c.revoked_at.is_(None),
            db.auth_sessions.c.expires_at > now,
        )
        if consume:
            with self._s.write() as s:
                # One UPDATE both checks and uses the token, so two racing redeems cannot both win.
                used = s.execute(update(db.auth_sessions).where(*live).values(revoked_at=now))
                if used.rowcount != 1:
                    return None
                user = s.execute(
                    select(db.users)
                    .join(db.auth_sessions, db.auth_sessions.c.user_id == db.users.c.id)
                    .where(db.auth_sessions.c.token_hash == _hash(token))
                ).first()
                return UserRead.model_validate(user) if user is not None and user.is_active else None
        with self._s.read() as s:
            user = s.execute(
                select(db.users).join(db.auth_sessions, db.auth_sessions.c.user_id == db.users.c.id).where(*live)
            ).first()
            return UserRead.model_validate(user) if user is not None and user.is_active else None
