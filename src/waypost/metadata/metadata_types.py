"""Marker types for metadata values, under the module path ZenML gives them.

    from waypost.metadata.metadata_types import DType, Path, StorageSize, Uri

    log_metadata(metadata={
        "source": Uri("s3://bucket/raw/2024-06.parquet"),
        "checkpoint": Path("/models/ckpt-12"),
        "label_dtype": DType("int64"),
        "size": StorageSize(52_428_800),
    })

Each is a plain ``str`` or ``int`` everywhere else; :func:`waypost.log_metadata` records
the entry with its own :class:`~waypost.enums.MetadataType` (``uri``, ``path``, ``dtype``,
``storage_size``). A ``StorageSize`` is a number of bytes and is stored as a number, so
``metadata.size>1000000`` filters find it; the other three are stored as strings.

This module imports nothing heavy: pydantic is only asked for when a pydantic model uses
one of these types as a field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

__all__ = ["DType", "Path", "StorageSize", "Uri"]


class _Marked:
    """Lets a pydantic model take a marker type as a field, validated as its base type then wrapped."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source_type: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        base = int if issubclass(cls, int) else str
        return core_schema.no_info_after_validator_function(cls, handler(base))


class Uri(_Marked, str):
    """A string that is a URI (``s3://bucket/key``, ``https://…``)."""


class Path(_Marked, str):
    """A string that is a filesystem path."""


class DType(_Marked, str):
    """A string that names a data type (``float64``, ``int32``, ``category``)."""


class StorageSize(_Marked, int):
    """An int that is a storage size in bytes."""
