"""ZenML's ``UnmaterializedArtifact``: a step input annotated with it gets the artifact version's
record (``uri``, ``data_type``, ``materializer`` …) instead of the loaded value.

    @step
    def count_files(data: UnmaterializedArtifact) -> int:
        return len(fileio.listdir(data.uri))
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from waypost.schemas.artifacts import ArtifactVersionRead

__all__ = ["UnmaterializedArtifact", "unmaterialized_inputs"]


class UnmaterializedArtifact(ArtifactVersionRead):
    """An artifact version's record, given to a step instead of its value (every field of
    :class:`~waypost.schemas.ArtifactVersionRead`); read its files at ``uri``."""


def _is_unmaterialized(annotation: Any) -> bool:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, str):  # an annotation that could not be resolved
        return annotation.rsplit(".", 1)[-1] == UnmaterializedArtifact.__name__
    return isinstance(annotation, type) and issubclass(annotation, UnmaterializedArtifact)


def unmaterialized_inputs(function: Callable[..., Any]) -> frozenset[str]:
    """The names of ``function``'s parameters annotated with :class:`UnmaterializedArtifact`."""
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception:  # a forward reference that does not resolve: read the annotations as written
        hints = {n: p.annotation for n, p in inspect.signature(function).parameters.items()}
    return frozenset(n for n, annotation in hints.items() if n != "return" and _is_unmaterialized(annotation))
