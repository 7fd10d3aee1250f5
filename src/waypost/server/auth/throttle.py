"""Password checks under attack: few at once, lock-out after repeated failures, every attempt audited.

An argon2 check takes 64 MiB and ~0.1 s of CPU, so unbounded concurrent logins exhaust memory.
:class:`PasswordChecks` lets ``password_check_concurrency`` run at once; the rest wait (without
holding a worker thread) up to ``password_check_wait_s``, then get 503. Before a check runs, the
account and the client address are looked up in the audit trail: ``login_failures_per_user``
failures of one account, or ``login_failures_per_address`` from one address, within
``login_lockout_window_s`` lock it (429 with Retry-After, no argon2) until the oldest of them
leaves the window. A successful login clears its account's count, not its address's.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from anyio import to_thread
from fastapi import HTTPException, Request, status

from waypost.schemas.users import UserRead
from waypost.settings import ServerSettings
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import utcnow

__all__ = ["FAILED", "LOCKED", "SUCCEEDED", "PasswordChecks", "client_address", "password_checks"]

FAILED = "login.failed"
LOCKED = "login.locked"
SUCCEEDED = "login.succeeded"
T = TypeVar("T")


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, its address unless uvicorn trusts it)."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Lock:
    """Why and until when logins are refused."""

    scope: str  # "user" or "address"
    until: datetime

    def refusal(self) -> HTTPException:
        """The 429 answer, with Retry-After in seconds."""
        seconds = max(1, math.ceil((self.until - utcnow()).total_seconds()))
        count, unit = (seconds, "second") if seconds < 60 else (math.ceil(seconds / 60), "minute")
        wait = f"{count} {unit}{'s' if count != 1 else ''}"
        whose = "" if self.scope == "user" else " from this address"
        return HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many failed logins{whose}; try again in {wait}.",
            headers={"Retry-After": str(seconds)},
        )


class PasswordChecks:
    """The per-process bound on concurrent password checks, and the lock-out rules of the settings."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:  # a semaphore belongs to one event loop
            self._semaphore = asyncio.Semaphore(self.settings.password_check_concurrency)
            self._loop = loop
        return self._semaphore

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the password-check slots; 503 when none frees up in time."""
        slots = self._slots()
        try:
            await asyncio.wait_for(slots.acquire(), self.settings.password_check_wait_s)
        except TimeoutError:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "The server is busy checking other passwords; try again in a few seconds.",
                headers={"Retry-After": "5"},
            ) from None
        try:
            yield
        finally:
            slots.release()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` (something that hashes or verifies a password) in a worker thread, in a slot."""
        async with self.slot():
            return await to_thread.run_sync(fn, *args)

    def lock(self, store: SqlStore, username: str, address: str) -> Lock | None:
        """The lock on this account or address, if any (blocking: call in a worker thread)."""
        now = utcnow()
        window = timedelta(seconds=self.settings.login_lockout_window_s)
        since = now - window
        last_success = store.audit.times(SUCCEEDED, since=since, target=username, limit=1)
        locks = []
        per_user = self.settings.login_failures_per_user
        failures = store.audit.times(FAILED, since=max([since, *last_success]), target=username, limit=per_user)
        if len(failures) >= per_user:
            locks.append(Lock("user", failures[per_user - 1] + window))
        per_address = self.settings.login_failures_per_address
        failures = store.audit.times(FAILED, since=since, client_address=address, limit=per_address)
        if len(failures) >= per_address:
            locks.append(Lock("address", failures[per_address - 1] + window))
        return max(locks, key=lambda lock: lock.until) if locks else None

    def _failed(self, store: SqlStore, username: str, address: str) -> None:
        store.audit.record(FAILED, client_address=address, target=username)
        lock = self.lock(store, username, address)
        if lock is not None:  # this failure locked it: say so once, not on every refused attempt
            until = lock.until.isoformat()
            store.audit.record(
                LOCKED, client_address=address, target=username, details={"scope": lock.scope, "until": until}
            )

    async def login(self, store: SqlStore, username: str, password: str, address: str) -> UserRead:
        """The user these credentials are; 401 when wrong, 429 while locked, 503 when too busy."""
        lock = await to_thread.run_sync(self.lock, store, username, address)
        if lock is not None:  # refused without queueing for a slot
            raise lock.refusal()
        async with self.slot():
            # Checks that ran while this one queued may have locked the account meanwhile.
            lock = await to_thread.run_sync(self.lock, store, username, address)
            if lock is not None:
                raise lock.refusal()
            user = await to_thread.run_sync(store.users.verify_password, username, password)
        if user is None:
            await to_thread.run_sync(self._failed, store, username, address)
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong username or password.")
        await to_thread.run_sync(self.succeeded, store, user, address, "password")
        return user

    @staticmethod
    def succeeded(store: SqlStore, user: UserRead, address: str, method: str) -> None:
        """Audit a login (blocking)."""
        store.audit.record(
            SUCCEEDED,
            actor_user_id=user.id,
            actor_name=user.name,
            client_address=address,
            target=user.name,
            details={"method": method},
        )


def password_checks(request: Request) -> PasswordChecks:
    """The app's :class:`PasswordChecks` (made on first use, from its settings)."""
    state = request.app.state
    checks: PasswordChecks | None = getattr(state, "password_checks", None)
    if checks is None:
        checks = PasswordChecks(state.settings.server)
        state.password_checks = checks
    return checks
