"""Cleanup: deleting old runs and the artifact versions and files nothing kept still references.

A cleanup is previewed first (:class:`CleanupPreview`); the preview's token confirms it, and the
cleanup deletes exactly the previewed set or nothing (:class:`CleanupConfirm`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from waypost.enums import ExecutionStatus

#: How many of the runs to delete a preview lists (it counts them all).
PREVIEW_RUNS = 100
_AGE = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_AGE_HELP = "write an age like 30d (s, m, h, d or w: seconds, minutes, hours, days, weeks)"

KeepTag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w`` … as a timedelta; a ValueError naming the fix otherwise."""
    m = _AGE.match(text)
    if m is None:
        raise ValueError(f"'{text}' is not an age; {_AGE_HELP}.")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


class CleanupFilter(BaseModel):
    """Which runs a cleanup deletes: those created before now minus ``older_than``, of ``pipeline`` when given."""

    model_config = ConfigDict(extra="forbid")

    older_than: str = Field(max_length=16, description="An age such as 30d, 12h or 2w (s, m, h, d, w).")
    keep_tags: list[KeepTag] = Field(
        default_factory=list,
        max_length=50,
        description="Runs and artifact versions carrying any of these tags are kept (and what they reference).",
    )
    pipeline: str | None = Field(default=None, max_length=255, description="Only runs of this pipeline (name or id).")

    @field_validator("older_than")
    @classmethod
    def _age(cls, value: str) -> str:
        parse_age(value)
        return value.strip()

    @property
    def age(self) -> timedelta:
        """``older_than`` as a timedelta."""
        return parse_age(self.older_than)


class CleanupConfirm(CleanupFilter):
    """The previewed filter again, with the preview's token."""

    confirm: str = Field(min_length=1, max_length=128, description="The token of the preview being confirmed.")


class CleanupRun(BaseModel):
    """A run a cleanup deletes."""

    id: UUID
    name: str
    pipeline_name: str
    status: ExecutionStatus
    created_at: datetime


class CleanupKept(BaseModel):
    """What the filter reached but the cleanup keeps, by reason."""

    runs_tagged: int = Field(description="Runs carrying a keep tag.")
    runs_active: int = Field(description="Runs still initializing or running.")
    runs_model_version: int = Field(description="Runs that produced a model version.")
    runs_not_permitted: int = Field(description="Runs in projects where the caller lacks run:delete.")
    versions_used_by_kept_runs: int = Field(description="Artifact versions a kept run produced or read.")
    versions_linked_to_models: int = Field(description="Artifact versions linked to a model version.")
    versions_tagged: int = Field(description="Artifact versions carrying a keep tag.")
    versions_not_permitted: int = Field(description="Artifact versions where the caller lacks artifact:delete.")


class CleanupPreview(BaseModel):
    """What a cleanup with this filter would delete now, and the token that confirms it."""

    cutoff: datetime = Field(description="Runs created before this are deleted.")
    runs: int = Field(description="How many runs it deletes.")
    runs_listed: list[CleanupRun] = Field(description=f"The first {PREVIEW_RUNS} of them, oldest first.")
    artifact_versions: int = Field(description="Artifact versions deleted with them.")
    files: int = Field(description="Stored locations removed: artifact version folders and step log folders.")
    bytes: int = Field(description="The recorded size of the deleted artifact versions (logs not counted).")
    kept: CleanupKept
    matches_everything: bool = Field(description="True when the filter reaches every run the caller may delete.")
    warning: str | None = Field(default=None, description="One line to show before confirming, when there is one.")
    token: str = Field(description="Send it back as `confirm` to delete exactly this set.")


class CleanupResult(BaseModel):
    """What a confirmed cleanup freed."""

    runs: int
    artifact_versions: int
    files: int = Field(description="Stored locations removed.")
    bytes: int = Field(description="Bytes those locations held, as measured just before removal.")
    files_failed: list[str] = Field(
        default_factory=list, description="Locations that could not be removed (at most 100 listed)."
    )
