"""Dataclasses, sets, and containers holding them are stored as JSON (readable without unpickling, shown as
JSON) and load back as themselves; values JSON cannot hold still go to the pickle fallback."""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import uuid
import warnings
from pathlib import Path
from typing import Annotated, Any

import pytest

from waypost import pipeline, step
from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.artifacts.materializers.pickle_fallback import PickleFallbackWarning
from waypost.artifacts.materializers.structured_values import StructuredMaterializer
from waypost.artifacts.store import ArtifactStore
from waypost.enums import VisualizationType
from waypost.exceptions import MaterializerError

STRUCTURED = "waypost.artifacts.materializers.structured_values.StructuredMaterializer"


@dataclasses.dataclass
class TrainConfig:
    lr: float
    layers: list[int]
    name: str = "baseline"
    shape: tuple[int, int] = (2, 3)


@dataclasses.dataclass(frozen=True)
class Label:
    id: int
    text: str


@dataclasses.dataclass
class Counted:
    items: list[str]
    total: int = dataclasses.field(init=False, default=0)

    def __post_init__(self) -> None:
        self.total = len(self.items)


@step
def make_config() -> Annotated[TrainConfig, "config"]:
    return TrainConfig(lr=0.05, layers=[64, 32])


@step
def use_config(config: TrainConfig) -> Annotated[list[Label], "labels"]:
    assert type(config) is TrainConfig
    assert config.shape == (2, 3)
    return [Label(1, "cat"), Label(2, "dog")]


@pipeline
def config_pipeline() -> None:
    use_config(make_config())


def test_a_dataclass_output_is_json_and_loads_back_as_its_class() -> None:
    run = config_pipeline()
    config = run.steps["make_config"].output
    assert config.materializer == STRUCTURED
    stored = json.loads((Path(config.uri) / "data.json").read_text())  # plain JSON, no pickle
    assert stored["__dataclass__"] == f"{__name__}.TrainConfig"
    assert stored["fields"]["layers"] == [64, 32]
    [view] = config.visualizations
    assert view.type == VisualizationType.JSON
    shown = json.loads((Path(config.uri) / view.path).read_text())
    assert shown == {"lr": 0.05, "layers": [64, 32], "name": "baseline", "shape": [2, 3]}
    assert config.load() == TrainConfig(lr=0.05, layers=[64, 32])
    labels = run.steps["use_config"].output
    assert labels.materializer == STRUCTURED
    assert labels.load() == [Label(1, "cat"), Label(2, "dog")]


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(str(tmp_path / "store"))


def _round_trip(store: ArtifactStore, value: Any) -> tuple[Any, str]:
    registry = MaterializerRegistry.with_builtins()
    created = save_artifact(store, value, name="v", version_id=uuid.uuid4(), registry=registry)
    loaded = load_artifact(
        store, uri=created.uri, materializer=created.materializer, data_type=created.data_type, registry=registry
    )
    return loaded, created.materializer


@pytest.mark.parametrize(
    "value",
    [
        {"a", "b"},
        frozenset({1, 2}),
        {"labels": [Label(1, "x")], "seen": {3}},
        (Label(1, "x"), {"k": (1, 2)}),
        {Label(1, "x"), Label(2, "y")},
        Counted(["a", "b"]),
    ],
)
def test_containers_sets_and_dataclasses_round_trip_as_json(store: ArtifactStore, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PickleFallbackWarning)
        loaded, materializer = _round_trip(store, value)
    assert materializer == STRUCTURED
    assert loaded == value
    assert type(loaded) is type(value)


def test_plain_json_containers_keep_the_json_materializer(store: ArtifactStore) -> None:
    loaded, materializer = _round_trip(store, {"a": [1, 2], "b": (3,)})
    assert materializer.endswith(".JsonMaterializer")
    assert loaded == {"a": [1, 2], "b": (3,)}


def test_a_dataclass_that_json_cannot_hold_is_still_pickled(store: ArtifactStore) -> None:
    @dataclasses.dataclass
    class Holder:
        blob: bytes

    assert not StructuredMaterializer.can_save(Holder(b"x"))
    with pytest.warns(PickleFallbackWarning):
        _, materializer = _round_trip(store, Holder(b"x"))
    assert materializer.endswith("PickleMaterializer")


def test_a_dataclass_whose_module_is_not_imported_is_a_one_line_error(store: ArtifactStore) -> None:
    module = types.ModuleType("wp_temporary_shapes")
    sys.modules[module.__name__] = module
    try:
        exec("import dataclasses\n@dataclasses.dataclass\nclass Box:\n    side: int\n", module.__dict__)
        registry = MaterializerRegistry.with_builtins()
        created = save_artifact(store, module.Box(3), name="box", version_id=uuid.uuid4(), registry=registry)
    finally:
        del sys.modules[module.__name__]
    with pytest.raises(MaterializerError) as err:
        load_artifact(
            store, uri=created.uri, materializer=created.materializer, data_type=created.data_type, registry=registry
        )
    assert "\n" not in str(err.value)
    assert "import wp_temporary_shapes" in str(err.value)
