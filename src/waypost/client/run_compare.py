"""``Client().compare_runs``: runs side by side, from a server or a local database."""

from __future__ import annotations

from collections.abc import Sequence

from waypost.exceptions import ConfigurationError
from waypost.schemas.run_compare import RunComparison
from waypost.store import Store
from waypost.store.rest.store import RestStore
from waypost.store.sql.repositories.run_compare import RunCompareRepository, parse_directions, split_run_refs
from waypost.store.sql.store import SqlStore

__all__ = ["CompareRuns"]


class CompareRuns:
    """The Client's comparison of runs (a mixin: the Client gives it its store)."""

    @property
    def store(self) -> Store:
        """The metadata store (the Client's)."""
        raise NotImplementedError

    def compare_runs(
        self, runs: Sequence[str], *, lower: Sequence[str] = (), higher: Sequence[str] = ()
    ) -> RunComparison:
        """Runs side by side, in the order given (duplicates dropped), the first being the baseline.

        ``runs`` are 1 to 100 run ids or names. The answer's ``rows`` hold, per run fact, parameter,
        metric, metadata key, step status and cache hit, step output and snapshot fact, a value per
        run, the values' kind, whether they differ, and for a metric (and the duration) the index
        of the best run. Higher is better unless the key's last part says loss, error, time ...;
        ``lower`` and ``higher`` name keys to rank the other way. Runs that do not exist, or that
        you may not read, are listed in ``missing``.

        Example:
            >>> found = Client().compare_runs(["train-1", "train-2"])
            >>> [(r.key, r.values) for r in found.rows if r.differs]

        Raises:
            ParameterError: no run, more than 100, or a key in both ``lower`` and ``higher``.
        """
        refs = split_run_refs(",".join(str(r) for r in runs))
        low, high = ",".join(lower), ",".join(higher)
        directions = parse_directions(low, high)
        store = self.store
        if isinstance(store, RestStore):
            params = {"runs": ",".join(refs), "lower": low, "higher": high}
            found: RunComparison = store.http.get(
                "/runs/compare", RunComparison, **{k: v for k, v in params.items() if v}
            )
            return found
        if isinstance(store, SqlStore):
            return RunCompareRepository(store.sessions).compare(refs, directions=directions)
        raise ConfigurationError(f"Comparing runs needs a SQL store or a server, not {type(store).__name__}.")
