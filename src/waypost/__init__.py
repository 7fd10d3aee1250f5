"""Waypost: ML pipelines as Python functions, every run recorded, a dashboard over it all.

    from waypost import step, pipeline, log_metadata, get_step_context, Model

Importing this package loads only the decorators; the store, the artifact store and
pydantic are loaded when a pipeline first runs.
"""

from waypost.sdk.artifacts import (
    ArtifactConfig,
    ExternalArtifact,
    load_artifact,
    log_artifact_metadata,
    log_model_metadata,
    register_artifact,
    save_artifact,
)
from waypost.sdk.context import get_step_context
from waypost.sdk.metadata import log_metadata
from waypost.sdk.model import Model, link_artifact_to_model
from waypost.sdk.pipeline import Pipeline, get_pipeline_context, pipeline
from waypost.sdk.step import BaseStep, step
from waypost.sdk.tags import Tag, add_tags, remove_tags

__version__ = "0.1.0"

__all__ = [
    "ArtifactConfig",
    "BaseStep",
    "ExternalArtifact",
    "Model",
    "Pipeline",
    "Tag",
    "__version__",
    "add_tags",
    "get_pipeline_context",
    "get_step_context",
    "link_artifact_to_model",
    "load_artifact",
    "log_artifact_metadata",
    "log_metadata",
    "log_model_metadata",
    "pipeline",
    "register_artifact",
    "remove_tags",
    "save_artifact",
    "step",
]
