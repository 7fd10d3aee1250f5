"""Fixtures for the artifact tests: a real local store, a memory store and a fresh registry."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest

from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.schemas.artifacts import ArtifactVersionCreate


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(str(tmp_path / "store"))


@pytest.fixture
def memory_store() -> Iterator[ArtifactStore]:
    root = f"memory://waypost-test-{uuid.uuid4().hex}"
    yield ArtifactStore(root)
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


@pytest.fixture(params=["local", "memory"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    if request.param == "local":
        yield ArtifactStore(str(tmp_path / "store"))
    else:
        yield request.getfixturevalue("memory_store")


@pytest.fixture
def registry() -> MaterializerRegistry:
    return MaterializerRegistry.with_builtins()


Save = Callable[..., ArtifactVersionCreate]
Load = Callable[[ArtifactStore, ArtifactVersionCreate], Any]


@pytest.fixture
def save(registry: MaterializerRegistry) -> Save:
    """``save(store, value, **kw)`` stores ``value`` as a new version of the artifact ``out``."""

    def _save(store: ArtifactStore, value: Any, **kw: Any) -> ArtifactVersionCreate:
        kw.setdefault("name", "out")
        kw.setdefault("registry", registry)
        return save_artifact(store, value, version_id=uuid.uuid4(), **kw)

    return _save


@pytest.fixture
def load(registry: MaterializerRegistry) -> Load:
    """``load(store, version)`` loads what ``save`` stored."""

    def _load(store: ArtifactStore, version: ArtifactVersionCreate) -> Any:
        return load_artifact(
            store,
            uri=version.uri,
            materializer=version.materializer,
            data_type=version.data_type,
            registry=registry,
        )

    return _load
