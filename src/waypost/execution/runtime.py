"""The process's runtime: settings, the open metadata store, the artifact store, materializers."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from waypost.artifacts.materializers.registry import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.settings import WaypostSettings, load_settings
from waypost.store import Store, open_store


@dataclass
class Runtime:
    """Everything a run needs, opened once per process per configuration."""

    settings: WaypostSettings
    store: Store
    artifact_store: ArtifactStore
    registry: MaterializerRegistry


_lock = threading.Lock()
_cache: dict[tuple[str, str], Runtime] = {}


def current(settings: WaypostSettings | None = None) -> Runtime:
    """The runtime for ``settings`` (default: read from the environment and config file)."""
    settings = settings or load_settings()
    key = (settings.store_url, settings.artifact_store_uri)
    with _lock:
        rt = _cache.get(key)
        if rt is None:
            rt = Runtime(
                settings=settings,
                store=open_store(settings),
                artifact_store=ArtifactStore(settings.artifact_store_uri),
                registry=MaterializerRegistry.default(),
            )
            _cache[key] = rt
        else:
            rt.settings = settings
        return rt


def reset() -> None:
    """Close and forget every open runtime (tests, and processes that switch stores)."""
    with _lock:
        for rt in _cache.values():
            rt.store.close()
        _cache.clear()
