"""Query parameters every list route shares: the filter, the sort, and the page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from waypost.schemas import MAX_PAGE_SIZE

Filter = Annotated[
    str, Query(max_length=2000, description="A filter-language query, e.g. `status:failed tag:prod created>7d`.")
]
Sort = Annotated[str | None, Query(max_length=64, description="A sort key; a leading `-` sorts descending.")]
PageNo = Annotated[int, Query(ge=1, le=10_000_000, description="The page, from 1.")]
Size = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1 to {MAX_PAGE_SIZE}.")]
