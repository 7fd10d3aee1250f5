"""The rules of model stages that every store applies alike, and their one-line errors."""

from __future__ import annotations

from waypost.enums import ModelStages
from waypost.exceptions import ConflictError, ParameterError

#: The stages a version can be put in, in the order messages list them.
SETTABLE = (ModelStages.STAGING, ModelStages.PRODUCTION, ModelStages.ARCHIVED, ModelStages.NONE)
#: Stages at most one version of a model holds at a time.
EXCLUSIVE = frozenset({ModelStages.STAGING, ModelStages.PRODUCTION})
#: How a transition came about.
HOWS = ("manual", "approval", "rule")
REASON_MAX = 2000
_NAMES = ", ".join(s.value for s in SETTABLE)


def settable_stage(stage: ModelStages | str) -> ModelStages:
    """``stage`` as a stage a version can be put in, else a one-line ParameterError listing them."""
    value = str(stage.value if isinstance(stage, ModelStages) else stage).strip().lower()
    if value == ModelStages.LATEST.value:
        raise ParameterError(
            "'latest' is not a stage a version can be put in (it always means the newest version); "
            f"use one of {_NAMES}."
        )
    if value not in {s.value for s in SETTABLE}:
        raise ParameterError(f"No stage '{stage}'; use one of {_NAMES}.")
    return ModelStages(value)


def check_transition(how: str, rule: str | None, reason: str | None) -> None:
    """Refuse (one line) an unknown ``how``, a rule name without how ``rule``, or a reason that is too long."""
    if how not in HOWS:
        raise ParameterError(f"A stage change is made by {', '.join(HOWS)}, not '{how}'.")
    if rule is not None and (how not in ("rule", "approval") or not rule.strip() or len(rule) > 255):
        raise ParameterError("A rule name (1 to 255 characters) goes with how='rule' (or 'approval', of its request).")
    if reason is not None and len(reason) > REASON_MAX:
        raise ParameterError(f"A stage change's reason holds {REASON_MAX} characters at most; shorten it.")


def holder_conflict(model: str, stage: ModelStages, holder: str, version: str) -> ConflictError:
    """The refusal to promote ``version`` into ``stage`` while version ``holder`` holds it."""
    return ConflictError(
        f"Version {holder} of model '{model}' is in {stage.value}; use --force to archive it "
        f"and put version {version} there (force=True from Python)."
    )


def approval_needed(model: str, version: str, stage: ModelStages, approvals: int) -> ConflictError:
    """The refusal to put ``version`` in ``stage`` directly when the model's policy wants approval for it."""
    needs = "1 approval" if approvals == 1 else f"{approvals} approvals"
    return ConflictError(
        f"Putting version {version} of model '{model}' in {stage.value} needs {needs}; request it with "
        f"`waypost model request {model} {version} {stage.value}` (Client().request_model_stage from Python)."
    )


def is_stage_name(version: str | None) -> bool:
    """Whether ``version`` names a stage (``production``, ``latest`` …) rather than a version."""
    return version is not None and str(version) in {s.value for s in ModelStages}
