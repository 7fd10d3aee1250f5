"""Every error Waypost raises on purpose derives from :class:`WaypostError`.

    WaypostError
    ├── ConfigurationError          bad settings, config files or run configs
    ├── CompilationError            a pipeline that cannot become a DAG
    │   ├── CycleError
    │   ├── MissingInputError
    │   └── ParameterError          a parameter that is unknown or not JSON-serializable
    ├── StepFailedError             a step raised; carries the step's name
    ├── MaterializerError           a value no materializer can save or load
    │   └── UntrustedArtifactError  loading it would run code another user wrote (pickle)
    ├── ArtifactStoreError          the artifact store cannot be reached or written
    ├── StoreError                  the metadata store
    │   ├── StoreLockedError
    │   ├── StoreCorruptError
    │   ├── NotFoundError       also a KeyError (ZenML's client raises KeyError for a missing record)
    │   └── ConflictError       the change clashes with the record's state (a stage another version holds)
    ├── FilterSyntaxError           a filter expression that does not parse
    └── RunStoppedError             the run was stopped (Ctrl-C)

Each message is one line that names the problem and the fix.
"""

from __future__ import annotations

__all__ = [
    "ArtifactStoreError",
    "CompilationError",
    "ConfigurationError",
    "ConflictError",
    "CycleError",
    "FilterSyntaxError",
    "MaterializerError",
    "MissingInputError",
    "NotFoundError",
    "ParameterError",
    "RunStoppedError",
    "StepFailedError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "UntrustedArtifactError",
    "WaypostError",
]


class WaypostError(Exception):
    """Root of Waypost's own errors."""


class ConfigurationError(WaypostError):
    """Settings, a config file or a run config is invalid."""


class CompilationError(WaypostError):
    """A pipeline function cannot be compiled into a DAG."""


class CycleError(CompilationError):
    """The steps' dependencies form a cycle."""


class MissingInputError(CompilationError):
    """A step is called without one of its required inputs."""


class ParameterError(CompilationError):
    """A parameter is unknown, missing or cannot be serialized."""


class StepFailedError(WaypostError):
    """A step raised an exception; the run is marked failed."""

    def __init__(self, message: str, *, step_name: str, run_name: str) -> None:
        super().__init__(message)
        self.step_name = step_name
        self.run_name = run_name


class MaterializerError(WaypostError):
    """A value cannot be saved or loaded by any materializer."""


class UntrustedArtifactError(MaterializerError):
    """Loading the artifact would unpickle files from a producer the loading user does not trust."""


class ArtifactStoreError(WaypostError):
    """The artifact store cannot be reached or written."""


class StoreError(WaypostError):
    """The metadata store failed."""


class StoreLockedError(StoreError):
    """The store's database is locked by another process for too long."""


class StoreCorruptError(StoreError):
    """The store's database file is not a usable database."""


class NotFoundError(StoreError, KeyError):
    """A requested record does not exist.

    Also a :class:`KeyError`: ZenML's client raises ``KeyError`` for a missing record, so code
    written for it that catches ``KeyError`` around a lookup keeps working. ``str()`` gives the
    message as written (``KeyError`` alone would show it quoted, as a repr).
    """

    def __str__(self) -> str:
        return Exception.__str__(self)


class ConflictError(StoreError):
    """The change clashes with what the store holds now (another version holds the stage); nothing changed."""


class FilterSyntaxError(WaypostError):
    """A filter expression does not parse."""

    def __init__(self, message: str) -> None:
        # The message quotes the user's text, which may hold line breaks: keep it one line.
        super().__init__(" ".join(message.split()))


class RunStoppedError(WaypostError):
    """The run was stopped before it finished."""
