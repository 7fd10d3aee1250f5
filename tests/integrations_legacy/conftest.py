"""Fixtures for the integrations that need an environment of their own (``make test-legacy``).

tests/conftest.py still gives every test its own Waypost home; these add a real local artifact
store and a save/load pair, as tests/integrations does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.schemas.artifacts import ArtifactVersionCreate


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(str(tmp_path / "store"))


@pytest.fixture
def save(store: ArtifactStore) -> Callable[[Any], ArtifactVersionCreate]:
    def _save(value: Any) -> ArtifactVersionCreate:
        return save_artifact(store, value, name="out", version_id=uuid.uuid4(), registry=MaterializerRegistry.default())

    return _save


@pytest.fixture
def load(store: ArtifactStore) -> Callable[[ArtifactVersionCreate], Any]:
    def _load(version: ArtifactVersionCreate) -> Any:
        # A fresh registry: loading must find the materializer by its recorded class path alone.
        return load_artifact(
            store,
            uri=version.uri,
            materializer=version.materializer,
            data_type=version.data_type,
            registry=MaterializerRegistry.with_builtins(),
        )

    return _load
