"""The model version a run attaches to: a named or new version, or the version holding a stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from waypost.enums import ModelStages
from waypost.exceptions import ConfigurationError, NotFoundError
from waypost.schemas import ModelSpec
from waypost.store import Store
from waypost.store.model_stages import is_stage_name

if TYPE_CHECKING:
    from waypost.schemas import ModelVersionRead


def resolve(store: Store, model: ModelSpec) -> ModelVersionRead:
    """The version ``model`` names: created when it is a new name (a new number for none); for a stage
    (``production``, ``staging``, ``latest`` …) the version holding it, which must exist: a version is
    never created, nor named, after a stage.

    Raises:
        ConfigurationError: no version holds the stage (one line naming the command that promotes one).
    """
    if not is_stage_name(model.version):
        return store.models.get_or_create_version(
            model.name, model.version, description=model.description, tags=model.tags
        )
    stage = str(model.version)
    try:
        return store.models.get_version(model.name, stage)
    except NotFoundError:
        if stage == ModelStages.LATEST.value:
            raise ConfigurationError(
                f"Model '{model.name}' has no versions yet; run a pipeline with Model(name='{model.name}') to make one."
            ) from None
        raise ConfigurationError(
            f"Model '{model.name}' has no version in {stage}; promote one with "
            f"`waypost model stage {model.name} VERSION {stage}`."
        ) from None
