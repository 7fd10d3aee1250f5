"""``Model``: the model (and version) a pipeline's runs and artifacts are attached to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from waypost.sdk.metadata import log_metadata


@dataclass
class Model:
    """A model version to attach a pipeline run to.

    ``version=None`` creates a new numbered version per run; a name (``"1.0.5"``) attaches to
    that version, creating it if new. A stage (``ModelStages.PRODUCTION``, ``"staging"``,
    ``"latest"``) attaches to the version holding it when the run starts, and never creates
    one: a run whose stage no version holds does not start. Inside a step,
    ``get_step_context().model`` is the version attached to, with ``id`` and ``number`` filled in.
    """

    name: str
    version: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    id: uuid.UUID | None = None
    number: int | None = None
    stage: str | None = None

    def as_spec(self) -> dict[str, Any]:
        """The fields recorded in the pipeline spec."""
        version = None if self.version is None else str(self.version)  # ModelStages.PRODUCTION -> "production"
        return {"name": self.name, "version": version, "description": self.description, "tags": list(self.tags)}

    def log_metadata(self, metadata: dict[str, Any]) -> None:
        """Attach metadata to this model version (it must have been resolved by a run)."""
        log_metadata(metadata, model_name=self.name, model_version=self.version or str(self.number))
