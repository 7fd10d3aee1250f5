"""Who produced an artifact version, for the load guard of :mod:`waypost.artifacts.trust`."""

from __future__ import annotations

import uuid

from waypost.artifacts.trust import LoadGuard, Producer
from waypost.exceptions import NotFoundError
from waypost.schemas import ArtifactVersionRead
from waypost.settings import ArtifactSettings
from waypost.store import Store


def producer_of(store: Store, av: ArtifactVersionRead, known: dict[uuid.UUID, Producer] | None = None) -> Producer:
    """The user whose run produced ``av``; unknown when that run is unrecorded or deleted.

    In a local database without users everything is its owner's, whatever made it.
    ``known`` caches producers by run id across calls (a runner loads many inputs of few runs).
    """
    run_id = av.producer_run_id
    if run_id is None:
        return _no_run(store)
    if known is not None and run_id in known:
        return known[run_id]
    try:
        run = store.runs.get(run_id)
    except NotFoundError:
        found = _no_run(store)
    else:
        found = Producer(run.user_id, run.user_name)
    if known is not None:
        known[run_id] = found
    return found


def _no_run(store: Store) -> Producer:
    """The producer of a version no recorded run made: the owner of a local store without users, else unknown."""
    if store.capabilities.local_database and store.users.count() == 0:
        return Producer(None)
    return Producer(None, known=False)


def load_guard(
    store: Store,
    av: ArtifactVersionRead,
    *,
    loader_id: uuid.UUID | None,
    settings: ArtifactSettings,
    allow_unsafe: bool | None = None,
    known: dict[uuid.UUID, Producer] | None = None,
) -> LoadGuard:
    """The guard for loading ``av`` as user ``loader_id``; the producer is looked up only if needed.

    ``allow_unsafe`` is the caller's keyword (None: the caller offers none, as for step inputs).
    """
    return LoadGuard(
        label=f"'{av.name}' version {av.version} ({av.id})",
        loader_id=loader_id,
        producer=lambda: producer_of(store, av, known),
        settings=settings,
        allow_unsafe=bool(allow_unsafe),
        offers_keyword=allow_unsafe is not None,
    )
