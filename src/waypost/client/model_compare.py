"""``Client().compare_model_versions``: versions of a model side by side, from a server or a local database."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from waypost.exceptions import ConfigurationError
from waypost.schemas.model_compare import ModelComparison
from waypost.store import Store
from waypost.store.rest.store import RestStore
from waypost.store.sql.repositories.model_compare import ModelCompareRepository, split_refs
from waypost.store.sql.store import SqlStore

__all__ = ["CompareVersions"]


class CompareVersions:
    """The Client's comparison of model versions (a mixin: the Client gives it its store)."""

    @property
    def store(self) -> Store:
        """The metadata store (the Client's)."""
        raise NotImplementedError

    def compare_model_versions(self, name: str, versions: Sequence[str | int]) -> ModelComparison:
        """Versions of model ``name`` side by side, the first being the baseline.

        ``versions`` are 2 to 50 numbers, names, ids, ``latest`` or stages. The answer's ``rows``
        hold, per metric, parameter, metadata key, artifact and snapshot fact, a value per version,
        whether they differ, and for a metric the index of the best version; versions the model
        lacks are listed in ``unknown``.

        Example:
            >>> Client().compare_model_versions("iris_classifier", [3, 5, "production"]).rows[0].best

        Raises:
            NotFoundError: no model ``name``.
            ParameterError: fewer than two of ``versions`` exist, or more than 50 are asked for.
        """
        refs = split_refs(",".join(str(v) for v in versions))
        store = self.store
        if isinstance(store, RestStore):
            found: ModelComparison = store.http.get(
                f"/models/{quote(name, safe='')}/compare", ModelComparison, versions=",".join(refs)
            )
            return found
        if isinstance(store, SqlStore):
            return ModelCompareRepository(store.sessions).compare(store.models.get(name).id, refs)
        raise ConfigurationError(f"Comparing model versions needs a SQL store or a server, not {type(store).__name__}.")
