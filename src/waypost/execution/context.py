"""The running step's context, set by the runner in the step's thread.

Standard library only at import: the SDK reads it from ``get_step_context`` and
``log_metadata``, which ``import waypost`` pulls in.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only; the runtime objects arrive from the runner
    from waypost.artifacts.store import ArtifactStore
    from waypost.schemas import ModelVersionRead, RunRead, StepSpec
    from waypost.store import Store


@dataclass
class StepContext:
    """What a running step can know about itself."""

    run: RunRead
    step: StepSpec
    step_run_id: uuid.UUID
    store: Store
    artifact_store: ArtifactStore
    output_uris: dict[str, str]
    output_version_ids: dict[str, uuid.UUID]
    model_version: ModelVersionRead | None = None
    output_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_tags: dict[str, list[str]] = field(default_factory=dict)


CURRENT: ContextVar[StepContext | None] = ContextVar("waypost_step", default=None)


def current() -> StepContext | None:
    """The running step's context, or None outside a step."""
    return CURRENT.get()
