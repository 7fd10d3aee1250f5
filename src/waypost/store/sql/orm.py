"""SQLAlchemy 2 typed ORM models of the metadata store (DESIGN.md §4)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


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


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class _IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class User(_IdMixin, Base):
    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_service_account: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))


class Stack(_IdMixin, Base):
    __tablename__ = "stacks"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    components: Mapped[list[StackComponent]] = relationship(secondary="stack_component_links")


class StackComponent(_IdMixin, Base):
    __tablename__ = "stack_components"
    __table_args__ = (UniqueConstraint("type", "name"),)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(64))
    flavor: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StackComponentLink(Base):
    __tablename__ = "stack_component_links"
    stack_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), primary_key=True)
    component_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stack_components.id", ondelete="CASCADE"), primary_key=True
    )


class Pipeline(_IdMixin, Base):
    __tablename__ = "pipelines"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)


class PipelineSnapshot(_IdMixin, Base):
    __tablename__ = "pipeline_snapshots"
    __table_args__ = (UniqueConstraint("pipeline_id", "structure_hash"),)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    structure_hash: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)


class PipelineRun(_IdMixin, Base):
    __tablename__ = "pipeline_runs"
    __table_args__ = (
        Index("ix_runs_pipeline_created", "pipeline_id", "created_at"),
        Index("ix_runs_status_created", "status", "created_at"),
    )
    name: Mapped[str] = mapped_column(String(255), unique=True)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    snapshot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipeline_snapshots.id"))
    status: Mapped[str] = mapped_column(String(32))
    status_reason: Mapped[str | None] = mapped_column(Text)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    orchestrator: Mapped[str] = mapped_column(String(64), default="local")
    orchestrator_run_id: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    stack_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stacks.id", ondelete="SET NULL"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    model_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("model_versions.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]

    pipeline: Mapped[Pipeline] = relationship(lazy="joined", innerjoin=True)
    stack: Mapped[Stack | None] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")


class StepRun(_IdMixin, Base):
    __tablename__ = "step_runs"
    __table_args__ = (
        UniqueConstraint("run_id", "name"),
        Index("ix_step_runs_step_name", "step_name"),
        Index("ix_step_runs_cache_lookup", "cache_key", "status", "created_at"),
    )
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    step_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    cache_key: Mapped[str | None] = mapped_column(String(64))
    cache_components: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cache_miss_reason: Mapped[str | None] = mapped_column(Text)
    cached_from_step_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    cached_from_run_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_code: Mapped[str] = mapped_column(LongText, default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    docstring: Mapped[str | None] = mapped_column(Text)
    upstream: Mapped[list[Any]] = mapped_column(default=list)
    log_uri: Mapped[str | None] = mapped_column(String(1024))
    error_type: Mapped[str | None] = mapped_column(String(255))
    error_message: Mapped[str | None] = mapped_column(LongText)
    traceback: Mapped[str | None] = mapped_column(LongText)
    resource_samples: Mapped[list[Any]] = mapped_column(JSON, default=list)
    attempts: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class Artifact(_IdMixin, Base):
    __tablename__ = "artifacts"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)


class ArtifactVersion(_IdMixin, Base):
    __tablename__ = "artifact_versions"
    __table_args__ = (UniqueConstraint("artifact_id", "version"),)
    artifact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    uri: Mapped[str] = mapped_column(String(1024))
    data_type: Mapped[str] = mapped_column(String(255))
    materializer: Mapped[str] = mapped_column(String(255))
    materializer_version: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    visualizations: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    producer_step_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("step_runs.id", ondelete="SET NULL"), index=True
    )
    producer_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pipeline_runs.id", ondelete="SET NULL"), index=True
    )

    artifact: Mapped[Artifact] = relationship(lazy="joined", innerjoin=True)


class StepRunArtifact(Base):
    """Input and output links between step runs and artifact versions: this is lineage."""

    __tablename__ = "step_run_artifacts"
    step_run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("step_runs.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "input" | "output"
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    artifact_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("artifact_versions.id", ondelete="CASCADE"), index=True
    )


class MetadataEntry(_IdMixin, Base):
    __tablename__ = "metadata_entries"
    __table_args__ = (Index("ix_metadata_run_key", "run_id", "key"), Index("ix_metadata_key_num", "key", "value_num"))
    key: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16))
    value_json: Mapped[Any] = mapped_column(JSON)
    value_num: Mapped[float | None] = mapped_column(Float)
    value_str: Mapped[str | None] = mapped_column(String(255))
    run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"))
    step_run_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("step_runs.id", ondelete="CASCADE"), index=True)
    artifact_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("artifact_versions.id", ondelete="CASCADE"), index=True
    )
    model_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )


class Tag(_IdMixin, Base):
    __tablename__ = "tags"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    color: Mapped[str | None] = mapped_column(String(32))


class TagLink(Base):
    __tablename__ = "tag_links"
    __table_args__ = (Index("ix_tag_links_resource", "resource_type", "resource_id"),)
    tag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    resource_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class Model(_IdMixin, Base):
    __tablename__ = "models"
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)


class ModelVersion(_IdMixin, Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("model_id", "name"), UniqueConstraint("model_id", "number"))
    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    number: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(32), default="none")
    description: Mapped[str | None] = mapped_column(Text)

    model: Mapped[Model] = relationship(lazy="joined", innerjoin=True)


class ModelVersionRun(Base):
    __tablename__ = "model_version_runs"
    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"), primary_key=True)


class ModelVersionArtifact(Base):
    __tablename__ = "model_version_artifacts"
    model_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), primary_key=True
    )
    artifact_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("artifact_versions.id", ondelete="CASCADE"), primary_key=True
    )


class StageTransition(_IdMixin, Base):
    __tablename__ = "model_stage_transitions"
    model_version_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("model_versions.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)


class PromotionRule(_IdMixin, Base):
    __tablename__ = "model_promotion_rules"
    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    to_stage: Mapped[str] = mapped_column(String(32))
    rule: Mapped[dict[str, Any]] = mapped_column(default=dict)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, typed as a Table (for hot-path Core statements)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class ApiKey(_IdMixin, Base):
    """An API key: only the sha256 of the secret is kept; ``prefix`` finds it."""

    __tablename__ = "api_keys"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class AuthSession(_IdMixin, Base):
    """A browser session (``kind`` "session") or a one-time login token (``kind`` "login_token")."""

    __tablename__ = "auth_sessions"
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class AuditEvent(_IdMixin, Base):
    """Something a person or key did that an operator may need to trace: a login, a revoked key, …

    ``action`` is dotted (``login.failed``, ``api_key.revoked``); ``target`` names what was acted on
    (a user name for logins, a key id for keys); the actor is kept by name too, so events outlive users.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        # Lock-out counts recent failures per account and per client address.
        Index("ix_audit_events_action_target", "action", "target", "created_at"),
        Index("ix_audit_events_action_address", "action", "client_address", "created_at"),
    )
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_name: Mapped[str | None] = mapped_column(String(255))
    client_address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
