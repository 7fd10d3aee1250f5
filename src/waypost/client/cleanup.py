"""``Client().preview_cleanup`` and ``Client().cleanup``: old runs and what only they reference, on confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from waypost.schemas.cleanup import CleanupConfirm, CleanupFilter, CleanupPreview, CleanupResult
from waypost.store import Store

if TYPE_CHECKING:
    from waypost.artifacts.store import ArtifactStore

__all__ = ["Cleanup"]


class Cleanup:
    """The Client's cleanup (a mixin: the Client gives it its store and the artifact stores it knows)."""

    @property
    def store(self) -> Store:
        """The metadata store (the Client's)."""
        raise NotImplementedError

    def _files_for(self, uri: str) -> ArtifactStore:
        raise NotImplementedError

    def preview_cleanup(
        self, older_than: str, *, keep_tags: Sequence[str] = (), pipeline: str | None = None
    ) -> CleanupPreview:
        """What :meth:`cleanup` would delete now, and the token that confirms exactly that.

        Runs created more than ``older_than`` ago (``30d``, ``12h``, ``2w``), of ``pipeline`` when
        given, go unless still running, tagged with one of ``keep_tags``, or a model version's
        producer; their artifact versions go unless a kept run produced or read them, a model version
        links them, or they carry a keep tag. Nothing changes.
        """
        f = CleanupFilter(older_than=older_than, keep_tags=list(keep_tags), pipeline=pipeline)
        return self.store.cleanup.preview(f)

    def cleanup(
        self, older_than: str, *, confirm: str, keep_tags: Sequence[str] = (), pipeline: str | None = None
    ) -> CleanupResult:
        """Delete what the preview with these arguments listed (``confirm`` is its token), then their files.

        Raises:
            ConflictError: the token is not that preview's, has expired, or the set changed since.
        """
        from waypost.artifacts.removal import remove_locations  # only a local database's cleanup removes files here

        f = CleanupConfirm(older_than=older_than, keep_tags=list(keep_tags), pipeline=pipeline, confirm=confirm)
        return self.store.cleanup.apply(f, lambda uris: remove_locations(uris, self._files_for))
