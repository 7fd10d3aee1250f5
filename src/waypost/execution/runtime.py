"""The process's runtime: settings, the open metadata store, the artifact store, materializers."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass, field

from waypost import _lazy
from waypost.artifacts.materializers.registry import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore, check_prefix
from waypost.exceptions import ArtifactStoreError, NotFoundError
from waypost.schemas import PipelineRead, PipelineSpec, SnapshotRead
from waypost.schemas.access import DEFAULT_PROJECT_ID
from waypost.settings import WaypostSettings, config_path, load_settings
from waypost.store import Store, open_store


@dataclass
class Runtime:
    """Everything a run needs, opened once per process per configuration."""

    settings: WaypostSettings
    store: Store
    artifact_store: ArtifactStore
    registry: MaterializerRegistry
    artifact_store_checked: bool = False
    snapshots: dict[tuple[str, str], tuple[PipelineRead, SnapshotRead]] = field(default_factory=dict)
    prefixes: dict[uuid.UUID, str] = field(default_factory=dict)
    workspaces: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)
    """Project id → workspace id, looked up once (projects never move)."""
    stack_stores: dict[str, ArtifactStore] = field(default_factory=dict)
    """The artifact stores of stacks' components, opened (and checked writable) once per configuration."""

    def snapshot_for(self, spec: PipelineSpec) -> tuple[PipelineRead, SnapshotRead]:
        """The pipeline and snapshot records for ``spec``, looked up once per process.

        Both are immutable once written, so a process that runs the same pipeline again
        (a notebook, a sweep) skips two queries per run.
        """
        key = (spec.name, spec.structure_hash())
        known = self.snapshots.get(key)
        if known is None:
            pipeline = self.store.pipelines.get_or_create(spec.name)
            known = self.snapshots[key] = (pipeline, self.store.pipelines.snapshot(pipeline.id, spec))
        return known

    def artifact_prefix(self, project_id: uuid.UUID | None) -> str:
        """The artifact prefix of the workspace of project ``project_id``, looked up once per process.

        A run's artifact files and step logs go under ``<store>/<prefix>/``. The default project
        is in the default workspace, whose prefix is "" (the store's root, where the files from
        before workspaces lie): it needs no query. A project never moves between workspaces and
        a workspace's prefix never changes, so what was looked up stays true.
        """
        if project_id is None or project_id == DEFAULT_PROJECT_ID:
            return ""
        known = self.prefixes.get(project_id)
        if known is None:
            known = self.prefixes[project_id] = _workspace_prefix(self.settings, self.store, project_id)
        return known

    def check_artifact_store(self) -> None:
        """Fail fast, once per process, when the artifact store cannot be written."""
        if not self.artifact_store_checked:
            self.artifact_store.check_writable()
            self.artifact_store_checked = True


_lock = threading.Lock()
_cache: dict[tuple[str, str, str], Runtime] = {}


_settings_cache: dict[tuple[tuple[str, str], ...], tuple[float, WaypostSettings]] = {}


def _settings() -> WaypostSettings:
    """Settings from the environment and config file, re-read only when either changed."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("WAYPOST_")))
    try:
        mtime = config_path().stat().st_mtime
    except OSError:
        mtime = -1.0
    hit = _settings_cache.get(env)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    settings = load_settings()
    _settings_cache.clear()
    _settings_cache[env] = (mtime, settings)
    return settings


def current(settings: WaypostSettings | None = None) -> Runtime:
    """The runtime for ``settings`` (default: read from the environment and config file)."""
    settings = settings or _settings()
    key = (settings.store_url, settings.artifact_store_uri, settings.project)
    with _lock:
        rt = _cache.get(key)
        if rt is None:
            with _lazy.collector_paused():  # opening a store imports SQLAlchemy or httpx
                store = open_store(settings)
                try:
                    rt = Runtime(
                        settings=settings,
                        store=store,
                        artifact_store=_artifact_store(settings, store),
                        registry=MaterializerRegistry.default(),
                    )
                except BaseException:  # e.g. a server that refuses the API key: nothing stays open
                    store.close()
                    raise
            _cache[key] = rt
        else:
            rt.settings = settings
        return rt


def _artifact_store(settings: WaypostSettings, store: Store) -> ArtifactStore:
    """The configured artifact store; for a server store, the server's: directly when reachable, else through it."""
    if not settings.store_is_remote:
        return ArtifactStore(settings.artifact_store_uri)
    rest = _lazy.load("waypost.store.rest.store")
    assert isinstance(store, rest.RestStore)
    info = store.info
    mode = settings.store.artifact_transfer
    if mode == "direct" or (mode == "auto" and _reaches(info.artifact_store_uri, info.artifact_store_probe)):
        return ArtifactStore(info.artifact_store_uri)
    server_artifacts = _lazy.load("waypost.execution.server_artifacts")
    remote: ArtifactStore = server_artifacts.ServerArtifactStore(
        info.artifact_store_uri, store.files, settings.data_dir / "server-staging"
    )
    return remote


def _workspace_prefix(settings: WaypostSettings, store: Store, project_id: uuid.UUID) -> str:
    """The artifact prefix of the workspace project ``project_id`` is in, asked of the store (two small look-ups)."""
    try:
        if settings.store_is_remote:
            rest = _lazy.load("waypost.store.rest.store")
            org = _lazy.load("waypost.schemas.org")
            assert isinstance(store, rest.RestStore)
            project = store.http.get(f"/projects/{project_id}", org.ProjectRead)
            prefix = store.http.get(f"/workspaces/{project.workspace_id}", org.WorkspaceRead).artifact_prefix
        else:
            access = getattr(store, "access", None)
            if access is None:  # a store without workspaces
                return ""
            prefix = access.get_workspace(access.get_project(project_id).workspace_id).artifact_prefix
    except NotFoundError as exc:
        raise ArtifactStoreError(
            f"Cannot find the workspace of project {project_id} to place the run's files ({exc}); "
            "ask for a role in the project."
        ) from None
    return check_prefix(str(prefix))


def _reaches(uri: str, probe: str) -> bool:
    """Whether this machine sees the same artifact store as the server (it reads the server's probe file)."""
    try:
        files = ArtifactStore(uri)
        return files.read_bytes(files.join(".waypost-id")).decode() == probe
    except Exception:  # not installed, not mounted, no credentials: all mean "go through the server"
        return False


def reset() -> None:
    """Close and forget every open runtime (tests, and processes that switch stores)."""
    with _lock:
        for rt in _cache.values():
            rt.store.close()
        _cache.clear()
        _settings_cache.clear()
