"""save_artifact and load_artifact: hashing, atomicity, fallbacks and errors."""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from waypost.artifacts.io import content_digest, load_artifact, save_artifact
from waypost.artifacts.materializers import (
    FolderMaterializer,
    Materializer,
    MaterializerRegistry,
    PandasMaterializer,
    PickleFallbackWarning,
    PickleMaterializer,
)
from waypost.artifacts.store import ArtifactStore
from waypost.enums import VisualizationType
from waypost.exceptions import ArtifactStoreError, MaterializerError
from waypost.schemas.artifacts import VisualizationRef


class Point:
    """A user type no materializer knows: it goes to the pickle fallback."""

    def __init__(self, x: int) -> None:
        self.x = x

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and other.x == self.x


class Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()


class Color(enum.IntEnum):
    RED = 1


def _one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


# -- hashing and size ----------------------------------------------------------------------
def test_equal_content_hashes_equal(store: ArtifactStore, save: Any) -> None:
    a, b = save(store, {"x": [1, 2]}), save(store, {"x": [1, 2]}, name="other")
    assert a.content_hash == b.content_hash
    assert a.uri != b.uri
    assert save(store, {"x": [1, 3]}).content_hash != a.content_hash
    assert save(store, np.arange(3)).content_hash == save(store, np.arange(3)).content_hash
    assert save(store, np.arange(3)).content_hash != save(store, np.arange(4)).content_hash


def test_hash_and_size_leave_out_visualizations(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"abc")
    size, digest = content_digest(tmp_path)
    (tmp_path / "_viz").mkdir()
    (tmp_path / "_viz" / "x.json").write_text("{}")
    assert content_digest(tmp_path) == (size, digest)
    assert size == 3
    (tmp_path / "data.bin").rename(tmp_path / "other.bin")
    assert content_digest(tmp_path)[1] != digest  # file names count, not only bytes


def test_large_files_are_hashed_in_blocks(tmp_path: Path) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "big.bin").write_bytes(payload)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "small.txt").write_text("s")
    size, digest = content_digest(tmp_path)
    assert size == len(payload) + 1
    (tmp_path / "big.bin").write_bytes(payload[:-1] + b"\x00" if payload[-1] else payload[:-1] + b"\x01")
    assert content_digest(tmp_path)[1] != digest


def test_size_counts_artifact_files_only(store: ArtifactStore, save: Any) -> None:
    version = save(store, b"12345")
    assert version.size == 5


# -- fallbacks -----------------------------------------------------------------------------
def test_unknown_type_is_pickled_with_a_warning(any_store: ArtifactStore, save: Any, load: Any) -> None:
    with pytest.warns(PickleFallbackWarning, match=rf"type '{__name__}\.Point'.*register") as record:
        version = save(any_store, Point(3))
    assert len(record) == 1
    assert "\n" not in str(record[0].message)
    assert version.materializer.endswith("PickleMaterializer")
    assert load(any_store, version) == Point(3)
    assert [ref.type for ref in version.visualizations] == [VisualizationType.TEXT]


@pytest.mark.parametrize(
    "value",
    [{1: "int key"}, [np.float64(1.0)], Color.RED, np.array([object()], dtype=object)],
    ids=["int-keys", "numpy-in-list", "int-enum", "object-array"],
)
def test_values_json_or_npy_cannot_hold_fall_back(
    value: Any, store: ArtifactStore, save: Any, load: Any, registry: MaterializerRegistry
) -> None:
    assert registry.for_value(value) is PickleMaterializer
    with pytest.warns(PickleFallbackWarning):
        version = save(store, value)
    loaded = load(store, version)
    assert type(loaded) is type(value)


def test_explicit_materializer_does_not_warn(store: ArtifactStore, save: Any, load: Any) -> None:
    version = save(store, Point(1), materializer=PickleMaterializer)
    assert load(store, version) == Point(1)


def test_frame_parquet_cannot_hold_is_pickled_inside_pandas_materializer(
    store: ArtifactStore, save: Any, load: Any
) -> None:
    frame = pd.DataFrame({"mixed": [1, "a", 2.5]})
    with pytest.warns(PickleFallbackWarning, match="parquet"):
        version = save(store, frame)
    assert version.materializer.endswith("PandasMaterializer")
    pd.testing.assert_frame_equal(load(store, version), frame)


def test_folder_round_trips_as_a_private_copy(
    tmp_path: Path, any_store: ArtifactStore, save: Any, load: Any, registry: MaterializerRegistry
) -> None:
    source = tmp_path / "model"
    (source / "weights").mkdir(parents=True)
    (source / "config.json").write_text('{"a": 1}')
    (source / "weights" / "w.bin").write_bytes(b"\x01" * 10)
    assert registry.for_value(source) is FolderMaterializer
    version = save(any_store, source)
    assert version.size == 18
    loaded = load(any_store, version)
    assert isinstance(loaded, Path)
    assert loaded != source
    assert (loaded / "config.json").read_text() == '{"a": 1}'
    assert (loaded / "weights" / "w.bin").read_bytes() == b"\x01" * 10
    assert any_store.is_local is False or not loaded.is_relative_to(any_store.root)
    shutil.rmtree(loaded.parent)


# -- errors --------------------------------------------------------------------------------
def test_unpicklable_value_raises_one_line_error_and_leaves_nothing(
    store: ArtifactStore, registry: MaterializerRegistry
) -> None:
    version_id = uuid.uuid4()
    with pytest.raises(MaterializerError) as exc:
        save_artifact(store, Holder(), name="y", version_id=version_id, registry=registry)
    message = _one_line(exc)
    assert f"'{__name__}.Holder'" in message
    assert "output 'y'" in message
    assert "register a Materializer subclass" in message
    assert not store.exists(store.artifact_uri("y", version_id))
    assert store.listdir(store.join(".staging")) == []


def test_strict_registry_refuses_unknown_types(registry: MaterializerRegistry) -> None:
    strict = MaterializerRegistry(registry.materializers, fallback=None)
    with pytest.raises(MaterializerError) as exc:
        strict.for_value(Point(1), output="p")
    assert _one_line(exc).startswith(f"No materializer can save a value of type '{__name__}.Point'")


class HalfWriter(Materializer):
    ASSOCIATED_TYPES = (f"{__name__}.Point",)

    def save(self, data: Any, path: Path) -> None:
        (path / "part.bin").write_bytes(b"half")
        raise RuntimeError("disk went away\nsecond line")

    def load(self, path: Path, data_type: str) -> Any:
        raise AssertionError("never saved")


def test_failing_save_is_atomic(store: ArtifactStore, registry: MaterializerRegistry) -> None:
    version_id = uuid.uuid4()
    with pytest.raises(MaterializerError) as exc:
        save_artifact(
            store,
            Point(1),
            name="p",
            version_id=version_id,
            registry=registry,
            materializer=HalfWriter,
        )
    assert "HalfWriter" in _one_line(exc)
    assert "disk went away" in str(exc.value)
    assert not store.exists(store.artifact_uri("p", version_id))
    assert store.listdir(store.join(".staging")) == []


class BrokenViews(Materializer):
    ASSOCIATED_TYPES = (f"{__name__}.Point",)

    def save(self, data: Any, path: Path) -> None:
        (path / "x.txt").write_text(str(data.x))

    def load(self, path: Path, data_type: str) -> Any:
        return Point(int((path / "x.txt").read_text()))

    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        raise ValueError("cannot draw")

    def metadata(self, data: Any) -> dict[str, Any]:
        raise KeyError("x")


def test_failing_visualization_and_metadata_do_not_fail_the_save(store: ArtifactStore, save: Any, load: Any) -> None:
    version = save(store, Point(7), materializer=BrokenViews)
    assert version.visualizations == []
    assert version.meta["visualization_errors"] == ["BrokenViews.visualize: ValueError: cannot draw"]
    assert version.meta["metadata_error"] == "KeyError: 'x'"
    assert load(store, version) == Point(7)


class StrayViews(BrokenViews):
    def visualize(self, data: Any, path: Path) -> list[VisualizationRef]:
        return [
            VisualizationRef(type=VisualizationType.TEXT, path="../escape.txt"),
            VisualizationRef(type=VisualizationType.TEXT, path="_viz/missing.txt"),
        ]

    def metadata(self, data: Any) -> dict[str, Any]:
        return {"x": data.x}


def test_visualizations_outside_viz_or_missing_are_dropped(store: ArtifactStore, save: Any) -> None:
    version = save(store, Point(1), materializer=StrayViews)
    assert version.visualizations == []
    assert len(version.meta["visualization_errors"]) == 2


def test_unwritable_store_raises_one_line_error(tmp_path: Path, registry: MaterializerRegistry) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = ArtifactStore(str(blocker / "store"))  # root under a regular file: even root cannot write
    with pytest.raises(ArtifactStoreError) as exc:
        save_artifact(store, 1, name="x", version_id=uuid.uuid4(), registry=registry)
    assert "not writable" in _one_line(exc)


def test_loading_deleted_artifact_raises_store_error(store: ArtifactStore, save: Any, load: Any) -> None:
    version = save(store, [1, 2])
    shutil.rmtree(version.uri)
    with pytest.raises(ArtifactStoreError) as exc:
        load(store, version)
    assert "missing" in _one_line(exc)


def test_loading_with_a_deleted_file_raises_store_error(store: ArtifactStore, save: Any, load: Any) -> None:
    version = save(store, pd.DataFrame({"a": [1]}))
    (Path(version.uri) / "data.parquet").unlink()
    with pytest.raises(ArtifactStoreError) as exc:
        load(store, version)
    assert "are incomplete" in _one_line(exc)
    assert "data.parquet" in str(exc.value)


def test_loading_corrupt_files_raises_materializer_error(store: ArtifactStore, save: Any, load: Any) -> None:
    version = save(store, np.arange(4))
    (Path(version.uri) / "data.npy").write_bytes(b"garbage")
    with pytest.raises(MaterializerError) as exc:
        load(store, version)
    assert "NumpyMaterializer" in _one_line(exc)


def test_loading_with_an_unknown_materializer_fails_clearly(store: ArtifactStore, save: Any, registry: Any) -> None:
    version = save(store, 1)
    with pytest.raises(MaterializerError) as exc:
        load_artifact(
            store,
            uri=version.uri,
            materializer="nope.Missing",
            data_type="builtins.int",
            registry=registry,
        )
    assert "Materializer 'nope.Missing' is not registered" in _one_line(exc)
    assert "MaterializerRegistry.default().register(Missing)" in _one_line(exc)


def test_load_accepts_the_class(store: ArtifactStore, save: Any, registry: MaterializerRegistry) -> None:
    version = save(store, pd.Series([1.5]))
    loaded = load_artifact(
        store,
        uri=version.uri,
        materializer=PandasMaterializer,
        data_type=version.data_type,
        registry=registry,
    )
    assert loaded.tolist() == [1.5]


# -- import cost ---------------------------------------------------------------------------
def test_saving_small_values_imports_no_heavy_library(tmp_path: Path) -> None:
    script = (
        "import sys, uuid\n"
        "from waypost.artifacts.io import save_artifact, load_artifact\n"
        "from waypost.artifacts.materializers import MaterializerRegistry\n"
        "from waypost.artifacts.store import ArtifactStore\n"
        f"store = ArtifactStore({str(tmp_path)!r})\n"
        "reg = MaterializerRegistry.default()\n"
        "for value in (1, 'text', [1, {'a': (2,)}], b'raw'):\n"
        "    v = save_artifact(store, value, name='x', version_id=uuid.uuid4(), registry=reg)\n"
        "    load_artifact(store, uri=v.uri, materializer=v.materializer, data_type=v.data_type, registry=reg)\n"
        "heavy = {'numpy', 'pandas', 'polars', 'PIL', 'matplotlib', 'pyarrow', 'cloudpickle'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
