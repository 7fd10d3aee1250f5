"""Checks of ``settings=`` and ``substitutions=`` when a pipeline compiles (in code and run configs)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from waypost.exceptions import ConfigurationError
from waypost.schemas.stack_snapshot import ComponentType

#: ZenML's stack component types that Waypost stacks do not have: their settings are accepted and recorded.
_OTHER_TYPES = {"image_builder", "model_registry", "feature_store", "annotator", "deployer", "log_store"}
COMPONENT_TYPES = sorted({t.value for t in ComponentType} | _OTHER_TYPES)
_KEY = re.compile(r"^([a-z_]+)(?:\.([A-Za-z0-9_\-]+))?$")
#: The settings keys validated by a model of waypost.config (imported when one is used: ~10 ms of start-up).
_CHECKED = ("docker", "resources")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_settings(settings: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    """``settings`` with ``docker`` and ``resources`` validated, and every key a known kind.

    Raises:
        ConfigurationError: in one line, naming the key or field and the fix.
    """
    checked: dict[str, dict[str, Any]] = {}
    for key, value in settings.items():
        if not isinstance(value, dict):
            raise ConfigurationError(
                f"{where}: settings '{key}' must be a mapping of fields, not {type(value).__name__}."
            )
        if key in _CHECKED:
            from waypost.config import DockerSettings, ResourceSettings

            model: type[BaseModel] = DockerSettings if key == "docker" else ResourceSettings
            try:
                model.model_validate(value)
            except ValidationError as exc:
                err = exc.errors()[0]
                field = ".".join(str(x) for x in err["loc"])
                raise ConfigurationError(
                    f"{where}: settings '{key}' field '{field}' is invalid: {err['msg']}; see {model.__name__}."
                ) from None
        else:
            match = _KEY.match(key)
            if match is None or match.group(1) not in COMPONENT_TYPES:
                raise ConfigurationError(
                    f"{where}: unknown settings key '{key}'; use 'docker', 'resources', or a component type with "
                    f"an optional flavor such as 'orchestrator' or 'orchestrator.dask' ({', '.join(COMPONENT_TYPES)})."
                )
        checked[key] = value
    return checked


def placeholders(template: str) -> list[str]:
    """The ``{KEY}`` names in ``template``."""
    return _PLACEHOLDER.findall(template)


def check_template(template: str | None, substitutions: dict[str, str], what: str) -> None:
    """Each ``{KEY}`` in ``template`` is ``date``, ``time`` or a substitution.

    Raises:
        ConfigurationError: in one line, naming the placeholder and the fix.
    """
    if not template:
        return
    known = {"date", "time", *substitutions}
    for key in placeholders(template):
        if key not in known:
            raise ConfigurationError(
                f"{what} '{template}' has the placeholder {{{key}}}, which is not a substitution; "
                f"pass substitutions={{'{key}': ...}} or use {', '.join('{' + k + '}' for k in sorted(known))}."
            )


def warn_unknown(path: Path, where: str, unknown: set[str], known: set[str]) -> None:
    """One :class:`SettingsWarning` line per unknown run config key; the run goes on without it."""
    from waypost.config import SettingsWarning

    for key in sorted(unknown):
        warnings.warn(
            f"unknown key '{key}'{where} in {path}: ignored; known keys: {', '.join(sorted(known))}",
            SettingsWarning,
            stacklevel=5,
        )
