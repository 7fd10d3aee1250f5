"""Changes to many runs at once: archiving and deleting a selection."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.tags import MAX_BULK_IDS


class RunsSelection(BaseModel):
    """Up to 500 runs, by id."""

    model_config = ConfigDict(extra="forbid")

    ids: list[UUID] = Field(min_length=1, max_length=MAX_BULK_IDS, description="The runs' ids, 1 to 500.")


class RunsArchive(RunsSelection):
    """Archive (or restore) the runs."""

    archived: bool = Field(description="True archives them (lists hide them unless asked); false restores them.")


class RunsDelete(RunsSelection):
    """Delete the runs (their step runs and metadata go with them; artifact versions stay)."""

    force: bool = Field(default=False, description="Delete runs still going too (else they are denied).")
