"""Shared wire-schema building blocks."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
#: The longest reason a stop may carry (here, not with the API schemas: the run repository, on every
#: run's start-up path, needs it).
MAX_STOP_REASON = 500


class ReadModel(BaseModel):
    """Base of every ``*Read`` schema: built from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` plus what is needed to fetch the next one."""

    items: list[T]
    total: int
    page: int = Field(ge=1)
    size: int = Field(ge=1, le=MAX_PAGE_SIZE)

    @property
    def pages(self) -> int:
        """How many pages there are at this size."""
        return max(1, -(-self.total // self.size))
