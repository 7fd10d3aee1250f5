"""The stack backend of a local SQL store: the repository directly, verify in this process.

The local store has no users: "your" active stack is the ``stack:`` key of your config file
(``waypost stack set`` outside a project folder writes it). Everything is in the workspace of the
active project (``waypost project set``). Verify resolves secrets and connector credentials here,
with the local encryption key, and runs the flavor's check in a worker thread with a time limit.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from waypost.exceptions import NotFoundError, ParameterError
from waypost.schemas.access import DEFAULT_NAME, DEFAULT_WORKSPACE_ID
from waypost.schemas.stacks import (
    ComponentCreate,
    ComponentRead,
    ComponentType,
    ComponentUpdate,
    ConnectorCreate,
    ConnectorRead,
    ConnectorType,
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
from waypost.settings import WaypostSettings, config_path, write_config
from waypost.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel

    from waypost.stacks.flavors import ConnectorCredentials, Flavor

__all__ = ["VERIFY_TIMEOUT_S", "LocalStacks", "verify_flavor"]

#: How long one verify may take before it is reported as timed out.
VERIFY_TIMEOUT_S = 30.0
_ALL = 1_000


def _hidden(flavor: type[Flavor], config: BaseModel, credentials: ConnectorCredentials | None) -> list[str]:
    """The secret values a verify message must not show: secret fields, connectors' secrets, resolved references."""
    from waypost.stacks.connectors import connector_secret_fields
    from waypost.stacks.flavors import secret_fields

    values = config.model_dump()
    hidden = [str(values[k]) for k in secret_fields(flavor) if values.get(k)]
    if credentials is not None:
        secret = connector_secret_fields(credentials.type)
        hidden += [str(v) for k, v in credentials.values.items() if k in secret and v]
    return hidden


def verify_flavor(
    flavor: type[Flavor],
    config: BaseModel,
    credentials: ConnectorCredentials | None,
    timeout_s: float,
    also_hide: list[str] | None = None,
) -> VerifyResult:
    """``flavor.verify`` in a worker thread, within ``timeout_s``: ok and what it reached, or the exact failure.

    The message never shows a secret value (secret fields, connector secrets, ``also_hide``).
    """
    from waypost.stacks.flavors import VerifyError
    from waypost.stacks.references import mask_text

    started = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="waypost-verify")
    try:
        future = pool.submit(flavor.verify, config, credentials)
        try:
            reached = future.result(timeout=timeout_s)
            ok, message, resource = True, "reachable", str(reached)
        except FutureTimeout:
            ok, message, resource = False, f"no answer within {timeout_s:g} s", None
        except VerifyError as exc:
            ok, message, resource = False, " ".join(str(exc).split()), None
        except Exception as exc:  # a plug-in's bug: report it, in one line
            ok, message, resource = False, f"{type(exc).__name__}: {' '.join(str(exc).split())}", None
    finally:
        pool.shutdown(wait=False)
    hidden = [*_hidden(flavor, config, credentials), *(also_hide or [])]
    return VerifyResult(
        ok=ok,
        message=mask_text(message, hidden),
        resource=mask_text(resource, hidden) if resource else None,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


class LocalStacks:
    """The stack repository of a local SqlStore, in the active project's workspace (no permission checks)."""

    is_remote = False

    def __init__(self, store: SqlStore, settings: WaypostSettings) -> None:
        self.store = store
        self.repo = store.stacks
        self.settings = settings
        self.where = "the local store"
        self._ws: uuid.UUID | None = None

    @property
    def ws(self) -> uuid.UUID:
        """The active project's workspace."""
        if self._ws is None:
            project = self.settings.project
            self._ws = (
                DEFAULT_WORKSPACE_ID if project == DEFAULT_NAME else self.store.access.get_project(project).workspace_id
            )
        return self._ws

    # -- flavors
    def flavors(self, type: ComponentType | None) -> list[FlavorRead]:
        from waypost.stacks.flavors import list_flavors

        return [f.read() for f in list_flavors(type)]

    def flavor(self, type: ComponentType, name: str) -> FlavorRead:
        from waypost.stacks.flavors import FlavorError, get_flavor

        try:
            return get_flavor(type, name).read()
        except FlavorError as exc:
            raise ParameterError(str(exc)) from None

    # -- components
    def list_components(self, type: ComponentType | None) -> list[ComponentRead]:
        return self.repo.list_components(self.ws, type=type, size=_ALL).items

    def get_component(self, ref: str, type: ComponentType | None) -> ComponentRead:
        return self.repo.get_component(ref, type=type, workspace_id=self.ws)

    def create_component(self, body: ComponentCreate) -> ComponentRead:
        return self.repo.create_component(body, workspace_id=self.ws)

    def update_component(self, ref: str, type: ComponentType | None, body: ComponentUpdate) -> ComponentRead:
        return self.repo.update_component(ref, body, type=type, workspace_id=self.ws)

    def delete_component(self, ref: str, type: ComponentType | None) -> ComponentRead:
        return self.repo.delete_component(ref, type=type, workspace_id=self.ws)

    def verify_component(self, ref: str, type: ComponentType | None) -> VerifyResult:
        found = self.get_component(ref, type)
        flavor, config, credentials = self.repo.resolve_component(found.id, workspace_id=self.ws)
        return verify_flavor(flavor, config, credentials, VERIFY_TIMEOUT_S, self._referenced(found.config))

    def _referenced(self, config: dict[str, Any]) -> list[str]:
        """The values of the secrets ``config`` refers to (to be masked in messages)."""
        from waypost.stacks.references import references

        out: list[str] = []
        for name in sorted({name for name, _ in references(config)}):
            with contextlib.suppress(NotFoundError):
                out += list(self.repo.secret_values(name, workspace_id=self.ws).values())
        return out

    # -- stacks
    def list_stacks(self) -> list[StackRead]:
        return self.repo.list_stacks(self.ws, size=_ALL).items

    def get_stack(self, ref: str) -> StackRead:
        return self.repo.get_stack(ref, workspace_id=self.ws)

    def create_stack(self, body: StackCreate) -> StackRead:
        return self.repo.create_stack(body, workspace_id=self.ws)

    def update_stack(self, ref: str, body: StackUpdate) -> StackRead:
        return self.repo.update_stack(ref, body, workspace_id=self.ws)

    def copy_stack(self, ref: str, name: str) -> StackRead:
        return self.repo.copy_stack(ref, name, workspace_id=self.ws)

    def delete_stack(self, ref: str) -> StackRead:
        deleted = self.repo.delete_stack(ref, workspace_id=self.ws)
        if self._user_stack() == deleted.name:
            write_config({"stack": None})
        return deleted

    def verify_stack(self, ref: str) -> dict[ComponentType, VerifyResult]:
        stack = self.get_stack(ref)
        resolved = self.repo.resolved_components(stack.id, workspace_id=self.ws)
        hide = [v for c in stack.components.values() for v in self._referenced(c.config)]
        return {t: verify_flavor(f, c, cred, VERIFY_TIMEOUT_S, hide) for t, (f, c, cred) in resolved.items()}

    def _user_stack(self) -> str | None:
        from waypost.execution.stacks import user_stack

        return user_stack(config_path())

    def active_stack(self) -> StackRead:
        """Your active stack: the config file's ``stack:``, else the workspace's default stack."""
        named = self._user_stack()
        if named:
            try:
                return self.get_stack(named)
            except NotFoundError:
                raise NotFoundError(
                    f"Your active stack '{named}' (in {config_path()}) does not exist; "
                    "`waypost stack set NAME` picks another."
                ) from None
        return self.repo.active_stack(None, self.ws)

    def set_active_stack(self, ref: str) -> StackRead:
        stack = self.get_stack(ref)
        write_config({"stack": None if stack.is_default else stack.name})
        return stack

    # -- secrets
    def list_secrets(self) -> list[SecretRead]:
        return self.repo.list_secrets(self.ws, size=_ALL).items

    def get_secret(self, ref: str) -> SecretRead:
        return self.repo.get_secret(ref, workspace_id=self.ws)

    def create_secret(self, body: SecretCreate) -> SecretRead:
        return self.repo.create_secret(body, workspace_id=self.ws)

    def update_secret(self, ref: str, body: SecretUpdate) -> SecretRead:
        return self.repo.update_secret(ref, body, workspace_id=self.ws)

    def delete_secret(self, ref: str) -> SecretRead:
        return self.repo.delete_secret(ref, workspace_id=self.ws)

    # -- connectors
    def list_connectors(self) -> list[ConnectorRead]:
        return self.repo.list_connectors(self.ws, size=_ALL).items

    def get_connector(self, ref: str) -> ConnectorRead:
        return self.repo.get_connector(ref, workspace_id=self.ws)

    def create_connector(self, body: ConnectorCreate) -> ConnectorRead:
        return self.repo.create_connector(body, workspace_id=self.ws)

    def update_connector(self, ref: str, body: ConnectorUpdate) -> ConnectorRead:
        return self.repo.update_connector(ref, body, workspace_id=self.ws)

    def delete_connector(self, ref: str) -> ConnectorRead:
        return self.repo.delete_connector(ref, workspace_id=self.ws)

    def verify_connector(self, ref: str, resource: str | None) -> VerifyResult:
        credentials = self.repo.connector_credentials(ref, workspace_id=self.ws)
        flavor, config = _connector_target(credentials, resource)
        return verify_flavor(flavor, config, credentials, VERIFY_TIMEOUT_S)


def _connector_target(credentials: ConnectorCredentials, resource: str | None) -> tuple[type[Flavor], Any]:
    """What verifying a connector reaches: for ``aws``, the S3 bucket ``resource`` names."""
    from waypost.stacks.flavors import get_flavor

    if credentials.type != ConnectorType.AWS:
        raise ParameterError(
            f"A {credentials.type.value} connector is verified through the component that uses it: "
            "`waypost component verify TYPE NAME`."
        )
    if not resource or not resource.startswith("s3://"):
        raise ParameterError("Name the bucket to reach: --resource s3://BUCKET[/PREFIX].")
    flavor = get_flavor(ComponentType.ARTIFACT_STORE, "s3")
    values = credentials.values
    try:
        config = {"path": resource, "endpoint_url": values.get("endpoint_url"), "region": values.get("region")}
        return flavor, flavor.config.model_validate(config)
    except ValueError:
        raise ParameterError(f"'{resource}' is not an S3 bucket path; give s3://BUCKET[/PREFIX].") from None
