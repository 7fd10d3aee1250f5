"""The metadata store's schema as SQLAlchemy 2 Core tables (DESIGN.md §4).

Core only, no ORM: a pipeline run imports this module, and ``sqlalchemy.orm`` with declarative
classes cost ~80 ms of every process's start. The Alembic migrations create this schema; a
test compares the two on every database. Ids (uuid4) and ``created_at`` are filled in by
Python-side column defaults when an insert leaves them out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    false,
)
from sqlalchemy.schema import SchemaItem

from waypost.schemas.access import DEFAULT_PROJECT_ID

__all__ = [
    "LongText",
    "UTCDateTime",
    "artifact_versions",
    "artifacts",
    "complete_metadata",
    "metadata",
    "metadata_entries",
    "metadata_key_stats",
    "pipeline_runs",
    "pipeline_snapshots",
    "pipelines",
    "stack_component_links",
    "stack_components",
    "stacks",
    "step_run_artifacts",
    "step_runs",
    "tag_links",
    "tags",
    "users",
    "utcnow",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (microsecond precision everywhere), returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            # Imported here: loading a dialect's types loads the whole dialect (~10 ms each).
            from sqlalchemy.dialects.mysql import DATETIME

            return dialect.type_descriptor(DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class LongText(TypeDecorator[str]):
    """TEXT, and LONGTEXT on MySQL/MariaDB, whose TEXT holds only 64 KB (source code, tracebacks)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            from sqlalchemy.dialects.mysql import LONGTEXT

            return LONGTEXT()
        return self.impl_instance


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


metadata = MetaData()


def _req(name: str, type_: Any, *args: Any, **kw: Any) -> Column[Any]:
    """A NOT NULL column."""
    return Column(name, type_, *args, nullable=False, **kw)


def _opt(name: str, type_: Any, *args: Any, **kw: Any) -> Column[Any]:
    """A nullable column."""
    return Column(name, type_, *args, nullable=True, **kw)


def _ref(name: str, target: str, ondelete: str | None = None, *, nullable: bool = False, **kw: Any) -> Column[Any]:
    """A UUID column referencing ``target`` ("table.column")."""
    return Column(name, Uuid, ForeignKey(target, ondelete=ondelete), nullable=nullable, **kw)


def _entity(name: str, *items: SchemaItem) -> Table:
    """A table whose rows have a uuid4 ``id`` and an indexed ``created_at`` (after the other columns)."""
    columns = [i for i in items if isinstance(i, Column)]
    others = [i for i in items if not isinstance(i, Column)]  # indexes and constraints, which may name created_at
    return Table(
        name,
        metadata,
        *columns,
        Column("id", Uuid, primary_key=True, default=uuid.uuid4),
        _req("created_at", UTCDateTime, default=utcnow, index=True),
        *others,
    )


users = _entity(
    "users",
    _req("name", String(255), unique=True),
    _opt("full_name", String(255)),
    _opt("email", String(255)),
    _req("is_active", Boolean, default=True),
    _req("is_admin", Boolean, default=False),
    _req("is_service_account", Boolean, default=False),
    _opt("password_hash", String(255)),
    # A service account belongs to one workspace; people belong to the organization (None).
    _ref("workspace_id", "workspaces.id", "CASCADE", nullable=True, index=True),
)


def _project() -> Column[Any]:
    """The project a row belongs to; rows written without one land in the default project."""
    return _ref("project_id", "projects.id", "CASCADE", default=DEFAULT_PROJECT_ID)


#: Stacks, their components, secrets and service connectors belong to a workspace; names are unique there.
stacks = _entity(
    "stacks",
    _ref("workspace_id", "workspaces.id", "CASCADE"),
    _req("name", String(255)),
    _opt("description", Text),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    _opt("updated_at", UTCDateTime),
    UniqueConstraint("workspace_id", "name", name="uq_stacks_workspace_name"),
)

stack_components = _entity(
    "stack_components",
    _ref("workspace_id", "workspaces.id", "CASCADE"),
    _req("name", String(255)),
    _req("type", String(64)),
    _req("flavor", String(64)),
    _req("config", JSON, default=dict),
    _ref("connector_id", "service_connectors.id", "SET NULL", nullable=True, index=True),
    _opt("description", Text),
    _ref("created_by", "users.id", "SET NULL", nullable=True),
    _opt("updated_at", UTCDateTime),
    UniqueConstraint("workspace_id", "type", "name", name="uq_stack_components_workspace_type_name"),
)

#: One component per type in a stack: the database enforces it.
stack_component_links = Table(
    "stack_component_links",
    metadata,
    _ref("stack_id", "stacks.id", "CASCADE", primary_key=True),
    _ref("component_id", "stack_components.id", "CASCADE", primary_key=True),
    _req("component_type", String(64)),
    UniqueConstraint("stack_id", "component_type", name="uq_stack_component_links_stack_type"),
)

pipelines = _entity(
    "pipelines",
    _project(),
    _req("name", String(255)),
    _opt("description", Text),
    UniqueConstraint("project_id", "name", name="uq_pipelines_project_name"),
)

pipeline_snapshots = _entity(
    "pipeline_snapshots",
    _ref("pipeline_id", "pipelines.id", "CASCADE"),
    _req("structure_hash", String(64)),
    _req("spec", JSON),
    UniqueConstraint("pipeline_id", "structure_hash"),
)

pipeline_runs = _entity(
    "pipeline_runs",
    _req("name", String(255), unique=True),
    _project(),
    _ref("pipeline_id", "pipelines.id", "CASCADE"),
    _ref("snapshot_id", "pipeline_snapshots.id"),
    _req("status", String(32)),
    _opt("status_reason", Text),
    _req("config", JSON, default=dict),
    _req("parameters", JSON, default=dict),
    _req("orchestrator", String(64), default="local"),
    _opt("orchestrator_run_id", String(255)),
    _opt("host", String(255)),
    _opt("pid", Integer),
    _ref("stack_id", "stacks.id", "SET NULL", nullable=True),
    _opt("stack_snapshot", JSON),
    _ref("user_id", "users.id", "SET NULL", nullable=True),
    _ref("model_version_id", "model_versions.id", "SET NULL", nullable=True),
    _opt("started_at", UTCDateTime),
    _opt("ended_at", UTCDateTime),
    _opt("heartbeat_at", UTCDateTime),
    # Hidden from run lists unless the filter asks (archived:true, archived:any).
    _req("archived", Boolean, default=False, server_default=false()),
    Index("ix_runs_pipeline_created", "pipeline_id", "created_at"),
    Index("ix_runs_status_created", "status", "created_at"),
    # A project's newest runs, with the archived flag a list filters on: read from the index alone.
    Index("ix_runs_project_newest", "project_id", "created_at", "id", "archived"),
    # Counting a few projects' runs that are not archived: one range per project.
    Index("ix_runs_project_archived", "project_id", "archived"),
    Index("ix_runs_user", "user_id"),
    Index("ix_runs_archived", "archived"),
)

step_runs = _entity(
    "step_runs",
    _ref("run_id", "pipeline_runs.id", "CASCADE"),
    _req("name", String(255)),
    _req("step_name", String(255)),
    _req("status", String(32)),
    _opt("cache_key", String(64)),
    _req("cache_components", JSON, default=dict),
    _opt("cache_miss_reason", Text),
    _opt("cached_from_step_run_id", Uuid),
    _opt("cached_from_run_id", Uuid),
    _req("parameters", JSON, default=dict),
    _req("config", JSON, default=dict),
    _req("source_code", LongText, default=""),
    _req("source_hash", String(64), default=""),
    _opt("docstring", Text),
    _req("upstream", JSON, default=list),
    _opt("log_uri", String(1024)),
    _opt("error_type", String(255)),
    _opt("error_message", LongText),
    _opt("traceback", LongText),
    _req("resource_samples", JSON, default=list),
    _req("attempts", JSON, default=list),
    _opt("started_at", UTCDateTime),
    _opt("ended_at", UTCDateTime),
    UniqueConstraint("run_id", "name"),
    Index("ix_step_runs_step_name", "step_name"),
    Index("ix_step_runs_cache_lookup", "cache_key", "status", "created_at"),
)

artifacts = _entity(
    "artifacts",
    _project(),
    _req("name", String(255)),
    _req("latest_version", Integer, default=0),
    UniqueConstraint("project_id", "name", name="uq_artifacts_project_name"),
)

artifact_versions = _entity(
    "artifact_versions",
    _ref("artifact_id", "artifacts.id", "CASCADE"),
    _req("version", Integer),
    _req("uri", String(1024)),
    _req("data_type", String(255)),
    _req("materializer", String(255)),
    _req("materializer_version", String(32)),
    _req("size", BigInteger),
    _req("content_hash", String(64), index=True),
    _req("visualizations", JSON, default=list),
    _req("meta", JSON, default=dict),
    _ref("producer_step_run_id", "step_runs.id", "SET NULL", nullable=True, index=True),
    _ref("producer_run_id", "pipeline_runs.id", "SET NULL", nullable=True, index=True),
    UniqueConstraint("artifact_id", "version"),
)

#: Input and output links between step runs and artifact versions: this is lineage.
step_run_artifacts = Table(
    "step_run_artifacts",
    metadata,
    _ref("step_run_id", "step_runs.id", "CASCADE", primary_key=True),
    _req("kind", String(8), primary_key=True),  # "input" | "output"
    _req("name", String(255), primary_key=True),
    _ref("artifact_version_id", "artifact_versions.id", "CASCADE", index=True),
)

metadata_entries = _entity(
    "metadata_entries",
    _req("key", String(255)),
    _req("type", String(16)),
    _req("value_json", JSON),
    _opt("value_num", Float),
    _opt("value_str", String(255)),
    _ref("run_id", "pipeline_runs.id", "CASCADE", nullable=True),
    _ref("step_run_id", "step_runs.id", "CASCADE", nullable=True, index=True),
    _ref("artifact_version_id", "artifact_versions.id", "CASCADE", nullable=True, index=True),
    _ref("model_version_id", "model_versions.id", "CASCADE", nullable=True, index=True),
    Index("ix_metadata_run_key", "run_id", "key"),
    Index("ix_metadata_key_num", "key", "value_num"),
)

#: Per project, metadata key, entity kind and value type: how many entries, their numeric range and
#: when they were first and last logged. Kept in the transaction that writes or deletes entries
#: (repositories.metadata), so the metadata explorer lists keys without reading every entry.
metadata_key_stats = Table(
    "metadata_key_stats",
    metadata,
    _ref("project_id", "projects.id", "CASCADE", primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("entity", String(16), primary_key=True),  # run | step | artifact_version | model_version
    Column("type", String(16), primary_key=True),
    _req("entries", BigInteger),
    _opt("num_min", Float),
    _opt("num_max", Float),
    _req("first_seen", UTCDateTime),
    _req("last_seen", UTCDateTime),
)

tags = _entity(
    "tags",
    _project(),
    _req("name", String(255)),
    _opt("color", String(32)),
    UniqueConstraint("project_id", "name", name="uq_tags_project_name"),
)

tag_links = Table(
    "tag_links",
    metadata,
    _ref("tag_id", "tags.id", "CASCADE", primary_key=True),
    _req("resource_type", String(32), primary_key=True),
    _req("resource_id", Uuid, primary_key=True),
    Index("ix_tag_links_resource", "resource_type", "resource_id"),
)


#: Tables a pipeline run never touches live in tables_deferred and are built on first use (each
#: costs ~0.5 ms to define): access control, authentication, the audit trail and the model registry.
_DEFERRED = frozenset(
    {
        "active_stacks",
        "api_keys",
        "audit_events",
        "auth_sessions",
        "grants",
        "model_approval_policies",
        "model_promotion_rules",
        "model_stage_transitions",
        "model_transition_requests",
        "model_transition_votes",
        "model_version_artifacts",
        "model_version_runs",
        "model_versions",
        "models",
        "organization",
        "projects",
        "role_permissions",
        "roles",
        "saved_views",
        "secrets",
        "service_connectors",
        "shares",
        "team_members",
        "teams",
        "workspaces",
    }
)


def __getattr__(name: str) -> Table:
    if name not in _DEFERRED:
        raise AttributeError(f"module 'waypost.store.sql.tables' has no attribute '{name}'")
    from waypost.store.sql import tables_deferred

    table: Table = getattr(tables_deferred, name)
    return table


def complete_metadata() -> MetaData:
    """The whole schema (for migrations and for comparing them with these tables)."""
    from waypost.store.sql import tables_deferred  # noqa: F401  (defining its tables adds them to metadata)

    return metadata
