"""The Store protocol: what the Client, the CLI, the runner and the server need of a store.

A store is a set of repositories, one per entity. ``SqlStore`` implements it over
SQLAlchemy; ``RestStore`` (server issue) implements the same over HTTP. Callers never ask
which one they hold; they read :attr:`Store.capabilities` when behaviour differs.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from waypost.enums import ExecutionStatus
from waypost.schemas import (
    ArtifactRead,
    ArtifactVersionCreate,
    ArtifactVersionRead,
    CacheHit,
    MetadataCreate,
    MetadataRead,
    Page,
    PipelineRead,
    PipelineSpec,
    RunCreate,
    RunRead,
    SnapshotRead,
    StepRunCreate,
    StepRunFinish,
    StepRunRead,
)

if TYPE_CHECKING:  # only for annotations: a pipeline run never needs the user schemas (~4 ms to import)
    from waypost.enums import ModelStages
    from waypost.schemas import ModelRead, ModelVersionRead
    from waypost.schemas.cleanup import CleanupConfirm, CleanupFilter, CleanupPreview, CleanupResult
    from waypost.schemas.model_approvals import (
        ApprovalPolicy,
        ModelApprovalPolicyUpdate,
        ProjectApprovalPolicyUpdate,
        PromotionRuleCreate,
        PromotionRuleRead,
        PromotionRuleUpdate,
        RuleDryRun,
        RuleEvaluation,
        StageRequestResult,
        TransitionRequestRead,
    )
    from waypost.schemas.model_links import VersionArtifactLink
    from waypost.schemas.models import ModelStageTransitionRead, ModelUpdate
    from waypost.schemas.users import ApiKeyCreated, ApiKeyRead, UserRead


@dataclass(frozen=True)
class StoreCapabilities:
    """What a store can do, declared instead of checked by type."""

    local_database: bool
    dialect: str
    #: The artifact store the records point into, when the store prescribes one (a server does).
    artifact_store_uri: str | None = None
    #: The store pushes a running step's new log lines (a server's Server-Sent Events stream).
    streams_logs: bool = False


class LogStreamer(Protocol):
    """A store that can push a running step's log lines (declared by ``streams_logs``)."""

    def stream_step_logs(self, run_id: uuid.UUID, step: str, offset: int = 0) -> Iterator[dict[str, Any]]: ...


class PipelineStore(Protocol):
    def get_or_create(self, name: str) -> PipelineRead: ...
    def get(self, ref: str | uuid.UUID) -> PipelineRead: ...
    def list(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[PipelineRead]: ...
    def snapshot(self, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead: ...
    def get_snapshot(self, snapshot_id: uuid.UUID) -> SnapshotRead: ...
    def list_snapshots(self, pipeline_id: uuid.UUID) -> builtins.list[SnapshotRead]: ...


class RunStore(Protocol):
    def create(self, run: RunCreate) -> RunRead: ...
    def set_status(
        self,
        run_id: uuid.UUID,
        status: ExecutionStatus,
        *,
        reason: str | None = None,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> None: ...
    #: True while the run is active (initializing, running); False once it is stopped, crashed, ended or gone.
    def heartbeat(self, run_id: uuid.UUID) -> bool: ...
    #: A detached run: its launching process may exit (only its heartbeat tells whether it is alive).
    def hand_over(self, run_id: uuid.UUID) -> None: ...
    #: Stop an active run and its active step runs; StoreError when it already ended.
    def stop(self, run_id: uuid.UUID, reason: str | None = None) -> RunRead: ...
    def get(self, ref: str | uuid.UUID) -> RunRead: ...
    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[RunRead]: ...
    def add_tags(self, run_id: uuid.UUID, tags: builtins.list[str]) -> None: ...
    #: Archive (or restore) runs; the ids that exist (and, through a server, that the caller may change).
    def set_archived(self, run_ids: builtins.list[uuid.UUID], archived: bool) -> builtins.list[uuid.UUID]: ...
    def delete(self, run_id: uuid.UUID) -> None: ...
    def mark_crashed(self, timeout_s: float) -> builtins.list[uuid.UUID]: ...


class StepStore(Protocol):
    def start(self, step: StepRunCreate) -> uuid.UUID: ...
    def start_many(self, steps: builtins.list[StepRunCreate]) -> builtins.list[uuid.UUID]: ...
    def finish(
        self,
        step_run_id: uuid.UUID,
        run_id: uuid.UUID,
        result: StepRunFinish,
        outputs: dict[str, ArtifactVersionCreate],
    ) -> dict[str, ArtifactVersionRead]: ...
    def set_status(
        self, run_id: uuid.UUID, names: builtins.list[str], status: ExecutionStatus, reason: str | None = None
    ) -> None: ...
    def find_cached(self, cache_key: str) -> CacheHit | None: ...
    def previous(self, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID) -> StepRunRead | None: ...
    def list(self, run_id: uuid.UUID) -> builtins.list[StepRunRead]: ...
    def get(self, run_id: uuid.UUID, name: str) -> StepRunRead: ...
    def get_by_id(self, step_run_id: uuid.UUID) -> StepRunRead: ...


class ArtifactStoreRecords(Protocol):
    def register(self, versions: builtins.list[ArtifactVersionCreate]) -> builtins.list[ArtifactVersionRead]: ...
    def list(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[ArtifactRead]: ...
    def get(self, ref: str | uuid.UUID) -> ArtifactRead: ...
    def list_versions(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[ArtifactVersionRead]: ...
    def get_version(self, ref: str | uuid.UUID) -> ArtifactVersionRead: ...
    def consumers(self, version_id: uuid.UUID) -> builtins.list[uuid.UUID]: ...
    def add_tags(self, version_id: uuid.UUID, tags: builtins.list[str]) -> None: ...


class TagStore(Protocol):
    #: Tag and untag resources of ``resource_type`` (run, pipeline, artifact_version, model_version); their tags after.
    def change(
        self,
        resource_type: str,
        ids: builtins.list[uuid.UUID],
        *,
        add: builtins.list[str],
        remove: builtins.list[str],
        exclusive: builtins.list[str] | tuple[str, ...] = (),
    ) -> dict[uuid.UUID, builtins.list[str]]: ...


class CleanupStore(Protocol):
    def preview(self, f: CleanupFilter) -> CleanupPreview: ...
    #: Delete what the preview of ``confirm.confirm`` listed; ``remove`` removes files when the store
    #: leaves that to its caller (a local database; a server removes its own).
    def apply(
        self, confirm: CleanupConfirm, remove: Callable[[builtins.list[str]], tuple[int, int, builtins.list[str]]]
    ) -> CleanupResult: ...


class MetadataStore(Protocol):
    def add(self, entries: builtins.list[MetadataCreate]) -> None: ...
    def list(
        self,
        *,
        run_id: uuid.UUID | None = None,
        step_run_id: uuid.UUID | None = None,
        artifact_version_id: uuid.UUID | None = None,
        model_version_id: uuid.UUID | None = None,
    ) -> builtins.list[MetadataRead]: ...


class ModelStore(Protocol):
    def get_or_create_version(
        self,
        name: str,
        version: str | None,
        *,
        description: str | None = None,
        tags: builtins.list[str] | tuple[str, ...] = (),
    ) -> ModelVersionRead: ...
    def link(
        self,
        version_id: uuid.UUID,
        *,
        run_id: uuid.UUID | None = None,
        artifact_version_ids: builtins.list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
        roles: dict[uuid.UUID, str] | None = None,
    ) -> None: ...
    #: Artifact versions linked to a model's version (a name, number or stage): by role, name, newest
    #: first; of ``role`` / ``name`` when given.
    def version_artifacts(
        self,
        model: str,
        version: str,
        *,
        role: str | None = None,
        name: str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[VersionArtifactLink]: ...
    def get_version(self, model: str, version: str) -> ModelVersionRead: ...
    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[ModelRead]: ...
    def list_versions(self, model: str | uuid.UUID) -> builtins.list[ModelVersionRead]: ...
    #: A model with its card, metric directions, stage holders, version count and latest version.
    def get(self, model: str | uuid.UUID) -> ModelRead: ...
    def update(self, model: str | uuid.UUID, change: ModelUpdate) -> ModelRead: ...
    #: Put a version in staging, production, archived or none (``force``: archive the holder); see
    #: ``ModelRepository.set_stage``. A holder without ``force`` is a ConflictError; nothing changes.
    def set_stage(
        self,
        model: str | uuid.UUID,
        version: str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> ModelVersionRead: ...
    #: Stage transitions of a model, newest first.
    def transitions(
        self, model: str | uuid.UUID, *, page: int = 1, size: int = 50
    ) -> Page[ModelStageTransitionRead]: ...
    #: Put ``add`` on a version (a name, number or stage's holder) and take ``remove`` off it; its tags after.
    def change_version_tags(
        self,
        model: str | uuid.UUID,
        version: str,
        *,
        add: builtins.list[str] | tuple[str, ...] = (),
        remove: builtins.list[str] | tuple[str, ...] = (),
    ) -> builtins.list[str]: ...


class ModelPromotionStore(Protocol):
    """Approval policies, stage requests and their approvals, and promotion rules (see ModelPromotionRepository).

    Who asks and who decides is the store's user: a server's API key's; a local store has none, so
    its requests are nobody's and deciding one is a ParameterError.
    """

    def get_policy(self, model: str | uuid.UUID) -> ApprovalPolicy: ...
    def set_policy(self, model: str | uuid.UUID, change: ModelApprovalPolicyUpdate) -> ApprovalPolicy: ...
    #: The policy of the store's project, which its models without their own follow.
    def get_project_policy(self) -> ApprovalPolicy: ...
    def set_project_policy(self, change: ProjectApprovalPolicyUpdate) -> ApprovalPolicy: ...
    #: Put a version in a stage, or (the stage needs approval) make a pending request for it.
    def request_stage(
        self,
        model: str | uuid.UUID,
        version: str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> StageRequestResult: ...
    #: ``decision`` is "approve" or "reject".
    def decide(
        self, request_id: uuid.UUID | str, decision: str, *, comment: str | None = None
    ) -> TransitionRequestRead: ...
    def get_request(self, request_id: uuid.UUID | str) -> TransitionRequestRead: ...
    #: ``status``: pending, approved, rejected, cancelled or all; ``mine``: "needs_approval" or "requested".
    def list_requests(
        self,
        *,
        model: str | uuid.UUID | None = None,
        status: str | None = "pending",
        mine: str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[TransitionRequestRead]: ...
    def create_rule(self, model: str | uuid.UUID, rule: PromotionRuleCreate) -> PromotionRuleRead: ...
    def list_rules(self, model: str | uuid.UUID) -> builtins.list[PromotionRuleRead]: ...
    def get_rule(self, model: str | uuid.UUID, name: str) -> PromotionRuleRead: ...
    def update_rule(self, model: str | uuid.UUID, name: str, change: PromotionRuleUpdate) -> PromotionRuleRead: ...
    def delete_rule(self, model: str | uuid.UUID, name: str) -> None: ...
    def dry_run(self, model: str | uuid.UUID, name: str) -> RuleDryRun: ...
    #: Try the model's rules on a version (a run that made it ended, or its metadata changed).
    def evaluate(self, version_id: uuid.UUID | str) -> RuleEvaluation: ...


class UserStore(Protocol):
    def create(
        self,
        name: str,
        *,
        password: str | None = None,
        is_admin: bool = False,
        is_service_account: bool = False,
        full_name: str | None = None,
        email: str | None = None,
    ) -> UserRead: ...
    def get(self, ref: str | uuid.UUID) -> UserRead: ...
    def list(self, *, service_accounts: bool | None = None) -> builtins.list[UserRead]: ...
    def count(self) -> int: ...
    def verify_password(self, name: str, password: str) -> UserRead | None: ...
    def set_password(self, user_id: uuid.UUID, password: str) -> None: ...
    def set_active(self, user_id: uuid.UUID, active: bool) -> UserRead: ...
    def delete(self, user_id: uuid.UUID) -> None: ...


class AuthStore(Protocol):
    def create_api_key(self, user_id: uuid.UUID, name: str, *, expires_at: datetime | None = None) -> ApiKeyCreated: ...
    def resolve_api_key(self, key: str) -> UserRead | None: ...
    def list_api_keys(self, user_id: uuid.UUID) -> builtins.list[ApiKeyRead]: ...
    def get_api_key(self, key_id: uuid.UUID) -> ApiKeyRead: ...
    def revoke_api_key(self, key_id: uuid.UUID) -> None: ...
    def revoke_user_api_keys(self, user_id: uuid.UUID) -> None: ...
    def create_session(self, user_id: uuid.UUID, ttl_s: float) -> str: ...
    def resolve_session(self, token: str) -> UserRead | None: ...
    def end_session(self, token: str) -> None: ...
    def end_user_sessions(self, user_id: uuid.UUID, *, keep: str | None = None) -> None: ...
    def create_login_token(self, user_id: uuid.UUID, ttl_s: float = 600) -> str: ...
    def redeem_login_token(self, token: str) -> UserRead | None: ...


class Store(Protocol):
    """A metadata store: one repository per entity."""

    # Read-only properties, so an implementation may hold any conforming repository type.
    @property
    def pipelines(self) -> PipelineStore: ...
    @property
    def runs(self) -> RunStore: ...
    @property
    def steps(self) -> StepStore: ...
    @property
    def artifacts(self) -> ArtifactStoreRecords: ...
    @property
    def metadata(self) -> MetadataStore: ...
    @property
    def models(self) -> ModelStore: ...
    @property
    def promotions(self) -> ModelPromotionStore: ...
    @property
    def tags(self) -> TagStore: ...
    @property
    def cleanup(self) -> CleanupStore: ...
    @property
    def users(self) -> UserStore: ...
    @property
    def auth(self) -> AuthStore: ...

    @property
    def capabilities(self) -> StoreCapabilities: ...

    def close(self) -> None: ...
