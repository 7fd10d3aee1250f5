"""Dependency aliases every route uses: the stores, the caller, and the permission a route needs.

Every API route declares either ``require(permission)`` (directly, or through ``CurrentUser``)
or ``public()``; :func:`waypost.server.app.create_app` refuses to build an app with a route
that declares neither (fail closed)::

    @router.get("/runs")
    def list_runs(store: StoreDep, user: CurrentUser) -> Page[RunRead]: ...

    @router.delete("/runs/{run_id}", dependencies=[Depends(require("write"))])
    def delete_run(run_id: uuid.UUID, store: StoreDep) -> None: ...

    @router.get("/health", dependencies=[public()])
    def health() -> dict[str, str]: ...

The caller is looked up on every request (no caching), so deactivating a user, revoking a
key, logging out or changing a password ends access at once. Within one request it is looked
up once: when :class:`~waypost.server.middleware.BodyGuard` authenticated the caller before
the body was read, ``require`` uses that answer (kept in the request's state).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, HTTPException, Query, Request, params

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import NotFoundError
from waypost.schemas.access import PERMISSIONS as CATALOG
from waypost.schemas.access import PROJECT_HEADER, EffectiveAccess
from waypost.schemas.users import UserRead
from waypost.store.sql.store import SqlStore

__all__ = [
    "CSRF_HEADER",
    "JSON_ONLY",
    "PERMISSIONS",
    "SESSION_COOKIE",
    "ActiveProject",
    "ArtifactStoreDep",
    "CurrentUser",
    "Principal",
    "ProjectScope",
    "StoreDep",
    "authorize",
    "authorize_any",
    "cookie_name",
    "csrf_token_for",
    "is_json",
    "project_scope",
    "public",
    "remember_caller",
    "require",
    "session_token",
]

PERMISSIONS = ("read", "write", "admin")
SESSION_COOKIE = "waypost_session"
CSRF_COOKIE = "waypost_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Attribute set on the callables of ``require`` and ``public``; create_app looks for it.
AUTH_MARKER = "__waypost_auth__"
#: The request-state attribute holding the caller once authenticated (see :func:`remember_caller`).
_PRINCIPAL_STATE = "waypost_principal"
JSON_ONLY = "This endpoint takes a JSON body; send Content-Type: application/json."


def get_store(request: Request) -> SqlStore:
    """The app's metadata store."""
    store: SqlStore = request.app.state.store
    return store


def get_artifact_store(request: Request) -> ArtifactStore:
    """The app's artifact store."""
    artifacts: ArtifactStore = request.app.state.artifact_store
    return artifacts


StoreDep = Annotated[SqlStore, Depends(get_store)]
ArtifactStoreDep = Annotated[ArtifactStore, Depends(get_artifact_store)]


@dataclass(frozen=True)
class Principal:
    """Who is calling, how they proved it, and every permission they hold (read once per request)."""

    user_id: uuid.UUID
    name: str
    is_admin: bool
    via: Literal["session", "api_key"]
    access: EffectiveAccess = field(default_factory=EffectiveAccess.full, repr=False)

    def can(self, permission: str) -> bool:
        """Whether ``permission`` holds somewhere: the legacy "read"/"write" hold for every user, "admin" for admins."""
        if permission in ("read", "write"):
            return True
        if permission == "admin":
            return self.is_admin or self.access.is_org_admin
        return self.access.anywhere(permission)


@dataclass(frozen=True)
class ProjectScope:
    """Where a project resource lives, for permission checks and for naming the scope in a refusal."""

    project_id: uuid.UUID
    workspace_id: uuid.UUID
    path: str  # "workspace/project"


def project_scope(store: SqlStore, project_id: uuid.UUID) -> ProjectScope:
    """The scope of project ``project_id`` (a 404 when it does not exist)."""
    try:
        project = store.access.get_project(project_id)
    except NotFoundError:
        raise HTTPException(status_code=404, detail=f"No project '{project_id}' exists.") from None
    return ProjectScope(project.id, project.workspace_id, project.path)


def authorize(
    principal: Principal,
    permission: str,
    *,
    scope: ProjectScope | None = None,
    resource: tuple[str, uuid.UUID] | None = None,
) -> None:
    """Refuse (403) unless ``principal`` holds ``permission`` in ``scope`` (or on ``resource``, when shared).

    With no scope the permission must hold organization-wide. The one check every route uses.
    """
    access = principal.access
    if scope is None:
        if access.can(permission, resource=resource):
            return
        raise HTTPException(
            status_code=403,
            detail=f"You lack the '{permission}' permission in the organization; ask an organization Admin for it.",
        )
    if access.can(permission, workspace_id=scope.workspace_id, project_id=scope.project_id, resource=resource):
        return
    raise HTTPException(
        status_code=403,
        detail=(
            f"You lack the '{permission}' permission in project '{scope.path}'; "
            "ask an Admin of the project or its workspace for a role that has it."
        ),
    )


def authorize_any(
    principal: Principal,
    permissions: tuple[str, ...],
    *,
    scope: ProjectScope | None = None,
    resource: tuple[str, uuid.UUID] | None = None,
) -> None:
    """Refuse (403, naming the first) unless ``principal`` holds one of ``permissions`` in ``scope``."""
    where: dict[str, Any] = (
        {} if scope is None else {"workspace_id": scope.workspace_id, "project_id": scope.project_id}
    )
    if any(principal.access.can(name, resource=resource, **where) for name in permissions[1:]):
        return
    authorize(principal, permissions[0], scope=scope, resource=resource)


def _active_project(
    header: Annotated[str | None, Header(alias=PROJECT_HEADER, max_length=600, include_in_schema=False)] = None,
    project: Annotated[str | None, Query(max_length=600, include_in_schema=False)] = None,
) -> str | None:
    """The project a request names: ``?project=`` or the X-Waypost-Project header (id, "ws/project" or name)."""
    ref = (project or header or "").strip()
    return ref or None


ActiveProject = Annotated[str | None, Depends(_active_project)]
"""The project a request works in, as sent (None: no project named); lists narrow to it, records go to it."""


def cookie_name(request: Request, base: str) -> str:
    """``base`` plus the port the browser used: cookies ignore ports, so two servers on one host would clash.

    The dashboard derives the same name from ``location.port`` (empty on a default port).
    """
    port = request.url.port
    return f"{base}_{port}" if port else base


def session_token(request: Request) -> str | None:
    """The session cookie's value, if the request carries one."""
    return request.cookies.get(cookie_name(request, SESSION_COOKIE))


def csrf_token_for(session_token: str) -> str:
    """The CSRF token bound to a session: the SPA echoes it in ``X-CSRF-Token``."""
    return hashlib.sha256(b"waypost-csrf\0" + session_token.encode()).hexdigest()


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def authenticate(request: Request, store: SqlStore) -> Principal:
    """The caller, from ``Authorization: Bearer <api key>`` or the session cookie; 401/403 otherwise."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _unauthorized("The Authorization header must be 'Bearer <api key>'.")
        user = store.auth.resolve_api_key(key.strip())
        if user is None:
            raise _unauthorized("The API key is invalid, expired or revoked; create a new one.")
        return _principal(user, "api_key", store)
    token = session_token(request)
    if token:
        user = store.auth.resolve_session(token)
        if user is None:
            raise _unauthorized("Your session has ended; log in again.")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), csrf_token_for(token).encode()):
                raise HTTPException(
                    status_code=403, detail=f"Missing or wrong {CSRF_HEADER} header; reload the page and retry."
                )
        return _principal(user, "session", store)
    raise _unauthorized("Not authenticated; log in or send 'Authorization: Bearer <api key>'.")


def _principal(user: UserRead, via: Literal["session", "api_key"], store: SqlStore) -> Principal:
    # An organization Admin (the column mirrors a direct grant) holds everything: no query needed.
    access = EffectiveAccess.full() if user.is_admin else store.access.effective(user.id)
    return Principal(
        user_id=user.id, name=user.name, is_admin=user.is_admin or access.is_org_admin, via=via, access=access
    )


def remember_caller(request: Request, principal: Principal) -> None:
    """Keep this request's authenticated caller, so that ``require`` does not look it up again."""
    setattr(request.state, _PRINCIPAL_STATE, principal)


def _caller(request: Request, store: SqlStore) -> Principal:
    known: Principal | None = getattr(request.state, _PRINCIPAL_STATE, None)
    return known if known is not None else authenticate(request, store)


def is_json(content_type: bytes) -> bool:
    """Whether a Content-Type header names JSON (``application/json`` or ``application/*+json``)."""
    main = content_type.split(b";")[0].strip().lower()
    return main == b"application/json" or (main.startswith(b"application/") and main.endswith(b"+json"))


def check_json_body(request: Request) -> None:
    """Refuse a body that is not JSON (415) on a route that takes a JSON body."""
    if request.method in SAFE_METHODS:
        return
    route = request.scope.get("route")
    body_field = getattr(route, "body_field", None)
    if body_field is None:  # no body, or one the route reads raw (uploads)
        return
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    if not has_body:
        return
    if not is_json(request.headers.get("content-type", "").encode("latin-1")):
        raise HTTPException(status_code=415, detail=JSON_ONLY)


def require(permission: str) -> Callable[..., Principal]:
    """A dependency that authenticates the caller and checks ``permission`` ("read", "write", "admin").

    Use as ``Depends(require("write"))``; it returns the :class:`Principal`.
    """
    if permission not in PERMISSIONS and permission not in CATALOG:
        raise ValueError(f"Unknown permission '{permission}'; use one of {', '.join(PERMISSIONS)} or the catalogue's.")

    def dependency(request: Request, store: StoreDep) -> Principal:
        principal = _caller(request, store)
        check_json_body(request)
        if not principal.can(permission):
            raise HTTPException(
                status_code=403,
                detail=(
                    f"This needs the '{permission}' permission, which you hold nowhere; "
                    "ask an Admin for a role with it."
                ),
            )
        return principal

    setattr(dependency, AUTH_MARKER, permission)
    dependency.__name__ = f"require_{permission}"
    return dependency


def _public(request: Request) -> None:
    check_json_body(request)


setattr(_public, AUTH_MARKER, "public")


def public() -> Any:
    """Marks a route that needs no authentication: ``dependencies=[public()]``."""
    marker: params.Depends = Depends(_public)
    return marker


def auth_markers(dependant: Any) -> set[str]:
    """The auth markers (permissions or "public") anywhere in a route's dependency tree."""
    found: set[str] = set()
    stack = [dependant]
    while stack:
        node = stack.pop()
        mark = getattr(node.call, AUTH_MARKER, None) if node.call is not None else None
        if mark is not None:
            found.add(mark)
        stack.extend(node.dependencies)
    return found


CurrentUser = Annotated[Principal, Depends(require("read"))]
