"""The RestStore's repositories: each store method is one call to the server's /api/v1."""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime
from urllib.parse import quote

from waypost.enums import ExecutionStatus, ModelStages
from waypost.exceptions import ConfigurationError, NotFoundError, StoreError
from waypost.schemas import (
    ArtifactRead,
    ArtifactVersionCreate,
    ArtifactVersionRead,
    CacheHit,
    MetadataCreate,
    MetadataRead,
    ModelRead,
    ModelVersionRead,
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
from waypost.schemas.model_links import VersionArtifactLink, VersionTagsChange
from waypost.schemas.models import ModelStageChange, ModelStageTransitionRead, ModelUpdate
from waypost.schemas.store_api import (
    CrashSweep,
    IdList,
    ModelLinkRequest,
    ModelVersionEnsure,
    PipelineEnsure,
    RunHeartbeat,
    RunStatusUpdate,
    StepFinishRequest,
    StepStatusUpdate,
    TagsAdd,
)
from waypost.schemas.users import ApiKeyCreated, ApiKeyRead, UserRead
from waypost.store import model_stages
from waypost.store.filters import check_page
from waypost.store.model_links import check_artifact_roles
from waypost.store.rest.http import Http


def seg(ref: str | uuid.UUID) -> str:
    """One path segment, escaped (a name may hold `/`)."""
    return quote(str(ref), safe="")


def _page(sort: str | None, page: int, size: int, query: str) -> dict[str, object]:
    check_page(page, size)  # here, so the error is the same as a local store's
    return {"q": query, "sort": sort, "page": page, "size": size}


class RestPipelines:
    def __init__(self, http: Http) -> None:
        self._h = http

    def get_or_create(self, name: str) -> PipelineRead:
        return self._h.send("POST", "/pipelines", PipelineEnsure(name=name), PipelineRead, idempotent=True)  # type: ignore[no-any-return]

    def get(self, ref: str | uuid.UUID) -> PipelineRead:
        return self._h.get(f"/pipelines/{seg(ref)}", PipelineRead)  # type: ignore[no-any-return]

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[PipelineRead]:
        return self._h.get("/pipelines", Page[PipelineRead], **_page(sort, page, size, query))  # type: ignore[no-any-return]

    def snapshot(self, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead:
        return self._h.send("POST", f"/pipelines/{pipeline_id}/snapshots", spec, SnapshotRead, idempotent=True)  # type: ignore[no-any-return]

    def get_snapshot(self, snapshot_id: uuid.UUID) -> SnapshotRead:
        return self._h.get(f"/snapshots/{snapshot_id}", SnapshotRead)  # type: ignore[no-any-return]

    def list_snapshots(self, pipeline_id: uuid.UUID) -> builtins.list[SnapshotRead]:
        return self._h.all_pages(f"/pipelines/{pipeline_id}/snapshots", SnapshotRead)


class RestRuns:
    def __init__(self, http: Http) -> None:
        self._h = http

    def create(self, run: RunCreate) -> RunRead:
        return self._h.send("POST", "/runs", run, RunRead)  # type: ignore[no-any-return]

    def set_status(
        self,
        run_id: uuid.UUID,
        status: ExecutionStatus,
        *,
        reason: str | None = None,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> None:
        change = RunStatusUpdate(status=status, reason=reason, started_at=started_at, ended_at=ended_at)
        self._h.send("PUT", f"/runs/{run_id}/status", change)

    def hand_over(self, run_id: uuid.UUID) -> None:
        """Nothing to do: a server records runs as its own process, never as the client's."""

    def heartbeat(self, run_id: uuid.UUID) -> bool:
        try:
            beat: RunHeartbeat = self._h.send("POST", f"/runs/{run_id}/heartbeat", None, RunHeartbeat, idempotent=True)
        except NotFoundError:  # deleted (or hidden from this caller): no longer active, as a local store says
            return False
        return beat.active

    def stop(self, run_id: uuid.UUID, reason: str | None = None) -> RunRead:
        # A plain dict: the server checks the reason and answers a one-line 422 (a local model would raise its own).
        # Not retried once sent: a lost answer to a stop that took effect would come back as "already ended".
        return self._h.send("POST", f"/runs/{run_id}/stop", {"reason": reason}, RunRead)  # type: ignore[no-any-return]

    def get(self, ref: str | uuid.UUID) -> RunRead:
        return self._h.get(f"/runs/{seg(ref)}", RunRead)  # type: ignore[no-any-return]

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[RunRead]:
        return self._h.get("/runs", Page[RunRead], **_page(sort, page, size, query))  # type: ignore[no-any-return]

    def add_tags(self, run_id: uuid.UUID, tags: builtins.list[str]) -> None:
        self._h.send("PATCH", f"/runs/{run_id}", {"add_tags": tags}, idempotent=True)

    def set_archived(self, run_ids: builtins.list[uuid.UUID], archived: bool) -> builtins.list[uuid.UUID]:
        from waypost.schemas.run_bulk import RunsArchive  # only archiving needs these: not on a run's path
        from waypost.schemas.tags import BulkResult

        done: builtins.list[uuid.UUID] = []
        for start in range(0, len(run_ids), 500):
            body = RunsArchive(ids=run_ids[start : start + 500], archived=archived)
            result: BulkResult = self._h.send("POST", "/runs/archive", body, BulkResult, idempotent=True)
            refused = [i for i in result.items if i.outcome == "denied"]
            if refused:
                raise StoreError(refused[0].detail or f"You may not archive run '{refused[0].id}'.")
            done += [i.id for i in result.items if i.outcome == "ok"]
        return done

    def delete(self, run_id: uuid.UUID) -> None:
        self._h.request("DELETE", f"/runs/{run_id}", params={"force": "true"})  # the Store deletes runs in any state

    def mark_crashed(self, timeout_s: float) -> builtins.list[uuid.UUID]:
        found: IdList = self._h.send("POST", "/runs/crashed", CrashSweep(timeout_s=timeout_s), IdList)
        return found.ids


class RestSteps:
    def __init__(self, http: Http) -> None:
        self._h = http

    def start(self, step: StepRunCreate) -> uuid.UUID:
        return self.start_many([step])[0]

    def start_many(self, steps: builtins.list[StepRunCreate]) -> builtins.list[uuid.UUID]:
        if not steps:
            return []
        ids: IdList = self._h.send("POST", "/step-runs", steps, IdList)
        return ids.ids

    def finish(
        self,
        step_run_id: uuid.UUID,
        run_id: uuid.UUID,
        result: StepRunFinish,
        outputs: dict[str, ArtifactVersionCreate],
    ) -> dict[str, ArtifactVersionRead]:
        end = StepFinishRequest(run_id=run_id, result=result, outputs=outputs)
        return self._h.send("POST", f"/step-runs/{step_run_id}/finish", end, dict[str, ArtifactVersionRead])  # type: ignore[no-any-return]

    def set_status(
        self, run_id: uuid.UUID, names: builtins.list[str], status: ExecutionStatus, reason: str | None = None
    ) -> None:
        self._h.send("PUT", f"/runs/{run_id}/step-status", StepStatusUpdate(names=names, status=status, reason=reason))

    def find_cached(self, cache_key: str) -> CacheHit | None:
        return self._h.get("/step-runs/cached", CacheHit | None, cache_key=cache_key)  # type: ignore[no-any-return]

    def previous(self, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID) -> StepRunRead | None:
        params = {"pipeline_id": pipeline_id, "name": name, "before_run": before_run}
        return self._h.get("/step-runs/previous", StepRunRead | None, **params)  # type: ignore[no-any-return]

    def list(self, run_id: uuid.UUID) -> builtins.list[StepRunRead]:
        try:
            return self._h.all_pages(f"/runs/{run_id}/steps", StepRunRead)
        except NotFoundError:  # a local store lists no steps of an unknown run, too
            return []

    def get(self, run_id: uuid.UUID, name: str) -> StepRunRead:
        return self._h.get(f"/runs/{run_id}/steps/{seg(name)}", StepRunRead)  # type: ignore[no-any-return]

    def get_by_id(self, step_run_id: uuid.UUID) -> StepRunRead:
        return self._h.get(f"/step-runs/{step_run_id}", StepRunRead)  # type: ignore[no-any-return]


class RestArtifacts:
    def __init__(self, http: Http) -> None:
        self._h = http

    def register(self, versions: builtins.list[ArtifactVersionCreate]) -> builtins.list[ArtifactVersionRead]:
        return self._h.send("POST", "/artifact-versions", versions, builtins.list[ArtifactVersionRead])  # type: ignore[no-any-return]

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[ArtifactRead]:
        return self._h.get("/artifacts", Page[ArtifactRead], **_page(sort, page, size, query))  # type: ignore[no-any-return]

    def get(self, ref: str | uuid.UUID) -> ArtifactRead:
        return self._h.get(f"/artifacts/{seg(ref)}", ArtifactRead)  # type: ignore[no-any-return]

    def list_versions(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[ArtifactVersionRead]:
        return self._h.get("/artifact-versions", Page[ArtifactVersionRead], **_page(sort, page, size, query))  # type: ignore[no-any-return]

    def get_version(self, ref: str | uuid.UUID) -> ArtifactVersionRead:
        return self._h.get(f"/artifact-versions/{seg(ref)}", ArtifactVersionRead)  # type: ignore[no-any-return]

    def consumers(self, version_id: uuid.UUID) -> builtins.list[uuid.UUID]:
        return [s.id for s in self._h.iter_pages(f"/artifact-versions/{version_id}/consumers", StepRunRead)]

    def add_tags(self, version_id: uuid.UUID, tags: builtins.list[str]) -> None:
        self._h.send("POST", f"/artifact-versions/{version_id}/tags", TagsAdd(tags=tags), idempotent=True)


class RestMetadata:
    def __init__(self, http: Http) -> None:
        self._h = http

    def add(self, entries: builtins.list[MetadataCreate]) -> None:
        if entries:
            self._h.send("POST", "/metadata", entries)

    def list(
        self,
        *,
        run_id: uuid.UUID | None = None,
        step_run_id: uuid.UUID | None = None,
        artifact_version_id: uuid.UUID | None = None,
        model_version_id: uuid.UUID | None = None,
    ) -> builtins.list[MetadataRead]:
        return self._h.all_pages(
            "/metadata",
            MetadataRead,
            run_id=run_id,
            step_run_id=step_run_id,
            artifact_version_id=artifact_version_id,
            model_version_id=model_version_id,
        )


class RestModels:
    def __init__(self, http: Http) -> None:
        self._h = http

    def get_or_create_version(
        self,
        name: str,
        version: str | None,
        *,
        description: str | None = None,
        tags: builtins.list[str] | tuple[str, ...] = (),
    ) -> ModelVersionRead:
        want = ModelVersionEnsure(name=name, version=version, description=description, tags=builtins.list(tags))
        return self._h.send("POST", "/model-versions", want, ModelVersionRead, idempotent=version is not None)  # type: ignore[no-any-return]

    def link(
        self,
        version_id: uuid.UUID,
        *,
        run_id: uuid.UUID | None = None,
        artifact_version_ids: builtins.list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
        roles: dict[uuid.UUID, str] | None = None,
    ) -> None:
        ids = builtins.list(artifact_version_ids)
        check_artifact_roles((roles or {}).values())
        link = ModelLinkRequest.model_validate(
            {"run_id": run_id, "artifact_version_ids": ids, "artifact_roles": roles or {}}
        )
        self._h.send("POST", f"/model-versions/{version_id}/links", link, idempotent=True)

    def version_artifacts(
        self,
        model: str,
        version: str,
        *,
        role: str | None = None,
        name: str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[VersionArtifactLink]:
        params: dict[str, object] = {"page": page, "size": size}
        params.update({k: v for k, v in (("role", role), ("name", name)) if v is not None})
        path = f"/models/{seg(model)}/versions/{seg(version)}/artifacts"
        return self._h.get(path, Page[VersionArtifactLink], **params)  # type: ignore[no-any-return]

    def get_version(self, model: str, version: str) -> ModelVersionRead:
        return self._h.get(f"/models/{seg(model)}/versions/{seg(version)}", ModelVersionRead)  # type: ignore[no-any-return]

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[ModelRead]:
        return self._h.get("/models", Page[ModelRead], **_page(sort, page, size, query))  # type: ignore[no-any-return]

    def list_versions(self, model: str | uuid.UUID) -> builtins.list[ModelVersionRead]:
        return self._h.all_pages(f"/models/{seg(model)}/versions", ModelVersionRead)

    def get(self, model: str | uuid.UUID) -> ModelRead:
        return self._h.get(f"/models/{seg(model)}", ModelRead)  # type: ignore[no-any-return]

    def update(self, model: str | uuid.UUID, change: ModelUpdate) -> ModelRead:
        body = change.model_dump(mode="json", exclude_unset=True)
        return self._h.send("PATCH", f"/models/{seg(model)}", body, ModelRead, idempotent=True)  # type: ignore[no-any-return]

    def set_stage(
        self,
        model: str | uuid.UUID,
        version: str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> ModelVersionRead:
        target = model_stages.settable_stage(stage)  # here, so the error is the same as a local store's
        model_stages.check_transition("manual", None, reason)
        change = ModelStageChange(stage=target.value, force=force, reason=reason)
        path = f"/models/{seg(model)}/versions/{seg(version)}/stage"
        return self._h.send("PUT", path, change, ModelVersionRead)  # type: ignore[no-any-return]

    def transitions(self, model: str | uuid.UUID, *, page: int = 1, size: int = 50) -> Page[ModelStageTransitionRead]:
        check_page(page, size)
        path = f"/models/{seg(model)}/transitions"
        return self._h.get(path, Page[ModelStageTransitionRead], page=page, size=size)  # type: ignore[no-any-return]

    def change_version_tags(
        self,
        model: str | uuid.UUID,
        version: str,
        *,
        add: builtins.list[str] | tuple[str, ...] = (),
        remove: builtins.list[str] | tuple[str, ...] = (),
    ) -> builtins.list[str]:
        change = VersionTagsChange(add=builtins.list(add), remove=builtins.list(remove))
        path = f"/models/{seg(model)}/versions/{seg(version)}/tags"
        return self._h.send("PATCH", path, change, builtins.list[str], idempotent=True)  # type: ignore[no-any-return]


def _server_only(what: str) -> ConfigurationError:
    return ConfigurationError(
        f"{what} is managed on the server, not through a remote store; use the dashboard or the /api/v1 routes."
    )


class RestUsers:
    """Users are administered on the server; a remote store only refuses, with the way to do it."""

    def create(
        self,
        name: str,
        *,
        password: str | None = None,
        is_admin: bool = False,
        is_service_account: bool = False,
        full_name: str | None = None,
        email: str | None = None,
    ) -> UserRead:
        raise _server_only("Creating users")

    def get(self, ref: str | uuid.UUID) -> UserRead:
        raise _server_only("User look-up")

    def list(self, *, service_accounts: bool | None = None) -> builtins.list[UserRead]:
        raise _server_only("Listing users")

    def count(self) -> int:
        raise _server_only("Counting users")

    def verify_password(self, name: str, password: str) -> UserRead | None:
        raise _server_only("Password checking")

    def set_password(self, user_id: uuid.UUID, password: str) -> None:
        raise _server_only("Setting passwords")

    def set_active(self, user_id: uuid.UUID, active: bool) -> UserRead:
        raise _server_only("Deactivating users")

    def delete(self, user_id: uuid.UUID) -> None:
        raise _server_only("Deleting users")


class RestAuth:
    """Keys and sessions live on the server; ``waypost login`` makes a key through /auth/api-keys."""

    def create_api_key(self, user_id: uuid.UUID, name: str, *, expires_at: datetime | None = None) -> ApiKeyCreated:
        raise _server_only("Creating API keys")

    def resolve_api_key(self, key: str) -> UserRead | None:
        raise _server_only("API key look-up")

    def list_api_keys(self, user_id: uuid.UUID) -> builtins.list[ApiKeyRead]:
        raise _server_only("Listing API keys")

    def get_api_key(self, key_id: uuid.UUID) -> ApiKeyRead:
        raise _server_only("API key look-up")

    def revoke_api_key(self, key_id: uuid.UUID) -> None:
        raise _server_only("Revoking API keys")

    def revoke_user_api_keys(self, user_id: uuid.UUID) -> None:
        raise _server_only("Revoking API keys")

    def create_session(self, user_id: uuid.UUID, ttl_s: float) -> str:
        raise _server_only("Sessions")

    def resolve_session(self, token: str) -> UserRead | None:
        raise _server_only("Sessions")

    def end_session(self, token: str) -> None:
        raise _server_only("Sessions")

    def end_user_sessions(self, user_id: uuid.UUID, *, keep: str | None = None) -> None:
        raise _server_only("Sessions")

    def create_login_token(self, user_id: uuid.UUID, ttl_s: float = 600) -> str:
        raise _server_only("Login tokens")

    def redeem_login_token(self, token: str) -> UserRead | None:
        raise _server_only("Login tokens")
