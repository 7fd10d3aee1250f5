"""``Model``: the model (and version) a pipeline's runs and artifacts are attached to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from waypost.sdk.metadata import log_metadata


@dataclass
class Model:
    """A model version to attach a pipeline run to.

    ``version=None`` creates a new numbered version per run; a name (``"1.0.5"``) or a
    stage (``"production"``) attaches to that version, creating a named one if new.
    Inside a step, ``get_step_context().model`` is this object with ``id`` and ``number``
    filled in.
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
        return {"name": self.name, "version": self.version, "description": self.description, "tags": list(self.tags)}

    def log_metadata(self, metadata: dict[str, Any]) -> None:
        """Attach metadata to this model version (it must have been resolved by a run)."""
        log_metadata(metadata, model_name=self.name, model_version=self.version or str(self.number))
