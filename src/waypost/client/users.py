"""Invites and one-time login links, against the configured store: local SQL or a Waypost server.

:class:`LocalInvites` writes to the SqlStore directly (the local user owns the database) and
makes links to the server that ``waypost up`` runs on it; :class:`RemoteInvites` calls the
server's ``/api/v1/users`` routes, which check ``member:manage_members`` and write the audit log.
:func:`open_invites` picks one from the settings. Errors are ours, one line each.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote, urlencode

import httpx

from waypost.exceptions import NotFoundError, ParameterError, WaypostError
from waypost.schemas.users import Invitation, LoginLink, UserInvite, UserRead, login_link_refusal
from waypost.settings import WaypostSettings, load_settings
from waypost.store.rest.http import ERROR_HEADER, Http
from waypost.store.sql.store import SqlStore

__all__ = ["InviteBackend", "LocalInvites", "RemoteInvites", "invite_or_link", "open_invites"]


class InviteBackend(Protocol):
    """What ``waypost user invite`` needs of a store."""

    where: str

    def invite(self, name: str, full_name: str | None, email: str | None) -> Invitation:
        """Create a person without a password and make their first login link."""
        ...

    def login_link(self, ref: str) -> tuple[UserRead, LoginLink]:
        """A fresh login link for an existing, active person."""
        ...


class LocalInvites:
    """Invites in a local SqlStore; the links point at ``login_url`` (the server ``waypost up`` runs)."""

    def __init__(self, store: SqlStore, login_url: str, ttl_s: int) -> None:
        self.store = store
        self.login_url = login_url
        self.ttl_s = ttl_s
        self.where = "the local store"

    def _link(self, user: UserRead) -> LoginLink:
        expires_at = datetime.now(UTC) + timedelta(seconds=self.ttl_s)
        token = self.store.auth.create_login_token(user.id, ttl_s=self.ttl_s)
        return LoginLink(url=f"{self.login_url}?{urlencode({'token': token})}", expires_at=expires_at)

    def invite(self, name: str, full_name: str | None, email: str | None) -> Invitation:
        body = UserInvite(name=name, full_name=full_name, email=email)
        user = self.store.users.create(body.name, full_name=body.full_name, email=body.email, invited=True)
        link = self._link(user)
        return Invitation(user=user, url=link.url, expires_at=link.expires_at)

    def login_link(self, ref: str) -> tuple[UserRead, LoginLink]:
        user = self.store.users.get(ref)
        refusal = login_link_refusal(user)
        if refusal is not None:
            raise ParameterError(refusal)
        return user, self._link(user)


class _InviteHttp(Http):
    """The RestStore's HTTP client, except that a refusal (403) is reported as the server words it."""

    def error(self, response: httpx.Response) -> WaypostError:
        if response.status_code == 403 and ERROR_HEADER not in response.headers:
            try:
                detail = str(response.json().get("detail", ""))
            except ValueError:
                detail = ""
            if detail.startswith(("You lack", "This needs", "Only an")):
                return WaypostError(detail)
        return super().error(response)


class RemoteInvites:
    """The user routes of a Waypost server, as the logged-in user."""

    def __init__(self, http: Http) -> None:
        self.http = http
        self.where = http.url

    def invite(self, name: str, full_name: str | None, email: str | None) -> Invitation:
        body = {"name": name, "full_name": full_name, "email": email}
        made: Invitation = self.http.send("POST", "/users/invitations", body, Invitation)
        return made

    def login_link(self, ref: str) -> tuple[UserRead, LoginLink]:
        user: UserRead = self.http.get(f"/users/{quote(ref, safe='')}", UserRead)
        link: LoginLink = self.http.send("POST", f"/users/{user.id}/login-link", None, LoginLink)
        return user, link


def invite_or_link(
    backend: InviteBackend, name: str, full_name: str | None, email: str | None
) -> tuple[Invitation, bool]:
    """Invite ``name``, or, when they exist already, make them a fresh login link; True when they existed."""
    try:
        user, link = backend.login_link(name)
    except NotFoundError:
        return backend.invite(name, full_name, email), False
    return Invitation(user=user, url=link.url, expires_at=link.expires_at), True


@contextmanager
def open_invites(settings: WaypostSettings | None = None, *, server_url: str) -> Iterator[InviteBackend]:
    """The invite backend of the configured store (a server when logged in to one), closed afterwards.

    ``server_url`` is where the local store's server is reached (``waypost up``'s address); a
    remote server names its own.
    """
    settings = settings or load_settings()
    if settings.store_is_remote:
        http = _InviteHttp(settings.store_url, settings.store.api_key, retries=2)
        try:
            yield RemoteInvites(http)
        finally:
            http.close()
        return
    store = SqlStore(settings.store_url, busy_timeout_s=settings.store.busy_timeout_s)
    try:
        yield LocalInvites(store, f"{server_url}/login", settings.server.invite_ttl_s)
    finally:
        store.close()
