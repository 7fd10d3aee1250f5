"""Helpers the resource services share: paging lists the store returns whole, 404s."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from fastapi import HTTPException, status

from waypost.exceptions import NotFoundError
from waypost.schemas import MAX_PAGE_SIZE, Page

T = TypeVar("T")


def page_of(items: Sequence[T], page: int, size: int) -> Page[T]:
    """One page of a list held in memory (a run's steps, a pipeline's snapshots)."""
    check_page(page, size)
    start = (page - 1) * size
    return Page[T](items=list(items[start : start + size]), total=len(items), page=page, size=size)


def check_page(page: int, size: int) -> None:
    """Refuse paging outside the allowed range with a one-line fix."""
    if page < 1:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Page {page} does not exist; pages start at 1.")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Page size {size} is out of range; use 1 to {MAX_PAGE_SIZE}.")


def or_404(fetch: Callable[[], T]) -> T:
    """``fetch()``, with the store's NotFoundError answered as a one-line 404."""
    try:
        return fetch()
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
