"""Command-line flags from a JSON schema: ``--max-parallel-steps 4``, ``--to a@b --to c@d``, ``--x/--no-x``.

A component's fields depend on its flavor, which is known only once the command line is parsed,
so the flavor's fields arrive as Click's leftover arguments and are read here against the
flavor's configuration schema (``config.model_json_schema()``): integers and numbers converted,
lists from repeated flags (or one JSON list), objects as JSON, booleans as ``--x``/``--no-x``.
Every mistake is a one-line :class:`CliError` naming the flag and listing the valid ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from waypost.cli._common import CliError

__all__ = ["Field", "fields_of", "flag", "parse_fields", "parse_secret_values"]


@dataclass(frozen=True)
class Field:
    """One property of a schema, as the command line sees it."""

    name: str
    kind: str
    """``string``, ``integer``, ``number``, ``boolean``, ``array``, ``object`` (or ``any``)."""
    items: str
    """For arrays: the kind of their items."""
    required: bool
    default: Any
    description: str
    secret: bool
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return flag(self.name)

    @property
    def type_text(self) -> str:
        if self.choices:
            return "|".join(self.choices)
        return f"list[{self.items}]" if self.kind == "array" else self.kind


def flag(name: str) -> str:
    """``max_parallel_steps`` → ``--max-parallel-steps``."""
    return "--" + name.replace("_", "-")


def _resolve(prop: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(schema.get("$defs", {}).get(ref.split("/")[-1], {}))
    return prop


def _kind(prop: dict[str, Any], schema: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """(kind, item kind, choices) of a property; ``anyOf [X, null]`` is X."""
    prop = _resolve(prop, schema)
    options = [_resolve(p, schema) for p in prop.get("anyOf", [])] or [prop]
    options = [p for p in options if p.get("type") != "null"] or [{"type": "string"}]
    first = options[0] if len(options) == 1 else {}
    choices = tuple(str(c) for c in first.get("enum", ()))
    if "const" in first:
        choices = (str(first["const"]),)
    kind = first.get("type", "any") if isinstance(first.get("type", "any"), str) else "any"
    items = "string"
    if kind == "array":
        item = _resolve(first.get("items", {}), schema)
        items = item.get("type", "any") if isinstance(item.get("type"), str) else "any"
    return kind, items, choices


def fields_of(schema: dict[str, Any]) -> list[Field]:
    """The properties of an object schema, in their order."""
    required = set(schema.get("required", []))
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        kind, items, choices = _kind(prop, schema)
        out.append(
            Field(
                name=name,
                kind=kind,
                items=items,
                required=name in required,
                default=prop.get("default"),
                description=str(prop.get("description", "")),
                secret=bool(prop.get("secret")),
                choices=choices,
            )
        )
    return out


def _convert(value: str, kind: str, where: str) -> Any:
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            lowered = value.lower()
            if lowered in ("true", "yes", "1", "on"):
                return True
            if lowered in ("false", "no", "0", "off"):
                return False
            raise ValueError
        if kind in ("object", "any") and value[:1] in ("{", "["):
            return json.loads(value)
        if kind == "object":
            raise ValueError
    except ValueError:
        wanted = {
            "integer": "a whole number",
            "number": "a number",
            "boolean": "true or false",
            "object": 'a JSON object, e.g. \'{"key": "value"}\'',
        }.get(kind, kind)
        raise CliError(f"{where} takes {wanted}, not '{value}'.") from None
    return value


def parse_fields(args: list[str], schema: dict[str, Any], what: str) -> dict[str, Any]:
    """``--field value`` words read against ``schema``; ``what`` names the owner in errors ("the s3 flavor")."""
    fields = {f.flag: f for f in fields_of(schema)}
    valid = ", ".join(fields) or "none"
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        word = args[i]
        if not word.startswith("--") or word == "--":
            raise CliError(f"Unexpected argument '{word}'; give {what}'s fields as --FIELD VALUE ({valid}).")
        name, has_value, value = word.partition("=")
        field, negated = fields.get(name), False
        if field is None and name.startswith("--no-"):
            plain = fields.get("--" + name[5:])
            if plain is not None and plain.kind == "boolean":
                field, negated = plain, True
        if field is None:
            raise CliError(f"{what} has no field '{name}'; its fields: {valid}.")
        if field.kind == "boolean" and not has_value:
            parsed: Any = not negated
        else:
            if not has_value:
                if i + 1 >= len(args):
                    raise CliError(f"{name} needs a value ({field.type_text}).")
                i += 1
                value = args[i]
            parsed = _value(field, value, name)
        if field.kind == "array" and isinstance(parsed, list) and field.name in out:
            out[field.name] = [*out[field.name], *parsed]
        elif field.name in out:
            raise CliError(f"{name} is given twice; give it once.")
        else:
            out[field.name] = parsed
        i += 1
    return out


def _value(field: Field, value: str, where: str) -> Any:
    if field.kind == "array":
        if value.startswith("["):
            try:
                loaded = json.loads(value)
            except ValueError:
                raise CliError(f"{where} takes a JSON list or one value per {where}, not '{value}'.") from None
            if not isinstance(loaded, list):
                raise CliError(f"{where} takes a JSON list or one value per {where}.")
            return loaded
        return [_convert(value, field.items, where)]
    return _convert(value, field.kind, where)


def parse_secret_values(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """``--KEY=VALUE`` / ``--KEY VALUE`` words as values, and the keys given bare (``--KEY``: to be prompted)."""
    values: dict[str, str] = {}
    prompt: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if not word.startswith("--") or len(word) < 3:
            raise CliError(f"Unexpected argument '{word}'; give the secret's values as --KEY=VALUE.")
        key, has_value, value = word[2:].partition("=")
        if not has_value:
            if i + 1 < len(args) and not args[i + 1].startswith("--"):
                i += 1
                value = args[i]
            else:
                prompt.append(key)
                i += 1
                continue
        if key in values or key in prompt:
            raise CliError(f"--{key} is given twice; give it once.")
        values[key] = value
        i += 1
    return values, prompt
