"""Tags on pipelines, runs, artifact versions and model versions, changed one by one or in bulk."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

#: The most resources one bulk change names.
MAX_BULK_IDS = 500
#: The most tags one change adds (or removes).
MAX_TAGS_PER_CHANGE = 100

TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
TagResource = Literal["run", "pipeline", "artifact_version", "model_version"]
BulkOutcome = Literal["ok", "denied", "unknown"]


class TagsBulkChange(BaseModel):
    """Tags to put on and take off each of up to 500 resources of one kind."""

    model_config = ConfigDict(extra="forbid")

    resource: TagResource = Field(description="run, pipeline, artifact_version or model_version.")
    ids: list[UUID] = Field(min_length=1, max_length=MAX_BULK_IDS, description="The resources' ids, 1 to 500.")
    add: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS_PER_CHANGE)
    remove: list[TagName] = Field(
        default_factory=list, max_length=MAX_TAGS_PER_CHANGE, description="Taken off; a tag in both stays on."
    )
    exclusive: list[TagName] = Field(
        default_factory=list,
        max_length=MAX_TAGS_PER_CHANGE,
        description=(
            "Tags of `add` that one resource of this kind holds at a time in its project: they move here "
            "from any other (with a single id only)."
        ),
    )

    @model_validator(mode="after")
    def _one_holder(self) -> TagsBulkChange:
        if self.exclusive and len(set(self.ids)) != 1:
            raise ValueError("Exclusive tags go on one resource at a time; send one id with them.")
        stray = sorted(set(self.exclusive) - set(self.add))
        if stray:
            raise ValueError(f"Exclusive tag '{stray[0]}' is not among the tags to add; add it too.")
        return self


class BulkItem(BaseModel):
    """What a bulk change did to one id."""

    id: UUID
    outcome: BulkOutcome = Field(
        description=(
            "ok: changed; denied: readable but the caller lacks the permission to change it; "
            "unknown: no such resource, or one the caller may not read."
        )
    )
    detail: str | None = Field(default=None, description="Why it was denied or unknown, in one line.")
    tags: list[str] | None = Field(default=None, description="A tag change's result: the resource's tags after.")


class BulkResult(BaseModel):
    """Per id, in the order asked (an id named twice answers once), and the counts."""

    items: list[BulkItem]
    ok: int
    denied: int
    unknown: int

    @classmethod
    def of(cls, items: list[BulkItem]) -> BulkResult:
        """The result of ``items``, counted."""
        count = {o: sum(1 for i in items if i.outcome == o) for o in ("ok", "denied", "unknown")}
        return cls(items=items, ok=count["ok"], denied=count["denied"], unknown=count["unknown"])
