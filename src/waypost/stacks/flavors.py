"""The flavor registry: each flavor's configuration model, needs and check.

A flavor is a :class:`Flavor` subclass naming its component type, its name, a pydantic
configuration model (its JSON schema drives the API's validation, the CLI's flags and the
dashboard's form), the component types it needs or cannot work with, the connector types it can
take credentials from, and :meth:`Flavor.verify`, which reaches the resource and raises
:class:`VerifyError` with the exact failure.

Third-party packages register flavors through the ``waypost.flavors`` entry point group; each
entry point names a :class:`Flavor` subclass (``my_pkg.flavors:MyAlerter``). Entry points are read
on first use of an unknown flavor or a full listing, never at import.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, Field, ValidationError

from waypost.schemas.stacks import REQUIRED_TYPES, ComponentType, ConnectorType, FlavorRead

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConnectorCredentials",
    "Flavor",
    "FlavorError",
    "VerifyError",
    "check_stack",
    "get_flavor",
    "list_flavors",
    "register",
    "secret_field",
    "secret_fields",
    "validate_config",
]

ENTRY_POINT_GROUP = "waypost.flavors"
log = logging.getLogger(__name__)


def secret_field(description: str, **kw: Any) -> Any:
    """A configuration field whose value is masked wherever it is shown (write-only in forms)."""
    extra: dict[str, Any] = {"secret": True, "writeOnly": True, "format": "password"}
    return Field(default=None, description=description, json_schema_extra=extra, **kw)


class FlavorError(ValueError):
    """A configuration, flavor or stack that cannot be used; the message is one line naming the fix."""


class VerifyError(Exception):
    """What :meth:`Flavor.verify` could not reach or do, in one line (e.g. the S3 error code)."""


class ConnectorCredentials(BaseModel):
    """A service connector's fields, secret ones decrypted (only ever in memory, never logged)."""

    name: str
    type: ConnectorType
    values: dict[str, Any]


class Flavor:
    """One flavor of a component type. Subclass, set the class attributes, and register it."""

    type: ClassVar[ComponentType]
    name: ClassVar[str]
    description: ClassVar[str]
    config: ClassVar[builtins.type[BaseModel]]
    requires: ClassVar[tuple[ComponentType, ...]] = ()
    conflicts: ClassVar[tuple[ComponentType, ...]] = ()
    connector_types: ClassVar[tuple[ConnectorType, ...]] = ()
    source: ClassVar[str] = "builtin"

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Reach the resource; returns what was reached (e.g. ``s3://bucket``), raises :class:`VerifyError`.

        ``config`` is the validated configuration with secret references resolved.
        """
        return f"{cls.type.value} {cls.name} (nothing to reach)"

    @classmethod
    def read(cls) -> FlavorRead:
        return FlavorRead(
            type=cls.type,
            name=cls.name,
            description=cls.description,
            config_schema=cls.config.model_json_schema(),
            requires=list(cls.requires),
            conflicts=list(cls.conflicts),
            connector_types=list(cls.connector_types),
            source=cls.source,
        )


_REGISTRY: dict[tuple[ComponentType, str], type[Flavor]] = {}
_loaded_builtin = False
_loaded_entry_points = False


def register(flavor: type[Flavor]) -> type[Flavor]:
    """Add ``flavor`` to the registry (usable as a class decorator); a later one of the same name wins."""
    _REGISTRY[(flavor.type, flavor.name)] = flavor
    return flavor


def _load_builtin() -> None:
    global _loaded_builtin
    if not _loaded_builtin:
        _loaded_builtin = True
        from waypost.stacks.builtin import register_builtin

        register_builtin()


def _load_entry_points() -> None:
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
        except Exception as exc:  # a broken plug-in must not take the others down
            log.warning("The flavor entry point %r (%s) could not be loaded: %s", ep.name, ep.value, exc)
            continue
        if not (isinstance(loaded, type) and issubclass(loaded, Flavor)):
            log.warning("The flavor entry point %r (%s) is not a waypost Flavor subclass; ignored.", ep.name, ep.value)
            continue
        if loaded.source == "builtin":
            loaded.source = ep.dist.name if ep.dist is not None else ep.value
        register(loaded)


def list_flavors(component_type: ComponentType | str | None = None) -> list[type[Flavor]]:
    """Every flavor (of ``type``), built-in and registered, by type and name."""
    _load_builtin()
    _load_entry_points()
    wanted = ComponentType(component_type) if component_type is not None else None
    return [f for (t, _), f in sorted(_REGISTRY.items()) if wanted is None or t == wanted]


def get_flavor(component_type: ComponentType | str, name: str) -> type[Flavor]:
    """The flavor ``name`` of ``type``; :class:`FlavorError` naming the known ones when there is none."""
    try:
        ctype = ComponentType(component_type)
    except ValueError:
        known = ", ".join(t.value for t in ComponentType)
        raise FlavorError(f"Unknown component type '{component_type}'; use one of: {known}.") from None
    _load_builtin()
    found = _REGISTRY.get((ctype, name))
    if found is None:
        _load_entry_points()
        found = _REGISTRY.get((ctype, name))
    if found is None:
        known = ", ".join(f.name for f in list_flavors(ctype)) or "none installed"
        raise FlavorError(
            f"Unknown {ctype.value} flavor '{name}'; known: {known} (`waypost component flavors` lists them)."
        )
    return found


def secret_fields(flavor: type[Flavor]) -> set[str]:
    """The configuration fields marked secret (``json_schema_extra={"secret": True}``): masked wherever shown."""
    out = set()
    for name, field in flavor.config.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, Mapping) and extra.get("secret"):
            out.add(name)
    return out


def _one_line(exc: ValidationError, where: str, model: type[BaseModel]) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "config"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    problem = first["msg"][:1].lower() + first["msg"][1:]
    field = model.model_fields.get(str(first["loc"][0])) if first["loc"] else None
    if first["type"] == "string_pattern_mismatch" and field is not None and field.description:
        problem = f"is not valid ({field.description.rstrip('.')})"
    elif first["type"] == "extra_forbidden":
        problem = f"is not a field; fields: {', '.join(model.model_fields)}"
    return f"{where}: '{loc}' {problem}{more}."


def validate_config(component_type: ComponentType | str, flavor: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` checked against the flavor's model (secret references pass as strings): the stored form.

    Raises :class:`FlavorError` naming the field and the problem.
    """
    found = get_flavor(component_type, flavor)
    try:
        model = found.config.model_validate(dict(config))
    except ValidationError as exc:
        where = f"The {found.type.value} flavor '{found.name}' config is invalid"
        raise FlavorError(_one_line(exc, where, found.config)) from None
    stored: dict[str, Any] = model.model_dump(mode="json", exclude_unset=True)
    return stored


def check_stack(components: Mapping[ComponentType, str] | Iterable[tuple[ComponentType, str]]) -> None:
    """A stack's components (type → flavor) are complete and compatible; :class:`FlavorError` says what is not."""
    raw = components.items() if isinstance(components, Mapping) else components
    pairs = {ComponentType(t): name for t, name in raw}
    for required in REQUIRED_TYPES:
        if required not in pairs:
            words, flag = required.value.replace("_", " "), required.value.replace("_", "-")
            raise FlavorError(f"A stack needs an {words}; add one with --{flag} NAME.")
    for ctype, name in pairs.items():
        flavor = get_flavor(ctype, name)
        for needed in flavor.requires:
            if needed not in pairs:
                words = needed.value.replace("_", " ")
                raise FlavorError(f"The {ctype.value} flavor '{name}' needs a {words} in the same stack; add one.")
        for conflict in flavor.conflicts:
            if conflict in pairs:
                raise FlavorError(
                    f"The {ctype.value} flavor '{name}' cannot work with a {conflict.value.replace('_', ' ')} "
                    f"('{pairs[conflict]}'); remove one of them."
                )
