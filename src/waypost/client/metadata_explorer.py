"""``Client().list_metadata_keys`` and ``metadata_history``: the metadata explorer, from a server or a database."""

from __future__ import annotations

from typing import Any

from waypost.exceptions import ConfigurationError
from waypost.schemas.metadata_explorer import MetadataEntity, MetadataHistory, MetadataKeyPage, MetadataKeySort
from waypost.store import Store
from waypost.store.rest.store import RestStore
from waypost.store.sql.repositories.metadata_explorer import MetadataExplorerRepository, Readable
from waypost.store.sql.store import SqlStore

__all__ = ["ExploreMetadata"]

#: A local database's user reads everything in it.
_EVERYTHING = Readable(runs=None, artifacts=None, models=None)


class ExploreMetadata:
    """The Client's metadata explorer (a mixin: the Client gives it its store)."""

    @property
    def store(self) -> Store:
        """The metadata store (the Client's)."""
        raise NotImplementedError

    def list_metadata_keys(
        self,
        *,
        entity: MetadataEntity | None = None,
        prefix: str = "",
        contains: str = "",
        query: str | None = None,
        sort: MetadataKeySort = "count",
        page: int = 1,
        size: int = 100,
    ) -> MetadataKeyPage:
        """Every metadata key logged on runs, steps, artifact versions and model versions you may read.

        Each item has the key's entry count, its count per owner kind (``entities``) and per value
        type (``types``), the smallest and largest number logged, and when it was first and last
        logged. ``entity`` keeps one owner kind; ``prefix`` and ``contains`` match key names (any
        case); ``query`` is a run filter (``pipeline:train status:completed``) keeping the metadata
        of matching runs, their steps, the artifact versions they made and their model versions.

        Example:
            >>> page = Client().list_metadata_keys(prefix="val_", sort="last_seen")
            >>> [(k.key, k.count, k.min, k.max) for k in page.items]

        Raises:
            FilterSyntaxError: ``query`` is not a valid filter.
        """
        store = self.store
        if isinstance(store, RestStore):
            params: dict[str, Any] = {"prefix": prefix, "contains": contains, "sort": sort, "page": page, "size": size}
            if entity is not None:
                params["entity"] = entity
            if query is not None:
                params["q"] = query
            found: MetadataKeyPage = store.http.get("/metadata/keys", MetadataKeyPage, **params)
            return found
        if isinstance(store, SqlStore):
            return MetadataExplorerRepository(store.sessions).keys(
                _EVERYTHING,
                entity=entity,
                prefix=prefix,
                contains=contains,
                query=query,
                sort=sort,
                page=page,
                size=size,
            )
        raise ConfigurationError(f"Listing metadata keys needs a SQL store or a server, not {type(store).__name__}.")

    def metadata_history(self, key: str, *, pipeline: str | None = None, query: str | None = None) -> MetadataHistory:
        """The values of metadata ``key`` over time (oldest first; the newest 10,000), each with its run.

        Example:
            >>> history = Client().metadata_history("accuracy", pipeline="training_pipeline")
            >>> [(p.run_name, p.number) for p in history.points]
        """
        store = self.store
        if isinstance(store, RestStore):
            params: dict[str, Any] = {"key": key}
            if pipeline is not None:
                params["pipeline"] = pipeline
            if query is not None:
                params["q"] = query
            found: MetadataHistory = store.http.get("/metadata/history", MetadataHistory, **params)
            return found
        if isinstance(store, SqlStore):
            return MetadataExplorerRepository(store.sessions).history(key, _EVERYTHING, pipeline=pipeline, query=query)
        raise ConfigurationError(f"Metadata history needs a SQL store or a server, not {type(store).__name__}.")
