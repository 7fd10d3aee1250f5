"""Model versions as the Client hands them out: the wire schema's fields, plus the actions on a version."""

from __future__ import annotations

from pydantic import PrivateAttr

from waypost.enums import ModelStages
from waypost.exceptions import ConfigurationError
from waypost.schemas import ModelVersionRead
from waypost.store import Store

__all__ = ["ModelVersion"]


class ModelVersion(ModelVersionRead):
    """A model version (every field of :class:`~waypost.schemas.ModelVersionRead`) that can change its stage.

    Example:
        >>> version = Client().get_model_version("iris_classifier", ModelStages.STAGING)
        >>> version.set_stage(ModelStages.PRODUCTION, force=True, reason="beats production on f1")
    """

    _store: Store | None = PrivateAttr(default=None)

    @classmethod
    def bound(cls, read: ModelVersionRead, store: Store) -> ModelVersion:
        """``read`` as a ModelVersion whose actions go to ``store``."""
        version = cls.model_validate(read.model_dump())
        version._store = store
        return version

    def set_stage(self, stage: ModelStages | str, force: bool = False, reason: str | None = None) -> ModelVersion:
        """Put this version in ``stage`` (staging, production, archived or none); return it as it now is.

        At most one version of a model holds staging and one production: ``force`` archives the
        version holding it now, else that is a ConflictError naming it. Putting the version in the
        stage it is in changes nothing.

        Raises:
            ConflictError: another version holds the stage and ``force`` is False.
            ParameterError: ``stage`` is ``latest`` or no stage at all.
        """
        if self._store is None:
            raise ConfigurationError(
                "This model version is not bound to a store; get it from Client().get_model_version()."
            )
        moved = self._store.models.set_stage(str(self.model_id), self.name, stage, force=force, reason=reason)
        for name in ModelVersionRead.model_fields:
            setattr(self, name, getattr(moved, name))
        return self
