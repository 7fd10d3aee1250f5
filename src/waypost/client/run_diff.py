"""``Client().diff_runs`` and ``Client().last_successful_run``: two runs compared, from a server or a local database."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from waypost.exceptions import ConfigurationError
from waypost.schemas import RunRead
from waypost.schemas.run_diff import RunDiff
from waypost.store import Store
from waypost.store.rest.store import RestStore
from waypost.store.sql.repositories.run_diff import RunDiffRepository
from waypost.store.sql.store import SqlStore

__all__ = ["DiffRuns"]


def _path(ref: str | uuid.UUID) -> str:
    return quote(str(ref), safe="")


class DiffRuns:
    """The Client's structural diff of runs (a mixin: the Client gives it its store)."""

    @property
    def store(self) -> Store:
        """The metadata store (the Client's)."""
        raise NotImplementedError

    def diff_runs(self, before: str | uuid.UUID, after: str | uuid.UUID) -> RunDiff:
        """How run ``after`` differs from run ``before`` (the baseline); both by id or name.

        The answer lists every step (``change``: added, removed, rewired, changed or same) with its
        inputs in both runs, a unified diff of its code, its parameter and settings changes, and what
        it did in each run (cached, executed, failed ...) with the reason when one was served from the
        cache and the other not; the DAG's edges added and removed; and the pipeline parameters, run
        configuration and stack components that changed (secret values masked).

        Example:
            >>> diff = Client().diff_runs("train-1", "train-2")
            >>> [(s.name, s.change, s.cache.reason) for s in diff.steps if s.change != "same"]

        Raises:
            NotFoundError: either run does not exist (or, from a server, you may not read it).
        """
        store = self.store
        if isinstance(store, RestStore):
            found: RunDiff = store.http.get(f"/runs/{_path(before)}/diff/{_path(after)}", RunDiff)
            return found
        if isinstance(store, SqlStore):
            return RunDiffRepository(store.sessions).diff(store.runs.get(before).id, store.runs.get(after).id)
        raise ConfigurationError(f"Comparing runs needs a SQL store or a server, not {type(store).__name__}.")

    def last_successful_run(self, run: str | uuid.UUID) -> RunRead:
        """The newest completed run of run ``run``'s pipeline created before it: what a failed run is compared with.

        Raises:
            NotFoundError: ``run`` does not exist, or no successful run of its pipeline came before it.
        """
        store = self.store
        if isinstance(store, RestStore):
            found: RunRead = store.http.get(f"/runs/{_path(run)}/last-successful", RunRead)
            return found
        if isinstance(store, SqlStore):
            previous = RunDiffRepository(store.sessions).last_successful(store.runs.get(run).id)
            return store.runs.get(previous)
        raise ConfigurationError(
            f"Finding a run's last successful run needs a SQL store or a server, not {type(store).__name__}."
        )
