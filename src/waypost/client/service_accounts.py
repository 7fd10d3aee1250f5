"""Service accounts and their API keys, against the configured store: local SQL or a Waypost server.

:class:`LocalServiceAccounts` writes to the SqlStore directly (the local user owns the database);
:class:`RemoteServiceAccounts` calls the server's admin-only ``/api/v1/auth/service-accounts``
routes as the logged-in user, so a non-admin is refused in the server's words. :func:`open_service_accounts`
picks one from the settings. :func:`key_into_secret` makes a key and stores it in a stack secret
without the key ever leaving this process, revoking it again when the secret cannot be written.
Errors are ours, one line each.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from waypost.client.stacks import StackBackend
from waypost.exceptions import NotFoundError, ParameterError, WaypostError
from waypost.schemas.stacks import SecretCreate, SecretRead, SecretUpdate
from waypost.schemas.users import ApiKeyCreate, ApiKeyCreated, ApiKeyRead, ServiceAccountCreate, UserRead
from waypost.settings import WaypostSettings, load_settings
from waypost.store.rest.http import Http
from waypost.store.sql.store import SqlStore

__all__ = [
    "DEFAULT_SECRET_KEY",
    "LocalServiceAccounts",
    "RemoteServiceAccounts",
    "ServiceAccountBackend",
    "StoredKey",
    "find_key",
    "is_active",
    "key_into_secret",
    "open_service_accounts",
    "secret_target",
]

#: The key of the secret a new API key goes into when ``--into-secret`` names only the secret.
DEFAULT_SECRET_KEY = "api_key"
_LIST_HINT = "`waypost service-account list` shows them"


class ServiceAccountBackend(Protocol):
    """What the ``waypost service-account`` commands need of a store."""

    where: str

    def create(self, name: str, full_name: str | None, is_admin: bool) -> UserRead:
        """A new service account (no password; it authenticates with API keys)."""
        ...

    def list(self) -> list[UserRead]:
        """Every service account, by name."""
        ...

    def get(self, ref: str) -> UserRead:
        """A service account by name or id; NotFoundError for a person or an unknown name."""
        ...

    def keys(self, account: UserRead) -> builtins.list[ApiKeyRead]:
        """The account's API keys, revoked ones included, newest first."""
        ...

    def create_key(self, account: UserRead, name: str, expires_at: datetime | None) -> ApiKeyCreated:
        """A new API key; the answer's ``key`` is its only copy."""
        ...

    def revoke_key(self, account: UserRead, key_id: uuid.UUID) -> None:
        """Revoke one of the account's keys at once."""
        ...

    def delete(self, account: UserRead) -> None:
        """Delete the account and its keys."""
        ...


def _not_found(ref: str) -> NotFoundError:
    return NotFoundError(f"No service account '{ref}' exists; {_LIST_HINT}.")


class LocalServiceAccounts:
    """Service accounts in a local SqlStore (no permission checks: the database is the user's own)."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.where = "the local store"

    def create(self, name: str, full_name: str | None, is_admin: bool) -> UserRead:
        body = ServiceAccountCreate(name=name, full_name=full_name, is_admin=is_admin)
        return self.store.users.create(
            body.name, full_name=body.full_name, is_admin=body.is_admin, is_service_account=True
        )

    def list(self) -> list[UserRead]:
        return self.store.users.list(service_accounts=True)

    def get(self, ref: str) -> UserRead:
        try:
            found = self.store.users.get(ref)
        except NotFoundError:
            raise _not_found(ref) from None
        if not found.is_service_account:
            raise ParameterError(f"'{found.name}' is a person, not a service account; {_LIST_HINT}.")
        return found

    def keys(self, account: UserRead) -> builtins.list[ApiKeyRead]:
        return self.store.auth.list_api_keys(account.id)

    def create_key(self, account: UserRead, name: str, expires_at: datetime | None) -> ApiKeyCreated:
        body = ApiKeyCreate(name=name, expires_at=expires_at)
        return self.store.auth.create_api_key(account.id, body.name, expires_at=body.expires_at)

    def revoke_key(self, account: UserRead, key_id: uuid.UUID) -> None:
        self.store.auth.revoke_api_key(key_id)

    def delete(self, account: UserRead) -> None:
        self.store.users.delete(account.id)


class RemoteServiceAccounts:
    """The service-account routes of a Waypost server, as the logged-in user (an admin)."""

    def __init__(self, http: Http) -> None:
        self.http = http
        self.where = http.url

    def create(self, name: str, full_name: str | None, is_admin: bool) -> UserRead:
        body = ServiceAccountCreate(name=name, full_name=full_name, is_admin=is_admin)
        made: UserRead = self.http.send("POST", "/auth/service-accounts", body, UserRead)
        return made

    def list(self) -> list[UserRead]:
        found: list[UserRead] = self.http.get("/auth/service-accounts", list[UserRead])
        return sorted(found, key=lambda a: a.name)

    def get(self, ref: str) -> UserRead:
        for account in self.list():
            if ref in (account.name, str(account.id)):
                return account
        raise _not_found(ref)

    def keys(self, account: UserRead) -> builtins.list[ApiKeyRead]:
        found: builtins.list[ApiKeyRead] = self.http.get(
            f"/auth/service-accounts/{account.id}/api-keys", list[ApiKeyRead]
        )
        return found

    def create_key(self, account: UserRead, name: str, expires_at: datetime | None) -> ApiKeyCreated:
        body = ApiKeyCreate(name=name, expires_at=expires_at)
        made: ApiKeyCreated = self.http.send(
            "POST", f"/auth/service-accounts/{account.id}/api-keys", body, ApiKeyCreated
        )
        return made

    def revoke_key(self, account: UserRead, key_id: uuid.UUID) -> None:
        self.http.send("DELETE", f"/auth/service-accounts/{account.id}/api-keys/{key_id}")

    def delete(self, account: UserRead) -> None:
        self.http.send("DELETE", f"/auth/service-accounts/{account.id}")


def is_active(key: ApiKeyRead, now: datetime | None = None) -> bool:
    """Whether ``key`` still authenticates: not revoked and not expired."""
    now = now or datetime.now(UTC)
    if key.revoked_at is not None:
        return False
    return key.expires_at is None or key.expires_at > now


def find_key(account: UserRead, keys: list[ApiKeyRead], ref: str) -> ApiKeyRead:
    """The key whose id, prefix or name is ``ref``; a name must pick one key that is not revoked."""
    for key in keys:
        if ref in (str(key.id), key.prefix):
            return key
    named = [k for k in keys if k.name == ref and k.revoked_at is None]
    if len(named) == 1:
        return named[0]
    hint = f"`waypost service-account list --json` shows the keys of {account.name} with their ids"
    if named:
        raise ParameterError(f"{len(named)} keys of {account.name} are named '{ref}'; give the key's id ({hint}).")
    raise NotFoundError(f"Service account {account.name} has no API key '{ref}'; {hint}.")


def secret_target(value: str) -> tuple[str, str]:
    """``SECRET[.KEY]`` as (secret, key): the key is what follows the last dot, ``api_key`` when none is given.

    The same reading as a ``{{secret.NAME.KEY}}`` reference, so a secret whose name holds a dot
    needs its key written out (``team.workers.api_key``).
    """
    from waypost.stacks.references import REFERENCE

    secret, dot, key = value.rpartition(".")
    if not dot:
        secret, key = value, DEFAULT_SECRET_KEY
    if not REFERENCE.fullmatch(f"{{{{secret.{secret}.{key}}}}}"):
        raise ParameterError(
            f"--into-secret '{value}' is not SECRET or SECRET.KEY; names use letters, digits, '_', '-' "
            "(and '.' in the secret's name), e.g. --into-secret dask-workers.api_key."
        )
    return secret, key


@dataclass(frozen=True)
class StoredKey:
    """A new API key (without its secret) and the stack secret that holds it."""

    key: ApiKeyRead
    secret: SecretRead
    secret_key: str
    created_secret: bool

    @property
    def reference(self) -> str:
        """How a component's configuration refers to the key."""
        return f"{{{{secret.{self.secret.name}.{self.secret_key}}}}}"


def _store(stacks: StackBackend, secret: str, key: str, value: str) -> tuple[SecretRead, bool]:
    """Set ``key`` of ``secret`` to ``value``, creating the secret when there is none; True when created."""
    try:
        stacks.get_secret(secret)
    except NotFoundError:
        return stacks.create_secret(SecretCreate(name=secret, values={key: value})), True
    return stacks.update_secret(secret, SecretUpdate(values={key: value})), False


def key_into_secret(
    accounts: ServiceAccountBackend,
    stacks: StackBackend,
    account: UserRead,
    *,
    name: str,
    expires_at: datetime | None,
    secret: str,
    secret_key: str,
) -> StoredKey:
    """Make a new API key of ``account`` and set it as ``secret_key`` of stack secret ``secret``.

    The key never leaves this process but into the secret. When the secret cannot be written, the
    key is revoked again and the error says so: nothing is left half-done.
    """
    made = accounts.create_key(account, name, expires_at)
    try:
        stored, created = _store(stacks, secret, secret_key, made.key)
    except BaseException as exc:  # Ctrl-C too: a key that was stored nowhere must not stay valid
        undo = _revoke(accounts, account, made.id)
        if not isinstance(exc, Exception):
            raise
        text = str(exc).replace(made.key, "********")  # an error that echoes its input must not show the key
        reason = (text.strip().splitlines() or [type(exc).__name__])[0].rstrip(".")
        where = f"Could not store the new API key of {account.name} in secret '{secret}' ({reason})"
        if undo is not None:
            raise WaypostError(
                f"{where}, nor revoke it ({undo}); revoke it with "
                f"`waypost service-account revoke {account.name} {made.id}`."
            ) from None
        raise WaypostError(f"{where}; the key was revoked again, nothing changed.") from None
    key = ApiKeyRead.model_validate(made.model_dump(exclude={"key"}))
    return StoredKey(key=key, secret=stored, secret_key=secret_key, created_secret=created)


def _revoke(accounts: ServiceAccountBackend, account: UserRead, key_id: uuid.UUID) -> str | None:
    """Revoke a key that was just made; the error's text when that fails too, else None."""
    try:
        accounts.revoke_key(account, key_id)
    except Exception as exc:
        return str(exc).strip().rstrip(".") or type(exc).__name__
    return None


@contextmanager
def open_service_accounts(settings: WaypostSettings | None = None) -> Iterator[ServiceAccountBackend]:
    """The service-account backend of the configured store (a server when logged in to one), closed afterwards."""
    settings = settings or load_settings()
    if settings.store_is_remote:
        http = Http(settings.store_url, settings.store.api_key, retries=2)
        try:
            yield RemoteServiceAccounts(http)
        finally:
            http.close()
        return
    store = SqlStore(settings.store_url, busy_timeout_s=settings.store.busy_timeout_s)
    try:
        yield LocalServiceAccounts(store)
    finally:
        store.close()
