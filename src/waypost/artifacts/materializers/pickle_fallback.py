"""The last resort: cloudpickle, for values no other materializer takes."""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers.base import Materializer
from waypost.artifacts.trust import check_unpickle
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import VisualizationRef

PICKLE_FILE = "data.pkl"
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 20_000
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 200
_REPR.maxlevel = 8


class PickleFallbackWarning(UserWarning):
    """A value was stored with cloudpickle because no materializer is registered for its type."""


def fallback_warning_message(data_type: str) -> str:
    """The one-line message of :class:`PickleFallbackWarning` for ``data_type``."""
    return (
        f"No materializer is registered for type '{data_type}', so it was stored with "
        "cloudpickle, which may not load under other library or Python versions; "
        "register a Materializer subclass for it with MaterializerRegistry.register()."
    )


def write_pickle(value: Any, file: Path) -> None:
    """Pickle ``value`` into ``file`` with cloudpickle (functions and lambdas included)."""
    import cloudpickle

    with file.open("wb") as fh:
        cloudpickle.dump(value, fh)


def read_pickle(file: Path) -> Any:
    """Unpickle the value in ``file``, once the active load guard trusts its producer."""
    import pickle

    check_unpickle()  # unpickling runs code from the file
    with file.open("rb") as fh:
        return pickle.load(fh)


class PickleMaterializer(Materializer):
    """Stores any picklable value as ``data.pkl`` and shows its ``repr`` as text."""

    ASSOCIATED_TYPES = ()  # chosen as the registry's fallback, never by type
    VERSION = "1"
    UNSAFE_LOAD = True

    def save(self, data: Any, path: Path) -> None:
        write_pickle(data, path / PICKLE_FILE)

    def load(self, path: Path, data_type: str) -> Any:
        return read_pickle(path / PICKLE_FILE)

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return [viz.text(path, _REPR.repr(data), title="repr", kind=VisualizationType.TEXT)]
