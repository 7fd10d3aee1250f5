"""``Model``: the model (and version) a pipeline's runs and artifacts are attached to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from waypost.sdk.metadata import log_metadata

if TYPE_CHECKING:
    from waypost.schemas import ArtifactVersionRead


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

    def _version_ref(self) -> str:
        """This version as the store names it: its number once resolved, else the version asked for."""
        if self.number is not None:
            return str(self.number)
        return str(self.version) if self.version is not None else "latest"

    def get_artifact(self, name: str) -> ArtifactVersionRead:
        """The newest artifact version named ``name`` linked to this model version (made by its runs).

        Raises:
            NotFoundError: no artifact of that name is linked to the version (the message lists those that are).
        """
        from waypost.exceptions import NotFoundError
        from waypost.execution import runtime

        store = runtime.current().store
        version = store.models.get_version(self.name, self._version_ref())
        linked = [store.artifacts.get_version(av_id) for av_id in version.artifact_version_ids]
        found = [av for av in linked if av.name == name]
        if not found:
            names = ", ".join(sorted({av.name for av in linked})) or "none"
            raise NotFoundError(
                f"Version {version.number} of model '{self.name}' has no artifact '{name}' (it has: {names}); "
                'name the output with Annotated[..., "NAME"] in the step that makes it.'
            )
        return max(found, key=lambda av: (av.version, av.created_at))

    def load_artifact(self, name: str) -> Any:
        """The value of :meth:`get_artifact` (loaded from the artifact store)."""
        from waypost.execution import loading, runtime

        return loading.load_version(runtime.current(), self.get_artifact(name))
