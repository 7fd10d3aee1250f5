"""``settings=``, ``substitutions=`` and the other dict options of steps and pipelines: kept as plain dicts
and merged the way ZenML's ``configure(merge=True)`` does. Standard library only (import-time budget)."""

from __future__ import annotations

from typing import Any

#: Options holding dicts that ``configure(merge=True)`` merges key by key instead of replacing.
MERGED = ("settings", "extra", "substitutions")


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """A settings object (pydantic: its fields set explicitly) or a mapping, as a new dict."""
    if value is None:
        return {}
    if hasattr(value, "model_dump"):
        return dict(value.model_dump(mode="json", exclude_unset=True))
    if isinstance(value, dict):
        return dict(value)
    raise TypeError(
        f"{what} must be a dict or a settings object such as ResourceSettings(...), not {type(value).__name__}."
    )


def normalize_settings(settings: Any) -> dict[str, dict[str, Any]]:
    """``settings={"docker": DockerSettings(...), "resources": {...}}`` as ``{key: dict}``."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise TypeError(
            "settings= must be a dict like {'resources': ResourceSettings(cpu_count=2)}, "
            f"not {type(settings).__name__}."
        )
    return {str(key): as_dict(value, f"settings['{key}']") for key, value in settings.items()}


def merge_settings(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``new`` over ``old``, each key's fields merged (``new``'s win)."""
    merged = {key: dict(value) for key, value in old.items()}
    for key, value in new.items():
        merged[key] = {**merged.get(key, {}), **value}
    return merged


def merge_option(key: str, old: Any, new: Any, *, merge: bool) -> Any:
    """The value of option ``key`` after ``configure(key=new, merge=merge)``."""
    if key == "settings":
        given = normalize_settings(new)
        return merge_settings(old or {}, given) if merge else given
    if key in MERGED:
        given = as_dict(new, f"{key}=")
        return {**(old or {}), **given} if merge else given
    if key == "tags" and merge and old:
        return list(dict.fromkeys([*old, *(new or [])]))
    return new
