"""Fixtures for the integration tests: a real local artifact store and a save/load pair."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.enums import VisualizationType
from waypost.schemas.artifacts import ArtifactVersionCreate


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(str(tmp_path / "store"))


@pytest.fixture
def save(store: ArtifactStore) -> Callable[[Any], ArtifactVersionCreate]:
    """``save(value)`` stores ``value`` through the default registry, as a step output would be."""

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


@pytest.fixture
def read_viz() -> Callable[[ArtifactVersionCreate, VisualizationType], Any]:
    """``read_viz(version, kind)``: the JSON of the one visualization of ``kind`` the version holds."""
    return _read_viz


def _read_viz(version: ArtifactVersionCreate, kind: VisualizationType) -> Any:
    found = [ref for ref in version.visualizations if ref.type == kind]
    assert len(found) == 1, (version.visualizations, version.meta.get("visualization_errors"))
    return json.loads((Path(version.uri) / found[0].path).read_text())
