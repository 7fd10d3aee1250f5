"""SqlStore: the Store protocol over SQLAlchemy (SQLite, PostgreSQL, MySQL/MariaDB)."""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import TYPE_CHECKING

from waypost.schemas.access import DEFAULT_NAME, DEFAULT_PROJECT_ID
from waypost.store.base import Store, StoreCapabilities
from waypost.store.sql.engine import Engines, Sessions, make_engines
from waypost.store.sql.migrate import ensure_schema
from waypost.store.sql.repositories.artifacts import ArtifactRepository
from waypost.store.sql.repositories.metadata import MetadataRepository
from waypost.store.sql.repositories.pipelines import PipelineRepository
from waypost.store.sql.repositories.runs import RunRepository
from waypost.store.sql.repositories.steps import StepRepository

if TYPE_CHECKING:
    from waypost.store.sql.repositories.access import AccessRepository
    from waypost.store.sql.repositories.audit import AuditRepository
    from waypost.store.sql.repositories.auth import AuthRepository
    from waypost.store.sql.repositories.cleanup import CleanupRepository
    from waypost.store.sql.repositories.model_promotions import ModelPromotionRepository
    from waypost.store.sql.repositories.models import ModelRepository
    from waypost.store.sql.repositories.stacks import StackRepository
    from waypost.store.sql.repositories.tags import TagRepository
    from waypost.store.sql.repositories.users import UserRepository


class SqlStore:
    """A metadata store in a SQL database, migrated to the current schema on open."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_s: float = 30.0,
        pool_size: int = 5,
        migrate: bool = True,
        project: str | None = None,
    ) -> None:
        """``project`` ("workspace/project", a name or an id) is where new pipelines, models and
        artifacts go when a call names none: the SDK's active project. The server names one per call.
        """
        self.engines: Engines = make_engines(url, busy_timeout_s=busy_timeout_s, pool_size=pool_size)
        if migrate:
            ensure_schema(self.engines)
        self.project = project or DEFAULT_NAME
        self._project_id: uuid.UUID | None = None
        self.sessions = Sessions(self.engines)
        self.pipelines = PipelineRepository(self.sessions, self.project_id)
        self.runs = RunRepository(self.sessions)
        self.steps = StepRepository(self.sessions, self.project_id)
        self.artifacts = ArtifactRepository(self.sessions, self.project_id)
        self.metadata = MetadataRepository(self.sessions)

    def project_id(self) -> uuid.UUID:
        """The id of this store's project, looked up once (the default project needs no query)."""
        if self._project_id is None:
            if self.project == DEFAULT_NAME:
                self._project_id = DEFAULT_PROJECT_ID
            else:
                self._project_id = self.access.get_project(self.project).id
        return self._project_id

    # Made on first use: a pipeline run seldom needs them, and each module costs ~1.5 ms to import.
    @cached_property
    def models(self) -> ModelRepository:
        """The model registry."""
        from waypost.store.sql.repositories.models import ModelRepository

        return ModelRepository(self.sessions, self.project_id)

    @cached_property
    def promotions(self) -> ModelPromotionRepository:
        """Approval policies, stage requests and their approvals, and promotion rules."""
        from waypost.store.sql.repositories.model_promotions import ModelPromotionRepository

        return ModelPromotionRepository(self.sessions, self.project_id)

    @cached_property
    def users(self) -> UserRepository:
        """Users and service accounts."""
        from waypost.store.sql.repositories.users import UserRepository

        return UserRepository(self.sessions)

    @cached_property
    def auth(self) -> AuthRepository:
        """API keys, sessions and login tokens."""
        from waypost.store.sql.repositories.auth import AuthRepository

        return AuthRepository(self.sessions)

    @cached_property
    def access(self) -> AccessRepository:
        """Workspaces, projects, teams, roles, grants and shares: server-side, not part of the Store protocol."""
        from waypost.store.sql.repositories.access import AccessRepository

        return AccessRepository(self.sessions)

    @cached_property
    def stacks(self) -> StackRepository:
        """Stacks, components, secrets and service connectors of each workspace, and users' active stacks."""
        from waypost.store.sql.repositories.stacks import StackRepository

        return StackRepository(self.sessions)

    @cached_property
    def audit(self) -> AuditRepository:
        """The audit trail: server-side only, so not part of the Store protocol."""
        from waypost.store.sql.repositories.audit import AuditRepository

        return AuditRepository(self.sessions)

    @cached_property
    def tags(self) -> TagRepository:
        """Tags of pipelines, runs, artifact versions and model versions, by id."""
        from waypost.store.sql.repositories.tags import TagRepository

        return TagRepository(self.sessions)

    @cached_property
    def cleanup(self) -> CleanupRepository:
        """Previews and confirmed cleanups of old runs and what only they reference."""
        from waypost.store.sql.repositories.cleanup import CleanupRepository

        return CleanupRepository(self.sessions)

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
