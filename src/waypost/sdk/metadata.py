"""``log_metadata``: attach typed key/values to a step, run, artifact or model version."""

from __future__ import annotations

import uuid
from typing import Any

from waypost import _lazy


def log_metadata(
    metadata: dict[str, Any],
    *,
    step_name: str | None = None,
    run_id: str | uuid.UUID | None = None,
    artifact_name: str | None = None,
    artifact_version_id: str | uuid.UUID | None = None,
    infer_artifact: bool = False,
    model_name: str | None = None,
    model_version: str | None = None,
    infer_model: bool = False,
) -> None:
    """Log metadata.

    Inside a step with no target it attaches to the running step (and so to its run,
    where ``metadata.KEY>VALUE`` filters find it). Targets: ``run_id`` (+ ``step_name``),
    ``artifact_name`` / ``infer_artifact`` (an output of the running step, or an artifact
    by name), ``artifact_version_id``, ``model_name`` + ``model_version`` or
    ``infer_model`` (the pipeline's model version).

    Example:
        >>> log_metadata(metadata={"accuracy": 0.95, "f1_score": 0.93})
    """
    # The store is loaded on first use; `import waypost` must stay light.
    impl = _lazy.load("waypost.execution.metadata")
    impl.log_metadata(
        metadata,
        step_name=step_name,
        run_id=run_id,
        artifact_name=artifact_name,
        artifact_version_id=artifact_version_id,
        infer_artifact=infer_artifact,
        model_name=model_name,
        model_version=model_version,
        infer_model=infer_model,
    )
