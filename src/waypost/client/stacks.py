"""Stacks, components, secrets and service connectors, against the configured store: local SQL or a server.

:class:`StackBackend` is the one interface the ``waypost stack|component|connector|secret``
commands use. :class:`LocalStacks` calls the SqlStore's stack repository (the local user owns
the database: no permission checks; secrets are decrypted in this process with the local key),
:class:`RemoteStacks` calls the server's ``/api/v1`` stack routes as the logged-in user, in the
active project's workspace. :func:`open_stacks` picks one from the settings. Both validate the
same way (the store's repository does it, behind the server too) and never return secret values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import quote

from waypost.client.stacks_local import LocalStacks
from waypost.schemas.stacks import (
    ComponentCreate,
    ComponentRead,
    ComponentType,
    ComponentUpdate,
    ConnectorCreate,
    ConnectorRead,
    ConnectorUpdate,
    FlavorRead,
    SecretCreate,
    SecretRead,
    SecretUpdate,
    StackCreate,
    StackRead,
    StackUpdate,
    VerifyResult,
)
from waypost.settings import WaypostSettings, load_settings
from waypost.store.sql.store import SqlStore

__all__ = ["LocalStacks", "RemoteStacks", "StackBackend", "open_stacks"]


class StackBackend(Protocol):
    """What the stack commands need of a store."""

    where: str
    is_remote: bool

    def flavors(self, type: ComponentType | None) -> list[FlavorRead]: ...
    def flavor(self, type: ComponentType, name: str) -> FlavorRead: ...

    def list_components(self, type: ComponentType | None) -> list[ComponentRead]: ...
    def get_component(self, ref: str, type: ComponentType | None) -> ComponentRead: ...
    def create_component(self, body: ComponentCreate) -> ComponentRead: ...
    def update_component(self, ref: str, type: ComponentType | None, body: ComponentUpdate) -> ComponentRead: ...
    def delete_component(self, ref: str, type: ComponentType | None) -> ComponentRead: ...
    def verify_component(self, ref: str, type: ComponentType | None) -> VerifyResult: ...

    def list_stacks(self) -> list[StackRead]: ...
    def get_stack(self, ref: str) -> StackRead: ...
    def create_stack(self, body: StackCreate) -> StackRead: ...
    def update_stack(self, ref: str, body: StackUpdate) -> StackRead: ...
    def copy_stack(self, ref: str, name: str) -> StackRead: ...
    def delete_stack(self, ref: str) -> StackRead: ...
    def verify_stack(self, ref: str) -> dict[ComponentType, VerifyResult]: ...
    def active_stack(self) -> StackRead: ...
    def set_active_stack(self, ref: str) -> StackRead: ...

    def list_secrets(self) -> list[SecretRead]: ...
    def get_secret(self, ref: str) -> SecretRead: ...
    def create_secret(self, body: SecretCreate) -> SecretRead: ...
    def update_secret(self, ref: str, body: SecretUpdate) -> SecretRead: ...
    def delete_secret(self, ref: str) -> SecretRead: ...

    def list_connectors(self) -> list[ConnectorRead]: ...
    def get_connector(self, ref: str) -> ConnectorRead: ...
    def create_connector(self, body: ConnectorCreate) -> ConnectorRead: ...
    def update_connector(self, ref: str, body: ConnectorUpdate) -> ConnectorRead: ...
    def delete_connector(self, ref: str) -> ConnectorRead: ...
    def verify_connector(self, ref: str, resource: str | None) -> VerifyResult: ...


def _seg(value: str) -> str:
    return quote(value, safe="")


def _type_param(type: ComponentType | None) -> str | None:
    return type.value if type is not None else None


class RemoteStacks:
    """The stack routes of a Waypost server, as the logged-in user, in the active project's workspace."""

    is_remote = True

    def __init__(self, http: Any) -> None:
        self.http = http
        self.where = http.url

    def _send(self, method: str, path: str, body: Any, into: Any, **params: Any) -> Any:
        response = self.http.request(method, path, json=body, params=params or None)
        return None if into is None else into.model_validate_json(response.content)

    # -- flavors
    def flavors(self, type: ComponentType | None) -> list[FlavorRead]:
        return list(self.http.get("/flavors", list[FlavorRead], type=_type_param(type)))

    def flavor(self, type: ComponentType, name: str) -> FlavorRead:
        found: FlavorRead = self.http.get(f"/flavors/{type.value}/{_seg(name)}", FlavorRead)
        return found

    # -- components
    def list_components(self, type: ComponentType | None) -> list[ComponentRead]:
        return self.http.all_pages("/components", ComponentRead, type=_type_param(type))  # type: ignore[no-any-return]

    def get_component(self, ref: str, type: ComponentType | None) -> ComponentRead:
        found: ComponentRead = self.http.get(f"/components/{_seg(ref)}", ComponentRead, type=_type_param(type))
        return found

    def create_component(self, body: ComponentCreate) -> ComponentRead:
        made: ComponentRead = self._send("POST", "/components", body, ComponentRead)
        return made

    def update_component(self, ref: str, type: ComponentType | None, body: ComponentUpdate) -> ComponentRead:
        path = f"/components/{_seg(ref)}"
        changed: ComponentRead = self._send("PATCH", path, _patch(body), ComponentRead, type=_type_param(type))
        return changed

    def delete_component(self, ref: str, type: ComponentType | None) -> ComponentRead:
        found = self.get_component(ref, type)
        self._send("DELETE", f"/components/{found.id}", None, None)
        return found

    def verify_component(self, ref: str, type: ComponentType | None) -> VerifyResult:
        path = f"/components/{_seg(ref)}/verify"
        result: VerifyResult = self._send("POST", path, None, VerifyResult, type=_type_param(type))
        return result

    # -- stacks
    def list_stacks(self) -> list[StackRead]:
        return self.http.all_pages("/stacks", StackRead)  # type: ignore[no-any-return]

    def get_stack(self, ref: str) -> StackRead:
        found: StackRead = self.http.get(f"/stacks/{_seg(ref)}", StackRead)
        return found

    def create_stack(self, body: StackCreate) -> StackRead:
        made: StackRead = self._send("POST", "/stacks", body, StackRead)
        return made

    def update_stack(self, ref: str, body: StackUpdate) -> StackRead:
        changed: StackRead = self._send("PATCH", f"/stacks/{_seg(ref)}", _patch(body), StackRead)
        return changed

    def copy_stack(self, ref: str, name: str) -> StackRead:
        made: StackRead = self._send("POST", f"/stacks/{_seg(ref)}/copy", {"name": name}, StackRead)
        return made

    def delete_stack(self, ref: str) -> StackRead:
        found = self.get_stack(ref)
        self._send("DELETE", f"/stacks/{found.id}", None, None)
        return found

    def verify_stack(self, ref: str) -> dict[ComponentType, VerifyResult]:
        response = self.http.request("POST", f"/stacks/{_seg(ref)}/verify")
        return {ComponentType(k): VerifyResult.model_validate(v) for k, v in response.json().items()}

    def active_stack(self) -> StackRead:
        found: StackRead = self.http.get("/stacks/active", StackRead)
        return found

    def set_active_stack(self, ref: str) -> StackRead:
        made: StackRead = self._send("PUT", "/stacks/active", {"stack": ref}, StackRead)
        return made

    # -- secrets
    def list_secrets(self) -> list[SecretRead]:
        return self.http.all_pages("/secrets", SecretRead)  # type: ignore[no-any-return]

    def get_secret(self, ref: str) -> SecretRead:
        found: SecretRead = self.http.get(f"/secrets/{_seg(ref)}", SecretRead)
        return found

    def create_secret(self, body: SecretCreate) -> SecretRead:
        made: SecretRead = self._send("POST", "/secrets", body, SecretRead)
        return made

    def update_secret(self, ref: str, body: SecretUpdate) -> SecretRead:
        changed: SecretRead = self._send("PATCH", f"/secrets/{_seg(ref)}", _patch(body), SecretRead)
        return changed

    def delete_secret(self, ref: str) -> SecretRead:
        found = self.get_secret(ref)
        self._send("DELETE", f"/secrets/{found.id}", None, None)
        return found

    # -- connectors
    def list_connectors(self) -> list[ConnectorRead]:
        return self.http.all_pages("/connectors", ConnectorRead)  # type: ignore[no-any-return]

    def get_connector(self, ref: str) -> ConnectorRead:
        found: ConnectorRead = self.http.get(f"/connectors/{_seg(ref)}", ConnectorRead)
        return found

    def create_connector(self, body: ConnectorCreate) -> ConnectorRead:
        made: ConnectorRead = self._send("POST", "/connectors", body, ConnectorRead)
        return made

    def update_connector(self, ref: str, body: ConnectorUpdate) -> ConnectorRead:
        changed: ConnectorRead = self._send("PATCH", f"/connectors/{_seg(ref)}", _patch(body), ConnectorRead)
        return changed

    def delete_connector(self, ref: str) -> ConnectorRead:
        found = self.get_connector(ref)
        self._send("DELETE", f"/connectors/{found.id}", None, None)
        return found

    def verify_connector(self, ref: str, resource: str | None) -> VerifyResult:
        path = f"/connectors/{_seg(ref)}/verify"
        result: VerifyResult = self._send("POST", path, {"resource": resource}, VerifyResult)
        return result


def _patch(body: Any) -> dict[str, Any]:
    """An update's JSON with only the fields that were set (a left-out field stays as it is)."""
    dumped: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True)
    return dumped


@contextmanager
def open_stacks(settings: WaypostSettings | None = None) -> Iterator[StackBackend]:
    """The stack backend of the configured store (a server when logged in to one), closed afterwards."""
    settings = settings or load_settings()
    if settings.store_is_remote:
        from waypost.client.access import _AccessHttp

        http = _AccessHttp(settings.store_url, settings.store.api_key, retries=2, project=settings.project)
        try:
            yield RemoteStacks(http)
        finally:
            http.close()
        return
    store = SqlStore(settings.store_url, busy_timeout_s=settings.store.busy_timeout_s, project=settings.project)
    try:
        yield LocalStacks(store, settings)
    finally:
        store.close()
