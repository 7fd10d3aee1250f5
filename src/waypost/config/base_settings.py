"""``BaseSettings``: the base of the settings a step or pipeline takes in ``settings={...}``, and the
warning a setting that cannot be applied here raises."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["BaseSettings", "SettingsWarning"]


class SettingsWarning(UserWarning):
    """A setting is recorded with the run but not applied (a cloud-only flavor, Docker), or a run
    config has a key Waypost does not know; the run goes on."""


class BaseSettings(BaseModel):
    """Settings passed as ``settings={"KEY": BaseSettings(...)}``; a misspelled field is an error."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    def given(self) -> dict[str, Any]:
        """The fields set explicitly, as JSON values: what ``configure(merge=True)`` merges."""
        return self.model_dump(mode="json", exclude_unset=True)
