"""Say, once per run and key, which ``settings={...}`` a run records but cannot apply on its stack."""

from __future__ import annotations

import warnings

from waypost.schemas import PipelineSpec
from waypost.schemas.stack_snapshot import StackSnapshot

__all__ = ["unapplied_settings", "warn_unapplied"]


def unapplied_settings(spec: PipelineSpec, stack: StackSnapshot, orchestrator: str) -> list[str]:
    """One line per settings key of the pipeline and its steps that the run records without applying:
    ``docker`` (no containers here), and component settings (``orchestrator.sagemaker``) for a component
    or flavor the run's stack does not have, or one that takes no per-run settings."""
    keys: dict[str, None] = {}
    for settings in [spec.settings.settings, *(s.settings.settings for s in spec.steps)]:
        keys.update(dict.fromkeys(k for k, v in settings.items() if k != "resources" and v))
    flavors = {str(kind.value): c.flavor for kind, c in stack.components.items()}
    flavors["orchestrator"] = orchestrator
    lines = []
    for key in keys:
        if key == "docker":
            lines.append(
                f"DockerSettings are recorded but not applied: the {orchestrator} orchestrator runs no containers"
            )
            continue
        kind, _, flavor = key.partition(".")
        used = flavors.get(kind)
        label = kind.replace("_", " ")
        if used is None:
            why = f"the run's stack '{stack.name}' has no {label}"
        elif flavor and flavor != used:
            why = f"the run's {label} is {used}, not {flavor}"
        else:
            why = f"the {used} {label} takes no per-run settings"
        lines.append(f"Settings '{key}' are recorded but not applied: {why}")
    return lines


def warn_unapplied(spec: PipelineSpec, stack: StackSnapshot, orchestrator: str) -> None:
    """A :class:`~waypost.config.SettingsWarning` for each line of :func:`unapplied_settings`."""
    lines = unapplied_settings(spec, stack, orchestrator)
    if not lines:
        return
    from waypost.config import SettingsWarning  # here: the settings models cost ~10 ms of every run's start-up

    for line in lines:
        warnings.warn(line, SettingsWarning, stacklevel=4)
