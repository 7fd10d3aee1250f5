"""Artifacts by name, as ZenML's SDK has them: ``ArtifactConfig`` on a step's output, and saving,
loading, registering and describing artifact versions outside the outputs of a step.

Standard library only at import (``import waypost`` loads this module); the store and the artifact
store are loaded on the first call.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from waypost import _lazy
from waypost.enums import ArtifactType
from waypost.sdk.tags import Tag, tag_names

if TYPE_CHECKING:
    from waypost.schemas import ArtifactVersionRead

__all__ = [
    "ArtifactConfig",
    "ExternalArtifact",
    "load_artifact",
    "log_artifact_metadata",
    "log_model_metadata",
    "register_artifact",
    "save_artifact",
]


def model_role(
    artifact_type: ArtifactType | str | None, is_model_artifact: bool, is_deployment_artifact: bool
) -> str | None:
    """The role an artifact plays for the pipeline's model version, when its config says one."""
    if is_deployment_artifact:
        return "deployment"
    kind = ArtifactType(artifact_type) if artifact_type is not None else None
    if is_model_artifact or kind == ArtifactType.MODEL:
        return "model"
    if kind == ArtifactType.DATA:
        return "data"
    return None


@dataclass(frozen=True)
class ArtifactConfig:
    """How a step's output is stored: ``Annotated[T, ArtifactConfig(name="model", tags=["v1"])]``.

    ``name`` names the artifact (``{date}`` and ``{time}`` are filled in when the step runs);
    ``version`` is a version name recorded beside the version's number (as the metadata
    ``version_name``); ``tags`` tag the version; ``run_metadata`` is logged on it;
    ``is_model_artifact`` / ``artifact_type=ArtifactType.MODEL`` link it to the pipeline's model
    version as its model, ``is_deployment_artifact`` as a deployment, ``ArtifactType.DATA`` as data.
    """

    name: str | None = None
    version: str | int | None = None
    tags: list[str | Tag] | None = None
    run_metadata: dict[str, Any] | None = None
    artifact_type: ArtifactType | None = None
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False

    def __post_init__(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise ValueError("ArtifactConfig(name=...) must be a non-empty string; leave it out for the default name.")
        if self.tags is not None and (
            isinstance(self.tags, str) or not all(isinstance(t, Tag) or (isinstance(t, str) and t) for t in self.tags)
        ):
            raise ValueError(
                'ArtifactConfig(tags=...) takes a list of non-empty strings (or waypost.Tag), e.g. tags=["raw"].'
            )
        if self.run_metadata is not None and not isinstance(self.run_metadata, dict):
            raise ValueError('ArtifactConfig(run_metadata=...) takes a dict of key -> value, e.g. {"rows": 150}.')
        if self.artifact_type is not None:
            try:
                object.__setattr__(self, "artifact_type", ArtifactType(self.artifact_type))
            except ValueError:
                raise ValueError(
                    f"ArtifactConfig(artifact_type={self.artifact_type!r}) is not an artifact type; "
                    "use one of waypost.enums.ArtifactType (MODEL, DATA …)."
                ) from None

    @property
    def model_role(self) -> str | None:
        """The role linking this output to the pipeline's model version, or None (its type decides)."""
        return model_role(self.artifact_type, self.is_model_artifact, self.is_deployment_artifact)


@dataclass
class ExternalArtifact:
    """A value given to a step in a pipeline (``train(data=ExternalArtifact(value=df))``): saved once as a
    version of ``name`` (default ``external::STEP::INPUT``) when the pipeline is compiled for its run, and
    passed to the step as an input from that version. ``id`` is that version's, once saved."""

    value: Any = None
    name: str | None = None
    store_artifact_metadata: bool = True
    store_artifact_visualizations: bool = True
    id: uuid.UUID | None = field(default=None, init=False, compare=False)


def save_artifact(
    data: Any,
    name: str,
    version: int | str | None = None,
    tags: list[str | Tag] | None = None,
    extract_metadata: bool = True,
    include_visualizations: bool = True,
    user_metadata: dict[str, Any] | None = None,
    artifact_type: ArtifactType | None = None,
    is_model_artifact: bool = False,
    is_deployment_artifact: bool = False,
) -> ArtifactVersionRead:
    """Save ``data`` as a new version of artifact ``name`` and return the version.

    Inside a step the version is recorded as an output of the running step (under its artifact name);
    outside, it is a version no run produced. ``version`` is recorded as the metadata ``version_name``;
    ``user_metadata`` is logged on it; a model/deployment/data artifact made inside a step of a pipeline
    with a model is linked to its model version in that role.
    """
    impl = _lazy.load("waypost.execution.artifacts")
    return impl.save(  # type: ignore[no-any-return]
        data,
        name,
        version=version,
        tags=tag_names(tags),
        extract_metadata=extract_metadata,
        include_visualizations=include_visualizations,
        user_metadata=user_metadata,
        role=model_role(artifact_type, is_model_artifact, is_deployment_artifact),
        artifact_type=ArtifactType(artifact_type).name if artifact_type is not None else None,
    )


def register_artifact(
    folder_or_file_uri: str,
    name: str,
    version: int | str | None = None,
    artifact_type: ArtifactType | None = None,
    tags: list[str | Tag] | None = None,
    has_custom_name: bool = True,
    is_model_artifact: bool = False,
    is_deployment_artifact: bool = False,
    artifact_metadata: dict[str, Any] | None = None,
    artifact_materializer: Any = None,
) -> ArtifactVersionRead:
    """Record a file or folder already in the artifact store as a new version of ``name``, without copying it.

    It loads as a ``pathlib.Path`` to a local copy, or through ``artifact_materializer`` (a materializer
    class or its ``module.Class`` path). ``version`` is recorded as the metadata ``version_name``,
    ``artifact_metadata`` is logged on it, ``artifact_type`` is recorded as the metadata ``artifact_type``.
    ``has_custom_name``, ``is_model_artifact`` and ``is_deployment_artifact`` are accepted for ZenML's
    signature; the version is produced by no run, so it is linked to no model version.

    Raises:
        ParameterError: the path is not inside the active artifact store, or nothing is there.
    """
    impl = _lazy.load("waypost.execution.artifacts")
    return impl.register(  # type: ignore[no-any-return]
        folder_or_file_uri,
        name,
        version=version,
        tags=tag_names(tags),
        user_metadata=artifact_metadata,
        artifact_type=ArtifactType(artifact_type).name if artifact_type is not None else None,
        materializer=artifact_materializer,
    )


def load_artifact(name_or_id: str | uuid.UUID, version: int | str | None = None) -> Any:
    """The value of an artifact version: the newest of ``name_or_id`` (a name or a version id), or its
    version ``version`` (a number, or a name given with ``save_artifact(version=...)``)."""
    impl = _lazy.load("waypost.execution.artifacts")
    return impl.load(name_or_id, version)


def log_artifact_metadata(
    metadata: dict[str, Any], artifact_name: str | None = None, artifact_version: str | int | None = None
) -> None:
    """Log metadata on an artifact version: inside a step, its only output (or the one named); else the
    newest version of ``artifact_name`` (or its version ``artifact_version``)."""
    impl = _lazy.load("waypost.execution.artifacts")
    impl.log_on_artifact(metadata, artifact_name, artifact_version)


def log_model_metadata(
    metadata: dict[str, Any], model_name: str | None = None, model_version: str | int | None = None
) -> None:
    """Log metadata on a model version: inside a step, the pipeline's; else ``model_name`` at
    ``model_version`` (a version name, number or stage; left out: the latest)."""
    from waypost.exceptions import ParameterError
    from waypost.execution.context import current
    from waypost.sdk.metadata import log_metadata

    if model_name is None:
        ctx = current()
        if ctx is None or ctx.model_version is None:
            raise ParameterError(
                "log_model_metadata() needs model_name= outside a step of a pipeline with a model; "
                "pass model_name= (and model_version=)."
            )
        log_metadata(metadata, infer_model=True)
    else:
        log_metadata(
            metadata, model_name=model_name, model_version=str(model_version) if model_version is not None else None
        )
