"""Stacks, components, secrets and service connectors of a workspace, and each user's active stack.

Validation lives here, so that the server and a local CLI refuse the same things with the same
one-line :class:`~waypost.exceptions.ParameterError`: a flavor's configuration is checked against
its model, a stack holds one component per type with the required ones and no conflicts, a
connector suits its component's flavor, and every ``{{secret.NAME.KEY}}`` resolves when saved.
Each change is one transaction: a refused change leaves nothing behind.

Secret values (of secrets, of connectors' secret fields) are encrypted with
:class:`~waypost.stacks.crypto.Cipher`; reads never return them. Components' secret-marked fields
given literally come back as :data:`~waypost.stacks.references.MASK`, and an update that sends
the mask keeps the stored value. Only :meth:`StackRepository.secret_values`,
:meth:`~StackRepository.connector_credentials` and :meth:`~StackRepository.resolved_components`
decrypt, for the runtime and for verify.
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Row, Table, and_, delete, func, select, update
from sqlalchemy.sql.elements import ColumnElement

from waypost.exceptions import NotFoundError, ParameterError, StoreError
from waypost.schemas.access import DEFAULT_NAME, DEFAULT_WORKSPACE_ID
from waypost.schemas.common import Page
from waypost.schemas.stacks import (
    ComponentCreate,
    ComponentRead,
    ComponentType,
    ComponentUpdate,
    ConnectorCreate,
    ConnectorRead,
    ConnectorType,
    ConnectorUpdate,
    SecretCreate,
    SecretRead,
    SecretUpdate,
    StackComponentSnapshot,
    StackCreate,
    StackRead,
    StackSnapshot,
    StackUpdate,
)
from waypost.stacks.connectors import connector_secret_fields, split_connector_config
from waypost.stacks.flavors import ConnectorCredentials, Flavor, FlavorError, check_stack, get_flavor, secret_fields
from waypost.stacks.flavors import validate_config as flavor_validate_config
from waypost.stacks.references import MASK, REFERENCE, UnresolvedSecretError, mask_config, references, resolve
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.repositories._common import insert_row, parse_id
from waypost.store.sql.tables import utcnow

if TYPE_CHECKING:
    from waypost.stacks.crypto import Cipher

__all__ = ["ResolvedComponent", "StackRepository", "create_default_stack", "default_stack_ids"]

#: What the runtime and verify need of one component: its flavor, its checked config with secrets
#: resolved, and its connector's credentials (None without one).
ResolvedComponent = tuple[type[Flavor], BaseModel, ConnectorCredentials | None]
_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,99}$")
_WorkspaceIds = uuid.UUID | Iterable[uuid.UUID] | None


def default_stack_ids(workspace_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The fixed ids of a workspace's default stack, its local orchestrator and its local artifact store."""
    return (
        uuid.uuid5(workspace_id, "stack:default"),
        uuid.uuid5(workspace_id, "component:orchestrator:default"),
        uuid.uuid5(workspace_id, "component:artifact_store:default"),
    )


def create_default_stack(s: Connection, workspace_id: uuid.UUID) -> None:
    """Give a new workspace its ``default`` stack (local orchestrator, local artifact store), in ``s``'s transaction."""
    stack_id, orchestrator_id, artifact_store_id = default_stack_ids(workspace_id)
    for component_id, ctype, description in (
        (orchestrator_id, ComponentType.ORCHESTRATOR, "Runs the steps in this process."),
        (artifact_store_id, ComponentType.ARTIFACT_STORE, "The artifact store of the settings (artifact_store.uri)."),
    ):
        insert_row(
            s,
            db.stack_components,
            id=component_id,
            workspace_id=workspace_id,
            name=DEFAULT_NAME,
            type=ctype.value,
            flavor="local",
            config={},
            description=description,
        )
    insert_row(
        s,
        db.stacks,
        id=stack_id,
        workspace_id=workspace_id,
        name=DEFAULT_NAME,
        description="The local orchestrator and the local artifact store.",
    )
    s.execute(
        db.stack_component_links.insert(),
        [
            {"stack_id": stack_id, "component_id": orchestrator_id, "component_type": "orchestrator"},
            {"stack_id": stack_id, "component_id": artifact_store_id, "component_type": "artifact_store"},
        ],
    )


def _words(ctype: ComponentType | str) -> str:
    return ComponentType(ctype).value.replace("_", " ")


def _flag(ctype: ComponentType | str) -> str:
    return ComponentType(ctype).value.replace("_", "-")


def _invalid(exc: Exception) -> ParameterError:
    """A flavor's or a reference's complaint as the store's one-line error."""
    return ParameterError(" ".join(str(exc).split()))


class StackRepository:
    """Components, stacks, secrets and connectors; every method names the workspace it works in."""

    def __init__(self, sessions: Sessions, cipher: Cipher | None = None) -> None:
        self._s = sessions
        self._cipher = cipher

    @property
    def cipher(self) -> Cipher:
        """The cipher of secrets (from the settings, on first use)."""
        if self._cipher is None:
            from waypost.settings import load_settings
            from waypost.stacks.crypto import Cipher

            self._cipher = Cipher.from_settings(load_settings())
        return self._cipher

    @cipher.setter
    def cipher(self, value: Cipher) -> None:
        self._cipher = value

    # -- workspaces ---------------------------------------------------------------------------

    def workspace_id(self, ref: str | uuid.UUID | None) -> uuid.UUID:
        """A workspace's id from its id or name (None: the default workspace)."""
        with self._s.read_conn() as s:
            return _workspace(s, ref)

    # -- components ---------------------------------------------------------------------------

    def create_component(
        self,
        body: ComponentCreate,
        *,
        workspace_id: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> ComponentRead:
        """Register a component (its config checked, its references resolving, its connector suiting it)."""
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id if workspace_id is not None else body.workspace)
                flavor = _flavor(body.type, body.flavor)
                config = _checked_config(s, ws, flavor, body.config)
                connector_id = _connector_for(s, ws, flavor, body.connector) if body.connector else None
                row = insert_row(
                    s,
                    db.stack_components,
                    workspace_id=ws,
                    name=body.name,
                    type=flavor.type.value,
                    flavor=flavor.name,
                    config=config,
                    connector_id=connector_id,
                    description=body.description,
                    created_by=created_by,
                )
                return _components(s, db.stack_components.c.id == row["id"])[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A {_words(body.type)} named '{body.name}' exists already in this workspace; pick another name."
                ) from None
            raise

    def list_components(
        self,
        workspace_id: _WorkspaceIds = None,
        *,
        type: ComponentType | str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[ComponentRead]:
        """Components by type and name; only those of ``workspace_id`` (one id or several) when given."""
        check_page(page, size)
        c = db.stack_components
        conds = _in_workspaces(c, workspace_id)
        if type is not None:
            conds.append(c.c.type == _ctype(type).value)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(c).where(*conds)) or 0
            items = _components(s, and_(*conds) if conds else None, page=page, size=size)
        return Page(items=items, total=total, page=page, size=size)

    def get_component(
        self,
        ref: str | uuid.UUID,
        *,
        type: ComponentType | str | None = None,
        workspace_id: str | uuid.UUID | None = None,
    ) -> ComponentRead:
        """A component by id, or by name (and ``type`` where names repeat across types)."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            row = _component_row(s, ws, ref, type)
            return _components(s, db.stack_components.c.id == row.id)[0]

    def update_component(
        self,
        ref: str | uuid.UUID,
        change: ComponentUpdate,
        *,
        type: ComponentType | str | None = None,
        workspace_id: str | uuid.UUID | None = None,
    ) -> ComponentRead:
        """Change a component; ``config`` replaces the whole config (a secret field sent as the mask keeps it)."""
        given = change.model_fields_set
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id)
                row = _component_row(s, ws, ref, type)
                flavor = _flavor(row.type, row.flavor)
                values: dict[str, Any] = {"updated_at": utcnow()}
                if "name" in given and change.name is not None:
                    values["name"] = change.name
                if "config" in given and change.config is not None:
                    kept = _unmask(change.config, row.config, secret_fields(flavor), f"component '{row.name}'")
                    values["config"] = _checked_config(s, ws, flavor, kept)
                if "connector" in given:
                    values["connector_id"] = (
                        _connector_for(s, ws, flavor, change.connector) if change.connector else None
                    )
                if "description" in given:
                    values["description"] = change.description
                s.execute(update(db.stack_components).where(db.stack_components.c.id == row.id).values(**values))
                return _components(s, db.stack_components.c.id == row.id)[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A {_words(row.type)} named '{change.name}' exists already in this workspace; pick another name."
                ) from None
            raise

    def delete_component(
        self,
        ref: str | uuid.UUID,
        *,
        type: ComponentType | str | None = None,
        workspace_id: str | uuid.UUID | None = None,
    ) -> ComponentRead:
        """Delete a component no stack holds; returns it as it was."""
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _component_row(s, ws, ref, type)
            found = _components(s, db.stack_components.c.id == row.id)[0]
            if found.stacks:
                names = ", ".join(f"'{n}'" for n in found.stacks)
                raise ParameterError(
                    f"The {_words(row.type)} '{row.name}' is used by stack(s) {names}; give them another "
                    f"{_words(row.type)} (`waypost stack update STACK --{_flag(row.type)} NAME`) or delete them first."
                )
            s.execute(delete(db.stack_components).where(db.stack_components.c.id == row.id))
            return found

    def prepare_component(
        self,
        type: ComponentType | str,
        flavor: str,
        config: Mapping[str, Any],
        *,
        connector: str | uuid.UUID | None = None,
        workspace_id: str | uuid.UUID | None = None,
    ) -> ResolvedComponent:
        """A component as it would run, not saved (verify before registering): checked, resolved, with credentials."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            found = _flavor(type, flavor)
            stored = _checked_config(s, ws, found, config)
            connector_id = _connector_for(s, ws, found, connector) if connector else None
            return self._resolve(s, ws, found, stored, connector_id)

    def resolve_component(
        self,
        ref: str | uuid.UUID,
        *,
        type: ComponentType | str | None = None,
        workspace_id: str | uuid.UUID | None = None,
    ) -> ResolvedComponent:
        """A saved component as it runs: its config with secrets resolved, and its connector's credentials."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            row = _component_row(s, ws, ref, type)
            return self._resolve(s, ws, _flavor(row.type, row.flavor), row.config, row.connector_id)

    # -- stacks -------------------------------------------------------------------------------

    def create_stack(
        self,
        body: StackCreate,
        *,
        workspace_id: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> StackRead:
        """A new stack of registered components (one per type; orchestrator and artifact store required)."""
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id if workspace_id is not None else body.workspace)
                chosen = {_ctype(t): _component_row(s, ws, ref, t) for t, ref in body.components.items()}
                _check_stack(chosen)
                row = insert_row(
                    s, db.stacks, workspace_id=ws, name=body.name, description=body.description, created_by=created_by
                )
                _link(s, row["id"], chosen)
                return _stacks(s, db.stacks.c.id == row["id"])[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A stack named '{body.name}' exists already in this workspace; pick another name."
                ) from None
            raise

    def list_stacks(self, workspace_id: _WorkspaceIds = None, *, page: int = 1, size: int = 50) -> Page[StackRead]:
        """Stacks by name (the default first); only those of ``workspace_id`` (one id or several) when given."""
        check_page(page, size)
        conds = _in_workspaces(db.stacks, workspace_id)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(db.stacks).where(*conds)) or 0
            items = _stacks(s, and_(*conds) if conds else None, page=page, size=size)
        return Page(items=items, total=total, page=page, size=size)

    def list_stacks_by_ids(self, ids: Iterable[uuid.UUID]) -> builtins.list[StackRead]:
        """The stacks ``ids`` (those shared with a caller), by name."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        with self._s.read() as s:
            return _stacks(s, db.stacks.c.id.in_(wanted))

    def get_stack(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> StackRead:
        """A stack by id or name."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            return _stacks(s, db.stacks.c.id == _stack_row(s, ws, ref).id)[0]

    def update_stack(
        self, ref: str | uuid.UUID, change: StackUpdate, *, workspace_id: str | uuid.UUID | None = None
    ) -> StackRead:
        """Rename a stack, change its description, or set (a name or id) or remove (None) components by type."""
        given = change.model_fields_set
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id)
                row = _stack_row(s, ws, ref)
                values: dict[str, Any] = {"updated_at": utcnow()}
                if "name" in given and change.name is not None and change.name != row.name:
                    if row.id == default_stack_ids(ws)[0]:
                        raise ParameterError(
                            "The default stack cannot be renamed; copy it (`waypost stack copy default NEW`) instead."
                        )
                    values["name"] = change.name
                if "description" in given:
                    values["description"] = change.description
                if "components" in given and change.components is not None:
                    current = {
                        ComponentType(r.type): r
                        for r in s.execute(
                            select(db.stack_components)
                            .join(
                                db.stack_component_links,
                                db.stack_component_links.c.component_id == db.stack_components.c.id,
                            )
                            .where(db.stack_component_links.c.stack_id == row.id)
                        )
                    }
                    for t, comp_ref in change.components.items():
                        ctype = _ctype(t)
                        if comp_ref is None:
                            current.pop(ctype, None)
                        else:
                            current[ctype] = _component_row(s, ws, comp_ref, ctype)
                    _check_stack(current)
                    s.execute(delete(db.stack_component_links).where(db.stack_component_links.c.stack_id == row.id))
                    _link(s, row.id, current)
                s.execute(update(db.stacks).where(db.stacks.c.id == row.id).values(**values))
                return _stacks(s, db.stacks.c.id == row.id)[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A stack named '{change.name}' exists already in this workspace; pick another name."
                ) from None
            raise

    def copy_stack(
        self,
        ref: str | uuid.UUID,
        new_name: str,
        *,
        workspace_id: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> StackRead:
        """A new stack named ``new_name`` holding the same components."""
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id)
                source = _stack_row(s, ws, ref)
                links = s.execute(
                    select(db.stack_component_links.c.component_id, db.stack_component_links.c.component_type).where(
                        db.stack_component_links.c.stack_id == source.id
                    )
                ).all()
                row = insert_row(
                    s,
                    db.stacks,
                    workspace_id=ws,
                    name=new_name,
                    description=source.description,
                    created_by=created_by,
                )
                if links:
                    s.execute(
                        db.stack_component_links.insert(),
                        [{"stack_id": row["id"], "component_id": c, "component_type": t} for c, t in links],
                    )
                return _stacks(s, db.stacks.c.id == row["id"])[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A stack named '{new_name}' exists already in this workspace; pick another name."
                ) from None
            raise

    def delete_stack(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> StackRead:
        """Delete a stack (not the default one); users whose active stack it was fall back to the default."""
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _stack_row(s, ws, ref)
            if row.id == default_stack_ids(ws)[0]:
                raise ParameterError(
                    "The default stack cannot be deleted; it is what runs use when no stack is chosen."
                )
            found = _stacks(s, db.stacks.c.id == row.id)[0]
            s.execute(delete(db.stack_component_links).where(db.stack_component_links.c.stack_id == row.id))
            s.execute(delete(db.stacks).where(db.stacks.c.id == row.id))
            return found

    def set_active_stack(
        self, user_id: uuid.UUID, workspace_id: str | uuid.UUID | None, stack: str | uuid.UUID
    ) -> StackRead:
        """Make ``stack`` the user's active stack in the workspace."""
        active = db.active_stacks
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _stack_row(s, ws, stack)
            s.execute(delete(active).where(active.c.user_id == user_id, active.c.workspace_id == ws))
            s.execute(
                active.insert(), [{"user_id": user_id, "workspace_id": ws, "stack_id": row.id, "updated_at": utcnow()}]
            )
            return _stacks(s, db.stacks.c.id == row.id)[0]

    def active_stack(self, user_id: uuid.UUID | None, workspace_id: str | uuid.UUID | None = None) -> StackRead:
        """The user's active stack in the workspace; the workspace's default stack when none is set."""
        active = db.active_stacks
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            chosen = None
            if user_id is not None:
                chosen = s.scalar(
                    select(active.c.stack_id).where(active.c.user_id == user_id, active.c.workspace_id == ws)
                )
            found = _stacks(s, db.stacks.c.id == (chosen or default_stack_ids(ws)[0]))
            if not found:
                found = _stacks(s, and_(db.stacks.c.workspace_id == ws, db.stacks.c.name == DEFAULT_NAME))
            if not found:
                raise NotFoundError(
                    "This workspace has no default stack; register one with `waypost stack register default ...`."
                )
            return found[0]

    def resolved_components(
        self, stack: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None
    ) -> dict[ComponentType, ResolvedComponent]:
        """Each component of ``stack`` as it runs: flavor, config with secrets resolved, connector credentials."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            row = _stack_row(s, ws, stack)
            out: dict[ComponentType, ResolvedComponent] = {}
            for comp in _stack_component_rows(s, [row.id]):
                flavor = _flavor(comp.type, comp.flavor)
                out[ComponentType(comp.type)] = self._resolve(s, ws, flavor, comp.config, comp.connector_id)
            return out

    def snapshot(self, stack: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> StackSnapshot:
        """The stack as a run records it: component configs masked, secret references as written."""
        found = self.get_stack(stack, workspace_id=workspace_id)
        return StackSnapshot(
            id=found.id,
            name=found.name,
            components={
                t: StackComponentSnapshot(id=c.id, name=c.name, flavor=c.flavor, config=c.config, connector=c.connector)
                for t, c in found.components.items()
            },
        )

    # -- secrets ------------------------------------------------------------------------------

    def create_secret(
        self,
        body: SecretCreate,
        *,
        workspace_id: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> SecretRead:
        """A new secret; its values are encrypted, only their keys are ever shown."""
        _check_keys(body.values)
        ciphertext = self.cipher.encrypt(dict(body.values))
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id if workspace_id is not None else body.workspace)
                row = insert_row(
                    s,
                    db.secrets,
                    workspace_id=ws,
                    name=body.name,
                    description=body.description,
                    key_names=sorted(body.values),
                    ciphertext=ciphertext,
                    created_by=created_by,
                )
                return _secrets(s, db.secrets.c.id == row["id"])[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A secret named '{body.name}' exists already in this workspace; update it "
                    f"(`waypost secret update {body.name}`) or pick another name."
                ) from None
            raise

    def list_secrets(self, workspace_id: _WorkspaceIds = None, *, page: int = 1, size: int = 50) -> Page[SecretRead]:
        """Secrets by name, without values; only those of ``workspace_id`` (one id or several) when given."""
        check_page(page, size)
        conds = _in_workspaces(db.secrets, workspace_id)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(db.secrets).where(*conds)) or 0
            items = _secrets(s, and_(*conds) if conds else None, page=page, size=size)
        return Page(items=items, total=total, page=page, size=size)

    def get_secret(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> SecretRead:
        """A secret by id or name: its key names, never its values."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            return _secrets(s, db.secrets.c.id == _secret_row(s, ws, ref).id)[0]

    def update_secret(
        self, ref: str | uuid.UUID, change: SecretUpdate, *, workspace_id: str | uuid.UUID | None = None
    ) -> SecretRead:
        """Set keys (a None value removes one); ``replace`` drops the keys not given. Keys in use cannot go."""
        given = change.model_fields_set
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _secret_row(s, ws, ref)
            values: dict[str, Any] = {"updated_at": utcnow()}
            if change.values is not None or change.replace:
                current: dict[str, str] = {} if change.replace else dict(self.cipher.decrypt(row.ciphertext))
                for key, value in (change.values or {}).items():
                    if value is None:
                        current.pop(key, None)
                    else:
                        current[key] = value
                _check_keys(current)
                if not current:
                    raise ParameterError(
                        f"Secret '{row.name}' would have no keys left; delete it (`waypost secret delete {row.name}`)."
                    )
                gone = set(row.key_names) - set(current)
                users = _referrers(s, ws, row.name, gone)
                if users:
                    key, names = next(iter(sorted(users.items())))
                    raise ParameterError(
                        f"Key '{key}' of secret '{row.name}' is referenced by component(s) {names}; "
                        "change their configs first or keep the key."
                    )
                values.update(key_names=sorted(current), ciphertext=self.cipher.encrypt(current))
            if "description" in given:
                values["description"] = change.description
            s.execute(update(db.secrets).where(db.secrets.c.id == row.id).values(**values))
            return _secrets(s, db.secrets.c.id == row.id)[0]

    def delete_secret(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> SecretRead:
        """Delete a secret no component refers to; returns it as it was (without values)."""
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _secret_row(s, ws, ref)
            users = _referrers(s, ws, row.name, None)
            if users:
                names = ", ".join(sorted({n for ns in users.values() for n in ns.split(", ")}))
                raise ParameterError(
                    f"Secret '{row.name}' is referenced by component(s) {names}; change their configs first."
                )
            found = _secrets(s, db.secrets.c.id == row.id)[0]
            s.execute(delete(db.secrets).where(db.secrets.c.id == row.id))
            return found

    def secret_values(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> dict[str, str]:
        """A secret's values, decrypted: for the runtime and verify only, never for display."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            row = _secret_row(s, ws, ref)
        return dict(self.cipher.decrypt(row.ciphertext))

    # -- service connectors -------------------------------------------------------------------

    def create_connector(
        self,
        body: ConnectorCreate,
        *,
        workspace_id: str | uuid.UUID | None = None,
        created_by: uuid.UUID | None = None,
    ) -> ConnectorRead:
        """A new connector; its secret fields are encrypted and never shown again."""
        try:
            public, hidden = split_connector_config(body.type, body.config)
        except FlavorError as exc:
            raise _invalid(exc) from None
        ciphertext = self.cipher.encrypt(hidden)
        try:
            with self._s.write() as s:
                ws = _workspace(s, workspace_id if workspace_id is not None else body.workspace)
                row = insert_row(
                    s,
                    db.service_connectors,
                    workspace_id=ws,
                    name=body.name,
                    type=ConnectorType(body.type).value,
                    description=body.description,
                    config=public,
                    ciphertext=ciphertext,
                    secret_fields=sorted(hidden),
                    created_by=created_by,
                )
                return _connectors(s, db.service_connectors.c.id == row["id"])[0]
        except StoreError as exc:
            if is_conflict(exc):
                raise ParameterError(
                    f"A connector named '{body.name}' exists already in this workspace; pick another name."
                ) from None
            raise

    def list_connectors(
        self, workspace_id: _WorkspaceIds = None, *, page: int = 1, size: int = 50
    ) -> Page[ConnectorRead]:
        """Connectors by name; only those of ``workspace_id`` (one id or several) when given."""
        check_page(page, size)
        conds = _in_workspaces(db.service_connectors, workspace_id)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(db.service_connectors).where(*conds)) or 0
            items = _connectors(s, and_(*conds) if conds else None, page=page, size=size)
        return Page(items=items, total=total, page=page, size=size)

    def get_connector(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> ConnectorRead:
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            return _connectors(s, db.service_connectors.c.id == _connector_row(s, ws, ref).id)[0]

    def update_connector(
        self, ref: str | uuid.UUID, change: ConnectorUpdate, *, workspace_id: str | uuid.UUID | None = None
    ) -> ConnectorRead:
        """Change fields of a connector; secret fields left out (or sent as the mask) keep their values."""
        given = change.model_fields_set
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _connector_row(s, ws, ref)
            values: dict[str, Any] = {"updated_at": utcnow()}
            if change.config is not None:
                merged = {**row.config, **dict(self.cipher.decrypt(row.ciphertext))}
                for key, value in change.config.items():
                    if value == MASK and key in connector_secret_fields(row.type):
                        continue
                    merged[key] = value
                try:
                    public, hidden = split_connector_config(row.type, merged)
                except FlavorError as exc:
                    raise _invalid(exc) from None
                values.update(config=public, ciphertext=self.cipher.encrypt(hidden), secret_fields=sorted(hidden))
            if "description" in given:
                values["description"] = change.description
            s.execute(update(db.service_connectors).where(db.service_connectors.c.id == row.id).values(**values))
            return _connectors(s, db.service_connectors.c.id == row.id)[0]

    def delete_connector(self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None) -> ConnectorRead:
        """Delete a connector no component is attached to; returns it as it was."""
        c = db.stack_components
        with self._s.write() as s:
            ws = _workspace(s, workspace_id)
            row = _connector_row(s, ws, ref)
            users = s.execute(select(c.c.type, c.c.name).where(c.c.connector_id == row.id).order_by(c.c.name)).all()
            if users:
                names = ", ".join(f"'{n}' ({t})" for t, n in users)
                raise ParameterError(
                    f"Connector '{row.name}' is attached to component(s) {names}; detach it "
                    "(`waypost component update NAME --connector ''`) or delete them first."
                )
            found = _connectors(s, db.service_connectors.c.id == row.id)[0]
            s.execute(delete(db.service_connectors).where(db.service_connectors.c.id == row.id))
            return found

    def connector_credentials(
        self, ref: str | uuid.UUID, *, workspace_id: str | uuid.UUID | None = None
    ) -> ConnectorCredentials:
        """A connector's fields, secret ones decrypted: for the runtime and verify only."""
        with self._s.read() as s:
            ws = _workspace(s, workspace_id)
            row = _connector_row(s, ws, ref)
        return self._credentials(row)

    # -- internals ----------------------------------------------------------------------------

    def _credentials(self, row: Row[Any]) -> ConnectorCredentials:
        values = {**row.config, **dict(self.cipher.decrypt(row.ciphertext))}
        return ConnectorCredentials(name=row.name, type=ConnectorType(row.type), values=values)

    def _resolve(
        self,
        s: Connection,
        ws: uuid.UUID,
        flavor: type[Flavor],
        stored: Mapping[str, Any],
        connector_id: uuid.UUID | None,
    ) -> ResolvedComponent:
        rows: dict[str, Row[Any] | None] = {}

        def lookup(name: str) -> Mapping[str, str] | None:
            if name not in rows:
                rows[name] = s.execute(
                    select(db.secrets).where(db.secrets.c.workspace_id == ws, db.secrets.c.name == name)
                ).first()
            row = rows[name]
            return None if row is None else dict(self.cipher.decrypt(row.ciphertext))

        try:
            resolved = resolve(stored, lookup)
            model = flavor.config.model_validate(resolved)
        except UnresolvedSecretError as exc:
            raise _invalid(exc) from None
        except ValidationError as exc:
            # A resolved value that breaks the model: name the field, never the value.
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"]) or "config"
            raise ParameterError(
                f"The {flavor.type.value} flavor '{flavor.name}' config is invalid once its secrets are filled in: "
                f"'{loc}' {first['msg'][:1].lower() + first['msg'][1:]}; fix the secret's value."
            ) from None
        credentials = None
        if connector_id is not None:
            conn_row = s.execute(
                select(db.service_connectors).where(db.service_connectors.c.id == connector_id)
            ).first()
            if conn_row is not None:
                credentials = self._credentials(conn_row)
        return flavor, model, credentials


# -- look-ups ---------------------------------------------------------------------------------


def _ctype(value: ComponentType | str) -> ComponentType:
    try:
        return ComponentType(value)
    except ValueError:
        known = ", ".join(t.value for t in ComponentType)
        raise ParameterError(f"Unknown component type '{value}'; use one of: {known}.") from None


def _flavor(ctype: ComponentType | str, name: str) -> type[Flavor]:
    try:
        return get_flavor(_ctype(ctype), name)
    except FlavorError as exc:
        raise _invalid(exc) from None


def _workspace(s: Connection, ref: str | uuid.UUID | None) -> uuid.UUID:
    if ref is None:
        return DEFAULT_WORKSPACE_ID
    w = db.workspaces
    rid = parse_id(ref)
    where = w.c.id == rid if rid is not None else w.c.name == str(ref)
    found: uuid.UUID | None = s.scalar(select(w.c.id).where(where))
    if found is None:
        raise NotFoundError(f"No workspace '{ref}' exists; `waypost workspace list` shows them.")
    return found


def _by_ref(s: Connection, table: Table, ws: uuid.UUID, ref: str | uuid.UUID, *extra: Any) -> Row[Any] | None:
    rid = parse_id(ref)
    where = table.c.id == rid if rid is not None else table.c.name == str(ref)
    return s.execute(select(table).where(table.c.workspace_id == ws, where, *extra)).first()


def _component_row(s: Connection, ws: uuid.UUID, ref: str | uuid.UUID, ctype: ComponentType | str | None) -> Row[Any]:
    c = db.stack_components
    extra = [c.c.type == _ctype(ctype).value] if ctype is not None else []
    rid = parse_id(ref)
    where = c.c.id == rid if rid is not None else c.c.name == str(ref)
    rows = s.execute(select(c).where(c.c.workspace_id == ws, where, *extra).order_by(c.c.type).limit(10)).all()
    what = f"{_words(ctype)} component" if ctype is not None else "component"
    if not rows:
        listing = f"`waypost component list --type {_ctype(ctype).value}`" if ctype else "`waypost component list`"
        raise NotFoundError(f"No {what} '{ref}' exists in this workspace; {listing} shows them.")
    if len(rows) > 1:
        types = ", ".join(r.type for r in rows)
        raise ParameterError(f"Several components are named '{ref}' ({types}); name the type too (--type).")
    return rows[0]


def _stack_row(s: Connection, ws: uuid.UUID, ref: str | uuid.UUID) -> Row[Any]:
    row = _by_ref(s, db.stacks, ws, ref)
    if row is None:
        raise NotFoundError(f"No stack '{ref}' exists in this workspace; `waypost stack list` shows them.")
    return row


def _secret_row(s: Connection, ws: uuid.UUID, ref: str | uuid.UUID) -> Row[Any]:
    row = _by_ref(s, db.secrets, ws, ref)
    if row is None:
        raise NotFoundError(f"No secret '{ref}' exists in this workspace; `waypost secret list` shows them.")
    return row


def _connector_row(s: Connection, ws: uuid.UUID, ref: str | uuid.UUID) -> Row[Any]:
    row = _by_ref(s, db.service_connectors, ws, ref)
    if row is None:
        raise NotFoundError(f"No connector '{ref}' exists in this workspace; `waypost connector list` shows them.")
    return row


def _in_workspaces(table: Table, workspace_id: _WorkspaceIds) -> list[ColumnElement[bool]]:
    if workspace_id is None:
        return []
    if isinstance(workspace_id, uuid.UUID):
        return [table.c.workspace_id == workspace_id]
    return [table.c.workspace_id.in_(sorted(set(workspace_id)))]


# -- validation -------------------------------------------------------------------------------


def _checked_config(s: Connection, ws: uuid.UUID, flavor: type[Flavor], config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` as stored: valid for the flavor, every secret reference resolving in the workspace."""
    try:
        stored = flavor_validate_config(flavor.type, flavor.name, config)
    except FlavorError as exc:
        raise _invalid(exc) from None
    wanted = references(stored)
    if wanted:
        names = sorted({name for name, _ in wanted})
        keys = dict(
            s.execute(
                select(db.secrets.c.name, db.secrets.c.key_names).where(
                    db.secrets.c.workspace_id == ws, db.secrets.c.name.in_(names)
                )
            ).all()
        )
        for name, key in sorted(wanted):
            if name not in keys:
                raise ParameterError(
                    f"{{{{secret.{name}.{key}}}}} does not resolve: there is no secret '{name}' in this workspace; "
                    f"create it with `waypost secret create {name} --{key}=...`."
                )
            if key not in keys[name]:
                have = ", ".join(sorted(keys[name])) or "none"
                raise ParameterError(
                    f"{{{{secret.{name}.{key}}}}} does not resolve: secret '{name}' has no key '{key}' "
                    f"(its keys: {have}); add it with `waypost secret update {name} --{key}=...`."
                )
    return stored


def _unmask(new: Mapping[str, Any], old: Mapping[str, Any], hidden: Iterable[str], what: str) -> dict[str, Any]:
    """``new`` with each secret-marked field sent as the mask given its stored value."""
    out = dict(new)
    for key in hidden:
        if out.get(key) == MASK:
            if old.get(key) in (None, ""):
                raise ParameterError(f"Field '{key}' of {what} is masked but holds no value; give its value.")
            out[key] = old[key]
    return out


def _connector_for(s: Connection, ws: uuid.UUID, flavor: type[Flavor], ref: str | uuid.UUID) -> uuid.UUID:
    row = _connector_row(s, ws, ref)
    if ConnectorType(row.type) not in flavor.connector_types:
        takes = ", ".join(t.value for t in flavor.connector_types)
        fix = f"attach a {takes} connector" if takes else "give the credentials in the config"
        raise ParameterError(
            f"The {flavor.type.value} flavor '{flavor.name}' cannot use the {row.type} connector '{row.name}'; {fix}."
        )
    connector_id: uuid.UUID = row.id
    return connector_id


def _check_stack(chosen: Mapping[ComponentType, Row[Any]]) -> None:
    try:
        check_stack({t: r.flavor for t, r in chosen.items()})
    except FlavorError as exc:
        raise _invalid(exc) from None


def _check_keys(values: Mapping[str, Any]) -> None:
    for key in values:
        if not _KEY.match(key):
            raise ParameterError(
                f"Secret key '{key}' is not valid; use letters, digits, '_' and '-' (up to 100, not starting with '-')."
            )


def _referrers(s: Connection, ws: uuid.UUID, secret: str, keys: set[str] | None) -> dict[str, str]:
    """Components of ``ws`` that refer to ``secret`` (to ``keys`` of it, when given): key → their names."""
    c = db.stack_components
    found: dict[str, set[str]] = defaultdict(set)
    for name, ctype, config in s.execute(select(c.c.name, c.c.type, c.c.config).where(c.c.workspace_id == ws)):
        for ref_name, key in references(config or {}):
            if ref_name == secret and (keys is None or key in keys):
                found[key].add(f"'{name}' ({ctype})")
    return {k: ", ".join(sorted(v)) for k, v in found.items()}


def _link(s: Connection, stack_id: uuid.UUID, chosen: Mapping[ComponentType, Row[Any]]) -> None:
    s.execute(
        db.stack_component_links.insert(),
        [{"stack_id": stack_id, "component_id": r.id, "component_type": t.value} for t, r in chosen.items()],
    )


# -- reads ------------------------------------------------------------------------------------


def _masked(ctype: str, flavor_name: str, config: Mapping[str, Any]) -> dict[str, Any]:
    try:
        hidden = secret_fields(get_flavor(ctype, flavor_name))
    except FlavorError:
        # A flavor no longer installed: its secret fields are unknown, so every literal text is hidden.
        hidden = {k for k, v in config.items() if isinstance(v, str) and not REFERENCE.fullmatch(v.strip())}
    return mask_config(config, hidden)


def _component_select() -> Any:
    c, conn, u = db.stack_components, db.service_connectors, db.users
    return (
        select(c, conn.c.name.label("connector"), u.c.name.label("creator"))
        .select_from(c)
        .outerjoin(conn, conn.c.id == c.c.connector_id)
        .outerjoin(u, u.c.id == c.c.created_by)
    )


def _component_read(row: Row[Any], stacks: builtins.list[str]) -> ComponentRead:
    return ComponentRead(
        id=row.id,
        workspace_id=row.workspace_id,
        name=row.name,
        type=ComponentType(row.type),
        flavor=row.flavor,
        config=_masked(row.type, row.flavor, row.config or {}),
        connector_id=row.connector_id,
        connector=row.connector,
        description=row.description,
        created_by=row.creator,
        created_at=row.created_at,
        updated_at=row.updated_at,
        stacks=stacks,
    )


def _stacks_of(s: Connection, component_ids: builtins.list[uuid.UUID]) -> dict[uuid.UUID, builtins.list[str]]:
    """The names of the stacks holding each component (one query)."""
    out: dict[uuid.UUID, builtins.list[str]] = defaultdict(list)
    if not component_ids:
        return out
    link = db.stack_component_links
    rows = s.execute(
        select(link.c.component_id, db.stacks.c.name)
        .join(db.stacks, db.stacks.c.id == link.c.stack_id)
        .where(link.c.component_id.in_(component_ids))
        .order_by(db.stacks.c.name)
    )
    for component_id, name in rows:
        out[component_id].append(name)
    return out


def _components(s: Connection, where: Any, *, page: int = 1, size: int | None = None) -> builtins.list[ComponentRead]:
    c = db.stack_components
    stmt = _component_select().order_by(c.c.type, c.c.name, c.c.id)
    if where is not None:
        stmt = stmt.where(where)
    if size is not None:
        stmt = stmt.limit(size).offset((page - 1) * size)
    rows = s.execute(stmt).all()
    stacks = _stacks_of(s, [r.id for r in rows])
    return [_component_read(r, stacks[r.id]) for r in rows]


def _stack_component_rows(s: Connection, stack_ids: builtins.list[uuid.UUID]) -> builtins.list[Row[Any]]:
    link = db.stack_component_links
    stmt = (
        _component_select()
        .add_columns(link.c.stack_id)
        .join(link, link.c.component_id == db.stack_components.c.id)
        .where(link.c.stack_id.in_(stack_ids))
        .order_by(db.stack_components.c.type)
    )
    return list(s.execute(stmt).all())


def _stacks(s: Connection, where: Any, *, page: int = 1, size: int | None = None) -> builtins.list[StackRead]:
    """Stacks with their components, in four queries whatever their number."""
    st, u = db.stacks, db.users
    is_default = st.c.name == DEFAULT_NAME
    stmt = (
        select(st, u.c.name.label("creator"))
        .outerjoin(u, u.c.id == st.c.created_by)
        .order_by(st.c.workspace_id, is_default.desc(), st.c.name, st.c.id)
    )
    if where is not None:
        stmt = stmt.where(where)
    if size is not None:
        stmt = stmt.limit(size).offset((page - 1) * size)
    rows = s.execute(stmt).all()
    ids = [r.id for r in rows]
    if not ids:
        return []
    comp_rows = _stack_component_rows(s, ids)
    holders = _stacks_of(s, sorted({r.id for r in comp_rows}))
    components: dict[uuid.UUID, dict[ComponentType, ComponentRead]] = defaultdict(dict)
    for r in comp_rows:
        components[r.stack_id][ComponentType(r.type)] = _component_read(r, holders[r.id])
    active: dict[uuid.UUID, builtins.list[str]] = defaultdict(list)
    a = db.active_stacks
    for stack_id, name in s.execute(
        select(a.c.stack_id, u.c.name).join(u, u.c.id == a.c.user_id).where(a.c.stack_id.in_(ids)).order_by(u.c.name)
    ):
        active[stack_id].append(name)
    return [
        StackRead(
            id=r.id,
            workspace_id=r.workspace_id,
            name=r.name,
            description=r.description,
            components=components[r.id],
            created_by=r.creator,
            created_at=r.created_at,
            updated_at=r.updated_at,
            is_default=r.id == default_stack_ids(r.workspace_id)[0],
            active_for=active[r.id],
        )
        for r in rows
    ]


def _secrets(s: Connection, where: Any, *, page: int = 1, size: int | None = None) -> builtins.list[SecretRead]:
    sec, u = db.secrets, db.users
    stmt = (
        select(
            sec.c.id,
            sec.c.workspace_id,
            sec.c.name,
            sec.c.key_names,
            sec.c.description,
            sec.c.created_at,
            sec.c.updated_at,
            u.c.name.label("creator"),
        )
        .outerjoin(u, u.c.id == sec.c.created_by)
        .order_by(sec.c.name, sec.c.id)
    )
    if where is not None:
        stmt = stmt.where(where)
    if size is not None:
        stmt = stmt.limit(size).offset((page - 1) * size)
    return [
        SecretRead(
            id=r.id,
            workspace_id=r.workspace_id,
            name=r.name,
            keys=sorted(r.key_names or []),
            description=r.description,
            created_by=r.creator,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in s.execute(stmt)
    ]


def _connectors(s: Connection, where: Any, *, page: int = 1, size: int | None = None) -> builtins.list[ConnectorRead]:
    c, u = db.service_connectors, db.users
    stmt = (
        select(
            c.c.id,
            c.c.workspace_id,
            c.c.name,
            c.c.type,
            c.c.config,
            c.c.secret_fields,
            c.c.description,
            c.c.created_at,
            c.c.updated_at,
            u.c.name.label("creator"),
        )
        .outerjoin(u, u.c.id == c.c.created_by)
        .order_by(c.c.name, c.c.id)
    )
    if where is not None:
        stmt = stmt.where(where)
    if size is not None:
        stmt = stmt.limit(size).offset((page - 1) * size)
    return [
        ConnectorRead(
            id=r.id,
            workspace_id=r.workspace_id,
            name=r.name,
            type=ConnectorType(r.type),
            config=dict(r.config or {}),
            secret_fields=sorted(r.secret_fields or []),
            description=r.description,
            created_by=r.creator,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in s.execute(stmt)
    ]
