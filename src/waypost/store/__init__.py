"""The metadata store: the Store protocol and the factory that opens one from a URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from waypost import _lazy
from waypost.store.base import Store, StoreCapabilities

if TYPE_CHECKING:
    from waypost.settings import WaypostSettings

__all__ = ["Store", "StoreCapabilities", "open_store"]


def open_store(settings: WaypostSettings) -> Store:
    """Open the store the settings name: a RestStore for a server URL, else SQL (marking dead runs crashed).

    The server marks crashed runs itself, so a RestStore leaves that to it.
    """
    if settings.store_is_remote:
        rest = _lazy.load("waypost.store.rest.store")
        remote: Store = rest.RestStore(
            settings.store_url, settings.store.api_key, timeout_s=settings.store.timeout_s, project=settings.project
        )
        return remote
    # Loaded by name so that `import waypost` does not pay for SQLAlchemy (~0.5 s here).
    sql = _lazy.load("waypost.store.sql.store")
    store: Store = sql.SqlStore(
        settings.store_url,
        busy_timeout_s=settings.store.busy_timeout_s,
        pool_size=settings.store.pool_size,
        project=settings.project,
    )
    store.runs.mark_crashed(settings.execution.heartbeat_timeout_s)
    return store
