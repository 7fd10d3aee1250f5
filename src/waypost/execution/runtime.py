"""The process's runtime: settings, the open metadata store, the artifact store, materializers."""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass, field

from waypost.artifacts.materializers.registry import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.schemas import PipelineRead, PipelineSpec, SnapshotRead
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

    def check_artifact_store(self) -> None:
        """Fail fast, once per process, when the artifact store cannot be written."""
        if not self.artifact_store_checked:
            self.artifact_store.check_writable()
            self.artifact_store_checked = True


_lock = threading.Lock()
_cache: dict[tuple[str, str], Runtime] = {}


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
    key = (settings.store_url, settings.artifact_store_uri)
    with _lock:
        rt = _cache.get(key)
        if rt is None:
            store = open_store(settings)
            rt = Runtime(
                settings=settings,
                store=store,
                artifact_store=_artifact_store(settings, store),
                registry=MaterializerRegistry.default(),
            )
            _cache[key] = rt
        else:
            rt.settings = settings
        return rt


def _artifact_store(settings: WaypostSettings, store: Store) -> ArtifactStore:
    """The configured artifact store; for a server store, the server's: directly when reachable, else through it."""
    if not settings.store_is_remote:
        return ArtifactStore(settings.artifact_store_uri)
    rest = importlib.import_module("waypost.store.rest.store")
    assert isinstance(store, rest.RestStore)
    info = store.info
    mode = settings.store.artifact_transfer
    if mode == "direct" or (mode == "auto" and _reaches(info.artifact_store_uri, info.artifact_store_probe)):
        return ArtifactStore(info.artifact_store_uri)
    server_artifacts = importlib.import_module("waypost.execution.server_artifacts")
    remote: ArtifactStore = server_artifacts.ServerArtifactStore(
        info.artifact_store_uri, store.files, settings.data_dir / "server-staging"
    )
    return remote


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
