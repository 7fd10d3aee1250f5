"""The model version a run attaches to: a named or new version, or the version holding a stage; its promotion rules."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from waypost.enums import ModelStages
from waypost.exceptions import ConfigurationError, NotFoundError
from waypost.schemas import ModelSpec
from waypost.store import Store
from waypost.store.model_stages import is_stage_name

if TYPE_CHECKING:
    from waypost.schemas import ModelVersionRead

log = logging.getLogger("waypost.models")


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


def apply_rules(store: Store, version: ModelVersionRead) -> str | None:
    """Try the model's promotion rules on ``version`` (a run that made it completed, or its metadata changed).

    What a rule did is logged; so is a failure, which never fails the caller: the run's result or the
    metadata logged stands whatever the rules do. Returns the name of the rule that fired, if one did.
    """
    try:
        fired = store.promotions.evaluate(version.id)
    except Exception as exc:  # a rule is the model owner's business, never the run's failure
        log.warning(
            "The promotion rules of model '%s' were not applied to version %s: %s",
            version.model_name,
            version.name,
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        )
        return None
    result = fired.result
    if fired.rule is None or result is None:
        return None
    subject = f"version {version.name} of model '{version.model_name}'"
    if result.outcome == "pending" and result.request is not None:
        log.info(
            "Promotion rule '%s' asked to put %s in %s; it waits for approval (`waypost model requests`).",
            fired.rule,
            subject,
            result.request.to_stage.value,
        )
    else:
        log.info("Promotion rule '%s' put %s in %s.", fired.rule, subject, result.version.stage.value)
    return fired.rule
