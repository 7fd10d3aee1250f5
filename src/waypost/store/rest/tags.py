"""The RestStore's tags and cleanup: one call each to the server's /tags/bulk and /cleanup routes."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable

from waypost.exceptions import NotFoundError, StoreError
from waypost.schemas.cleanup import CleanupConfirm, CleanupFilter, CleanupPreview, CleanupResult
from waypost.schemas.tags import BulkResult, TagsBulkChange
from waypost.store.rest.http import Http


class RestTags:
    """Tags through POST /tags/bulk: every id changed, or an error naming the first that was not."""

    def __init__(self, http: Http) -> None:
        self.http = http

    def change(
        self,
        resource_type: str,
        ids: builtins.list[uuid.UUID],
        *,
        add: builtins.list[str],
        remove: builtins.list[str],
        exclusive: builtins.list[str] | tuple[str, ...] = (),
    ) -> dict[uuid.UUID, builtins.list[str]]:
        """Tag and untag resources ``ids``; their tags after.

        Raises:
            NotFoundError: an id is unknown (or hidden from this key's user).
            StoreError: the user may not change one of them (the message names the permission).
        """
        body = TagsBulkChange.model_validate(
            {"resource": resource_type, "ids": ids, "add": add, "remove": remove, "exclusive": list(exclusive)}
        )
        result: BulkResult = self.http.send("POST", "/tags/bulk", body, BulkResult, idempotent=True)
        for item in result.items:
            if item.outcome == "unknown":
                raise NotFoundError(item.detail or f"No {resource_type} '{item.id}' exists.")
            if item.outcome == "denied":
                raise StoreError(item.detail or f"You may not change the tags of {resource_type} '{item.id}'.")
        return {item.id: item.tags or [] for item in result.items}


class RestCleanup:
    """Cleanup previews and confirmations through the server, which removes the files itself."""

    def __init__(self, http: Http) -> None:
        self.http = http

    def preview(self, f: CleanupFilter) -> CleanupPreview:
        """What a cleanup with ``f`` would delete now, and the token that confirms it."""
        found: CleanupPreview = self.http.send("POST", "/cleanup/preview", f, CleanupPreview, idempotent=True)
        return found

    def apply(
        self, confirm: CleanupConfirm, remove: Callable[[builtins.list[str]], tuple[int, int, builtins.list[str]]]
    ) -> CleanupResult:
        """Delete the previewed set on the server (``remove`` is unused: the server removes its files)."""
        done: CleanupResult = self.http.send("POST", "/cleanup", confirm, CleanupResult)
        return done
