"""Dataclasses, sets, and containers holding them, stored as JSON instead of pickled.

``data.json`` holds the value with its Python shapes tagged, so it reads back the same:
``{"__dataclass__": "module.Class", "fields": {...}}``, ``{"__set__": [...]}``,
``{"__frozenset__": [...]}`` and ``{"__tuple__": [...]}``. The dashboard's view is the plain
JSON (a dataclass as its fields, a set as a list). A dataclass loads as its class when the
class's module is imported in the loading process; names read from storage are never imported.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.exceptions import MaterializerError
from waypost.schemas.artifacts import VisualizationRef

__all__ = ["DATACLASS", "StructuredMaterializer"]

DATACLASS = "dataclasses.dataclass"
"""The name a materializer lists in ``ASSOCIATED_TYPES`` to be asked about every dataclass."""

JSON_FILE = "data.json"
_SCALARS = (type(None), bool, int, float, str)
_DATACLASS, _FIELDS = "__dataclass__", "fields"
_TAGS = ("__tuple__", "__set__", "__frozenset__", _DATACLASS)


class _NotStructuredError(Exception):
    """The value holds something JSON cannot give back unchanged."""


def _is_dataclass_instance(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _encode(value: Any, depth: int = 0) -> Any:
    if depth > 200:
        raise _NotStructuredError
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_encode(v, depth + 1) for v in value]
    if kind is tuple:
        return {"__tuple__": [_encode(v, depth + 1) for v in value]}
    if kind is set or kind is frozenset:
        items = [_encode(v, depth + 1) for v in value]
        items.sort(key=lambda v: json.dumps(v, sort_keys=True))  # the same set, the same file
        return {"__set__" if kind is set else "__frozenset__": items}
    if kind is dict:
        if any(type(k) is not str for k in value) or any(k in _TAGS for k in value):
            raise _NotStructuredError  # int keys would come back as strings
        return {k: _encode(v, depth + 1) for k, v in value.items()}
    if _is_dataclass_instance(value):
        fields = {f.name: _encode(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
        return {_DATACLASS: f"{kind.__module__}.{kind.__qualname__}", _FIELDS: fields}
    raise _NotStructuredError


def _plain(value: Any) -> Any:
    """The JSON the dashboard shows: tags dropped, a dataclass as its fields, a set as a list."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _TAGS[:3]:
            return [_plain(v) for v in next(iter(value.values()))]
        if _DATACLASS in value and _FIELDS in value and len(value) == 2:
            return {k: _plain(v) for k, v in value[_FIELDS].items()}
        return {k: _plain(v) for k, v in value.items()}
    return value


def _find_class(name: str) -> type:
    """The dataclass ``module.Qual`` from a module already imported here."""
    module_name, qualname = name, ""
    while "." in module_name and module_name not in sys.modules:
        module_name, _, last = module_name.rpartition(".")
        qualname = f"{last}.{qualname}" if qualname else last
    module = sys.modules.get(module_name)
    found: Any = module
    for part in qualname.split(".") if module is not None and qualname else ():
        found = getattr(found, part, None)
    if module is None or not qualname or not (isinstance(found, type) and dataclasses.is_dataclass(found)):
        top = name.rpartition(".")[0] or name
        raise MaterializerError(
            f"The artifact holds dataclass '{name}', which is not importable from the modules loaded here "
            f"(stored names are never imported); `import {top}` before loading it."
        )
    return found


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        tag, items = next(iter(value.items()))
        if tag == "__tuple__":
            return tuple(_decode(v) for v in items)
        if tag == "__set__":
            return {_decode(v) for v in items}
        if tag == "__frozenset__":
            return frozenset(_decode(v) for v in items)
    if _DATACLASS in value and _FIELDS in value and len(value) == 2:
        cls = _find_class(value[_DATACLASS])
        fields = {k: _decode(v) for k, v in value[_FIELDS].items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: v for k, v in fields.items() if k in init})
        for k, v in fields.items():
            if k not in init:
                object.__setattr__(obj, k, v)  # frozen dataclasses too
        return obj
    return {k: _decode(v) for k, v in value.items()}


class StructuredMaterializer(Materializer):
    """Dataclasses, sets and frozensets, and lists, tuples and dicts holding them, as ``data.json``.

    Taken only when every part is a JSON scalar, a list, tuple, set, frozenset, a dict with
    string keys, or a dataclass of those; anything else (a numpy array in a field) falls
    through to the next candidate. Plain lists, tuples and dicts of scalars are the
    :class:`~waypost.artifacts.materializers.JsonMaterializer`'s, which is asked first.
    """

    ASSOCIATED_TYPES = (
        DATACLASS,
        "builtins.set",
        "builtins.frozenset",
        "builtins.list",
        "builtins.tuple",
        "builtins.dict",
    )
    VERSION = "1"

    @classmethod
    def can_save(cls, value: Any) -> bool:
        try:
            _encode(value)
        except (_NotStructuredError, RecursionError, TypeError):
            return False
        return True

    def save(self, data: Any, path: Path) -> None:
        try:
            text = json.dumps(_encode(data), ensure_ascii=False, separators=(",", ":"))
        except (_NotStructuredError, ValueError) as exc:  # ValueError: a reference cycle
            raise TypeError(f"{type(data).__name__} value does not round-trip through JSON") from exc
        (path / JSON_FILE).write_text(text, encoding="utf-8")

    def load(self, path: Path, data_type: str) -> Any:
        return _decode(json.loads((path / JSON_FILE).read_text(encoding="utf-8")))

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return [viz.json_tree(path, _plain(_encode(data)), title=type(data).__name__)]

    def metadata(self, data: Any) -> dict[str, Any]:
        if _is_dataclass_instance(data):
            return {"fields": len(dataclasses.fields(data))}
        return {"length": len(data)}
