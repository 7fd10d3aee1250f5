"""``Model``: the model (and version) a pipeline's runs and artifacts are attached to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from waypost.sdk.metadata import log_metadata
from waypost.sdk.tags import tag_names

if TYPE_CHECKING:
    from waypost.schemas import ArtifactVersionRead


#: The model card's sections a ``Model`` can carry (the description besides).
CARD_FIELDS = ("license", "audience", "use_cases", "limitations", "trade_offs", "ethics")


@dataclass
class Model:
    """A model version to attach a pipeline run to.

    ``version=None`` creates a new numbered version per run; a name (``"1.0.5"``) attaches to
    that version, creating it if new. A stage (``ModelStages.PRODUCTION``, ``"staging"``,
    ``"latest"``) attaches to the version holding it when the run starts, and never creates
    one: a run whose stage no version holds does not start. Inside a step,
    ``get_step_context().model`` is the version attached to, with ``id`` and ``number`` filled in.

    The model card (``description``, ``license``, ``audience``, ``use_cases``, ``limitations``,
    ``trade_offs``, ``ethics``: markdown) is written to the model when a run attaches to it; only
    the sections given change, so a ``Model`` without them keeps the card as it is.
    """

    name: str
    version: str | None = None
    description: str | None = None
    tags: list[str] | None = field(default_factory=list)
    id: uuid.UUID | None = None
    number: int | None = None
    stage: str | None = None
    license: str | None = field(default=None, kw_only=True)
    audience: str | None = field(default=None, kw_only=True)
    use_cases: str | None = field(default=None, kw_only=True)
    limitations: str | None = field(default=None, kw_only=True)
    trade_offs: str | None = field(default=None, kw_only=True)
    ethics: str | None = field(default=None, kw_only=True)
    #: Accepted for ZenML code; Waypost has no separate model registry to save to.
    save_models_to_registry: bool = field(default=True, kw_only=True)

    def __post_init__(self) -> None:
        self.tags = tag_names(self.tags)
        if self.version is not None:
            self.version = str(self.version)  # ModelStages.PRODUCTION -> "production", 3 -> "3"

    def as_spec(self) -> dict[str, Any]:
        """The fields recorded in the pipeline spec."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "tags": list(self.tags or []),
        }

    def card(self) -> dict[str, str]:
        """The card sections (and description) this Model sets: those given, none left as None."""
        given = {key: getattr(self, key) for key in ("description", *CARD_FIELDS)}
        return {key: value for key, value in given.items() if value is not None}

    def set_stage(self, stage: Any, force: bool = False) -> None:
        """Put this model version in ``stage`` (staging, production, archived or none).

        Inside a step, ``get_step_context().model`` is the version the run attached to; elsewhere
        the version is the one named (a name, number, or a stage's holder).

        Raises:
            ConfigurationError: the Model names no version and was not resolved by a run.
            ConflictError: another version holds the stage and ``force`` is False.
        """
        from waypost.exceptions import ConfigurationError
        from waypost.execution import runtime

        if self.number is None and self.version is None:
            raise ConfigurationError(
                f"Model(name='{self.name}') names no version to put in {stage}; "
                f"give one: Model(name='{self.name}', version='1').set_stage(...)."
            )
        moved = runtime.current().store.models.set_stage(self.name, self._version_ref(), stage, force=force)
        self.id, self.number, self.stage = moved.id, moved.number, moved.stage.value
        self.version = moved.name

    def log_metadata(self, metadata: dict[str, Any]) -> None:
        """Attach metadata to this model version (it must have been resolved by a run)."""
        log_metadata(metadata, model_name=self.name, model_version=self.version or str(self.number))

    def _version_ref(self) -> str:
        """This version as the store names it: its number once resolved, else the version asked for."""
        if self.number is not None:
            return str(self.number)
        return str(self.version) if self.version is not None else "latest"

    def get_artifact(self, name: str, *, role: str | None = None) -> ArtifactVersionRead:
        """The newest artifact version named ``name`` linked to this model version (of ``role`` when given).

        Raises:
            NotFoundError: no artifact of that name is linked to the version (the message lists those that are).
        """
        from waypost.exceptions import NotFoundError
        from waypost.execution import runtime

        store = runtime.current().store
        found = store.models.version_artifacts(self.name, self._version_ref(), name=name, role=role, size=200).items
        if not found:
            linked = store.models.version_artifacts(self.name, self._version_ref(), role=role, size=200)
            names = ", ".join(sorted({av.name for av in linked.items})) or "none"
            kind = f"{role} artifact" if role else "artifact"
            number = store.models.get_version(self.name, self._version_ref()).number
            raise NotFoundError(
                f"Version {number} of model '{self.name}' has no {kind} '{name}' (it has: {names}); "
                'name the output with Annotated[..., "NAME"] in the step that makes it.'
            )
        newest = max(found, key=lambda av: (av.version, av.created_at))
        return store.artifacts.get_version(newest.id)

    def get_model_artifact(self, name: str) -> ArtifactVersionRead:
        """:meth:`get_artifact` among the version's model artifacts (trained estimators, networks …)."""
        return self.get_artifact(name, role="model")

    def get_data_artifact(self, name: str) -> ArtifactVersionRead:
        """:meth:`get_artifact` among the version's data artifacts (tables, arrays, datasets)."""
        return self.get_artifact(name, role="data")

    def get_deployment_artifact(self, name: str) -> ArtifactVersionRead:
        """:meth:`get_artifact` among the version's deployment artifacts."""
        return self.get_artifact(name, role="deployment")

    def load_artifact(self, name: str) -> Any:
        """The value of :meth:`get_artifact` (loaded from the artifact store)."""
        from waypost.execution import loading, runtime

        return loading.load_version(runtime.current(), self.get_artifact(name))


def link_artifact_to_model(
    artifact_version: ArtifactVersionRead | uuid.UUID | str,
    model: Model | None = None,
    *,
    role: str | None = None,
) -> None:
    """Link a stored artifact version to a model version, in ``role`` (model, data, deployment, other).

    ``model`` left out, inside a step, is the version the pipeline runs on; elsewhere name one
    (``Model(name="iris", version="1.0")`` is made when new; a stage is the version holding it).
    Left out, ``role`` follows the artifact's type. Linking again changes only the role.
    """
    from waypost.exceptions import WaypostError
    from waypost.execution import model_versions, runtime
    from waypost.execution.context import current
    from waypost.schemas import ModelSpec

    store = runtime.current().store
    if model is not None:
        version_id = model.id or model_versions.resolve(store, ModelSpec.model_validate(model.as_spec())).id
    else:
        ctx = current()
        if ctx is None or ctx.model_version is None:
            raise WaypostError(
                "link_artifact_to_model() needs a model outside a step of a pipeline with one; "
                "pass model=Model(name=..., version=...)."
            )
        version_id = ctx.model_version.id
    av_id = artifact_version if isinstance(artifact_version, uuid.UUID) else None
    if av_id is None:
        av_id = uuid.UUID(str(getattr(artifact_version, "id", artifact_version)))
    if role is None:
        store.models.link(version_id, artifact_version_ids=[av_id])
    else:
        store.models.link(version_id, roles={av_id: role})
