"""Public enumerations shared by the SDK, the store, the CLI and the API."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ArtifactType", "ExecutionStatus", "LogSource", "MetadataType", "ModelStages", "VisualizationType"]


class ExecutionStatus(StrEnum):
    """Status of a pipeline run or a step run."""

    INITIALIZING = "initializing"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CACHED = "cached"
    STOPPED = "stopped"
    CRASHED = "crashed"
    SKIPPED = "skipped"

    @property
    def is_finished(self) -> bool:
        """True once the status can no longer change."""
        return self not in (ExecutionStatus.INITIALIZING, ExecutionStatus.RUNNING)

    @property
    def is_successful(self) -> bool:
        """True for completed and cached."""
        return self in (ExecutionStatus.COMPLETED, ExecutionStatus.CACHED)


class ModelStages(StrEnum):
    """Stages a model version moves through."""

    NONE = "none"
    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"
    LATEST = "latest"


class MetadataType(StrEnum):
    """The typed value kinds a metadata entry can hold.

    The last four come from the marker classes of :mod:`waypost.metadata.metadata_types`:
    ``StorageSize`` is a number of bytes, stored and filtered as a number; ``Uri``, ``Path``
    and ``DType`` are strings, stored and filtered as strings.
    """

    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STRING = "str"
    JSON = "json"
    URI = "uri"
    PATH = "path"
    DTYPE = "dtype"
    STORAGE_SIZE = "storage_size"


class VisualizationType(StrEnum):
    """Kinds of visualization stored beside an artifact version."""

    TABLE = "table"
    STATS = "stats"
    CHART = "chart"
    HEATMAP = "heatmap"
    IMAGE = "image"
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"
    CONFUSION_MATRIX = "confusion_matrix"
    CLASSIFICATION_REPORT = "classification_report"
    VALIDATION = "validation"
    PROFILE = "profile"
    CSV = "csv"
    """ZenML's name, for a ``BaseMaterializer.save_visualizations`` CSV file: it is stored as a ``TABLE``."""


class LogSource(StrEnum):
    """Where a captured log line came from."""

    STDOUT = "stdout"
    STDERR = "stderr"
    LOGGING = "logging"


class ArtifactType(StrEnum):
    """What an artifact is, as ZenML's ``ArtifactType`` names it (``ArtifactConfig(artifact_type=...)``).

    ``MODEL`` links a step's output to the pipeline's model version as its model, ``DATA`` as its
    data; the others are recorded as the version's ``artifact_type`` metadata.
    """

    DATA = "DataArtifact"
    MODEL = "ModelArtifact"
    DATA_ANALYSIS = "DataAnalysisArtifact"
    SERVICE = "ServiceArtifact"
    STATISTICS = "StatisticsArtifact"
    SCHEMA = "SchemaArtifact"
    BASE = "BaseArtifact"
