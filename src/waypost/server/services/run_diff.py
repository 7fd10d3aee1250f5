"""Two runs compared, and the run a failed one is compared with (run:read on both)."""

from __future__ import annotations

from waypost.schemas import RunRead
from waypost.schemas.run_diff import RunDiff
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404
from waypost.store.sql.repositories.run_diff import RunDiffRepository
from waypost.store.sql.store import SqlStore


def diff_runs(store: SqlStore, caller: Principal, run: str, other: str, project: str | None = None) -> RunDiff:
    """How run ``other`` differs from run ``run`` (the baseline); either hidden or unknown is the same 404."""
    before = scopes.readable(store, caller, "run", run, project)
    after = scopes.readable(store, caller, "run", other, project)
    return or_404(lambda: RunDiffRepository(store.sessions).diff(before.id, after.id))


def last_successful(store: SqlStore, caller: Principal, run: str, project: str | None = None) -> RunRead:
    """The newest successful run of run ``run``'s pipeline created before it that the caller may read."""
    found = scopes.readable(store, caller, "run", run, project)
    repo = RunDiffRepository(store.sessions)
    previous = or_404(lambda: repo.last_successful(found.id, scopes.visibility(caller, "run")))
    return or_404(lambda: store.runs.get(previous))
