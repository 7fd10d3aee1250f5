"""Python's own types: JSON for plain data, a raw file for bytes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.schemas.artifacts import VisualizationRef

JSON_FILE = "data.json"
BYTES_FILE = "data.bin"
_TUPLE_KEY = "__tuple__"  # a tuple nested in a container is stored as {"__tuple__": [...]}
_SCALARS = (type(None), bool, int, float, str)


class _NotJsonError(Exception):
    """The value would not come back unchanged from JSON."""


def _encode(value: Any) -> Any:
    """``value`` with nested tuples tagged; raises :class:`_NotJsonError` for anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_encode(v) for v in value]
    if kind is tuple:
        return {_TUPLE_KEY: [_encode(v) for v in value]}
    if kind is dict:
        if _TUPLE_KEY in value or any(type(k) is not str for k in value):
            raise _NotJsonError  # int keys would come back as strings
        return {k: _encode(v) for k, v in value.items()}
    raise _NotJsonError  # subclasses too: an IntEnum or a numpy float would load as a plain one


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and _TUPLE_KEY in value:
            return tuple(_decode(v) for v in value[_TUPLE_KEY])
        return {k: _decode(v) for k, v in value.items()}
    return value


def _to_json(value: Any) -> str | None:
    """The JSON text of ``value`` when it round-trips exactly, else ``None``."""
    kind = type(value)
    try:
        if kind in _SCALARS:
            return json.dumps(value)
        encoded = _encode(value)
        if kind is tuple:
            encoded = encoded[_TUPLE_KEY]  # the data type records the outer tuple
        return json.dumps(encoded, ensure_ascii=False, separators=(",", ":"))
    except (_NotJsonError, RecursionError, ValueError):  # ValueError: a reference cycle
        return None


class JsonMaterializer(Materializer):
    """``None``, bool, int, float, str and lists, tuples and dicts of them, as ``data.json``.

    Only exact types are taken, and a container only when JSON gives it back unchanged
    (string keys; tuples come back as tuples); anything else falls through to the next
    candidate. Non-finite floats are written as ``NaN``/``Infinity``, which Python reads.
    """

    ASSOCIATED_TYPES = tuple(
        f"builtins.{t}" for t in ("NoneType", "bool", "int", "float", "str", "list", "tuple", "dict")
    )
    VERSION = "1"

    @classmethod
    def can_save(cls, value: Any) -> bool:
        kind = type(value)
        if kind in _SCALARS:
            return True
        if kind not in (list, tuple, dict):
            return False
        try:
            _encode(value)
        except (_NotJsonError, RecursionError):
            return False
        return True

    def save(self, data: Any, path: Path) -> None:
        text = _to_json(data)
        if text is None:
            raise TypeError(f"{type(data).__name__} value does not round-trip through JSON")
        (path / JSON_FILE).write_text(text, encoding="utf-8")

    def load(self, path: Path, data_type: str) -> Any:
        value = _decode(json.loads((path / JSON_FILE).read_text(encoding="utf-8")))
        return tuple(value) if data_type == "builtins.tuple" else value

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        if isinstance(data, str):
            return [viz.text(path, data)] if data else []
        if isinstance(data, list | tuple | dict):
            return [viz.json_tree(path, data)]
        return []  # a scalar is shown from its metadata

    def metadata(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            return {"length": len(data), "value": data} if len(data) <= 100 else {"length": len(data)}
        if isinstance(data, list | tuple | dict):
            return {"length": len(data)}
        if isinstance(data, float) and not math.isfinite(data):
            return {"value": repr(data)}
        return {"value": data}


class BytesMaterializer(Materializer):
    """``bytes`` and ``bytearray`` as the raw file ``data.bin``."""

    ASSOCIATED_TYPES = ("builtins.bytes", "builtins.bytearray")
    VERSION = "1"

    def save(self, data: Any, path: Path) -> None:
        (path / BYTES_FILE).write_bytes(data)

    def load(self, path: Path, data_type: str) -> Any:
        data = (path / BYTES_FILE).read_bytes()
        return bytearray(data) if data_type == "builtins.bytearray" else data

    def metadata(self, data: Any) -> dict[str, Any]:
        return {"length": len(data)}
