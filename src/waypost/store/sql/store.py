"""SqlStore: the Store protocol over SQLAlchemy (SQLite, PostgreSQL, MySQL/MariaDB)."""

from __future__ import annotations

from waypost.store.base import Store, StoreCapabilities
from waypost.store.sql.engine import Engines, Sessions, make_engines
from waypost.store.sql.migrate import ensure_schema
from waypost.store.sql.repositories.artifacts import ArtifactRepository
from waypost.store.sql.repositories.audit import AuditRepository
from waypost.store.sql.repositories.auth import AuthRepository
from waypost.store.sql.repositories.metadata import MetadataRepository
from waypost.store.sql.repositories.models import ModelRepository
from waypost.store.sql.repositories.pipelines import PipelineRepository
from waypost.store.sql.repositories.runs import RunRepository
from waypost.store.sql.repositories.steps import StepRepository
from waypost.store.sql.repositories.users import UserRepository


class SqlStore:
    """A metadata store in a SQL database, migrated to the current schema on open."""

    def __init__(self, url: str, *, busy_timeout_s: float = 30.0, pool_size: int = 5, migrate: bool = True) -> None:
        self.engines: Engines = make_engines(url, busy_timeout_s=busy_timeout_s, pool_size=pool_size)
        if migrate:
            ensure_schema(self.engines)
        self.sessions = Sessions(self.engines)
        self.pipelines = PipelineRepository(self.sessions)
        self.runs = RunRepository(self.sessions)
        self.steps = StepRepository(self.sessions)
        self.artifacts = ArtifactRepository(self.sessions)
        self.metadata = MetadataRepository(self.sessions)
        self.models = ModelRepository(self.sessions)
        self.users = UserRepository(self.sessions)
        self.auth = AuthRepository(self.sessions)
        #: The audit trail: server-side only, so not part of the Store protocol.
        self.audit = AuditRepository(self.sessions)

    @property
    def capabilities(self) -> StoreCapabilities:
        """A local database of the engine's dialect."""
        return StoreCapabilities(local_database=True, dialect=self.engines.dialect)

    def close(self) -> None:
        """Release database connections."""
        self.engines.dispose()

    def __repr__(self) -> str:
        return f"SqlStore({self.engines.url!r})"


def _conforms(store: SqlStore) -> Store:
    """Checked by mypy: SqlStore implements the Store protocol."""
    return store
