"""MaterializerRegistry: lookup by MRO, precedence, annotations, class loading, user materializers."""

from __future__ import annotations

import html
import json
import pathlib
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest

from waypost.artifacts.materializers import (
    BytesMaterializer,
    JsonMaterializer,
    Materializer,
    MaterializerRegistry,
    PandasMaterializer,
    PickleMaterializer,
    type_name,
)
from waypost.artifacts.store import ArtifactStore
from waypost.enums import VisualizationType
from waypost.exceptions import MaterializerError
from waypost.schemas.artifacts import VisualizationRef


# The worked example from Materializer's docstring, with the module name of this file.
class Molecule:
    def __init__(self, name: str, atoms: list[str]) -> None:
        self.name = name
        self.atoms = atoms


class MoleculeMaterializer(Materializer):
    ASSOCIATED_TYPES = (f"{__name__}.Molecule",)
    VERSION = "1"

    def save(self, data: Molecule, path: Path) -> None:
        payload = {"name": data.name, "atoms": data.atoms}
        (path / "molecule.json").write_text(json.dumps(payload))

    def load(self, path: Path, data_type: str) -> Molecule:
        payload = json.loads((path / "molecule.json").read_text())
        return Molecule(payload["name"], payload["atoms"])

    def metadata(self, data: Molecule) -> dict[str, Any]:
        return {"atoms": len(data.atoms)}

    def visualize(self, data: Molecule, path: Path) -> list[VisualizationRef]:
        viz = path / "_viz"
        viz.mkdir(exist_ok=True)
        items = "".join(f"<li>{html.escape(a)}</li>" for a in data.atoms)
        page = f"<h1>{html.escape(data.name)}</h1><ul>{items}</ul>"
        (viz / "molecule.html").write_text(page)
        return [VisualizationRef(type=VisualizationType.HTML, path="_viz/molecule.html", title="Atoms")]


class Ethanol(Molecule):
    pass


def test_worked_example_saves_loads_and_visualizes(
    store: ArtifactStore, save: Any, load: Any, registry: MaterializerRegistry
) -> None:
    registry.register(MoleculeMaterializer)
    version = save(store, Ethanol("ethanol", ["C", "C", "O"]))  # a subclass matches too
    assert version.materializer == f"{__name__}.MoleculeMaterializer"
    assert version.data_type == f"{__name__}.Ethanol"
    assert version.meta == {"atoms": 3}
    (ref,) = version.visualizations
    assert ref.type == VisualizationType.HTML
    assert ref.size > 0
    assert "<li>O</li>" in (Path(version.uri) / ref.path).read_text()
    loaded = load(store, version)
    assert isinstance(loaded, Molecule)
    assert loaded.atoms == ["C", "C", "O"]


def test_builtins_match_by_qualified_name(registry: MaterializerRegistry) -> None:
    assert registry.for_value(3) is JsonMaterializer
    assert registry.for_value(b"x") is BytesMaterializer
    assert registry.for_value(pd.DataFrame()) is PandasMaterializer
    assert registry.for_value(object()) is PickleMaterializer


def test_later_registration_wins_and_may_decline(registry: MaterializerRegistry) -> None:
    class EvenOnly(Materializer):
        ASSOCIATED_TYPES = ("builtins.int",)

        @classmethod
        def can_save(cls, value: Any) -> bool:
            return value % 2 == 0

        def save(self, data: Any, path: Path) -> None: ...

        def load(self, path: Path, data_type: str) -> Any: ...

    registry.register(EvenOnly)
    assert registry.for_value(2) is EvenOnly
    assert registry.for_value(3) is JsonMaterializer


def test_register_rejects_bad_declarations(registry: MaterializerRegistry) -> None:
    class Unqualified(Materializer):
        ASSOCIATED_TYPES = ("DataFrame",)

        def save(self, data: Any, path: Path) -> None: ...

        def load(self, path: Path, data_type: str) -> Any: ...

    with pytest.raises(MaterializerError, match="qualified type names"):
        registry.register(Unqualified)
    with pytest.raises(MaterializerError, match="not a Materializer subclass"):
        registry.register(dict)  # type: ignore[arg-type]  # the mistake under test


def test_default_is_built_once_and_registries_are_independent() -> None:
    assert MaterializerRegistry.default() is MaterializerRegistry.default()
    empty = MaterializerRegistry()
    assert empty.materializers == []
    assert empty.for_value(3) is PickleMaterializer
    fresh = MaterializerRegistry.with_builtins()
    fresh.register(MoleculeMaterializer)
    assert MoleculeMaterializer not in MaterializerRegistry.with_builtins().materializers


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (pd.DataFrame, PandasMaterializer),
        (Annotated[pd.DataFrame, "features"], PandasMaterializer),
        (bytes, BytesMaterializer),
        (int, None),  # JSON accepts only some values of a type: the value decides
        (dict[str, int], None),
        (np.ndarray, None),
        (Any, None),
        (int | None, None),
        (object, None),
    ],
)
def test_for_type(annotation: Any, expected: type[Materializer] | None, registry: MaterializerRegistry) -> None:
    assert registry.for_type(annotation) is expected


def test_load_class_prefers_registered_then_imports(registry: MaterializerRegistry) -> None:
    assert registry.load_class(type_name(JsonMaterializer)) is JsonMaterializer
    assert registry.load_class(f"{__name__}.MoleculeMaterializer") is MoleculeMaterializer


@pytest.mark.parametrize(
    ("dotted", "match"),
    [
        ("nowhere.Materializer", "Cannot import materializer 'nowhere.Materializer'"),
        ("pathlib.NoSuchClass", "AttributeError"),
        ("pathlib.Path", "not a Materializer subclass"),
        ("NoDots", "Cannot import"),
    ],
)
def test_load_class_errors_are_one_line(dotted: str, match: str, registry: MaterializerRegistry) -> None:
    with pytest.raises(MaterializerError, match=match) as exc:
        registry.load_class(dotted)
    assert "\n" not in str(exc.value)


def test_resolve_finds_stored_names_only_among_known_classes(registry: MaterializerRegistry) -> None:
    assert registry.resolve(type_name(JsonMaterializer)) is JsonMaterializer
    assert registry.resolve(type_name(PickleMaterializer)) is PickleMaterializer  # the fallback
    # Waypost's own integrations register themselves when their fixed module is imported.
    assert registry.resolve("waypost.integrations.sklearn.ConfusionMatrixMaterializer").__name__ == (
        "ConfusionMatrixMaterializer"
    )
    for stored in (f"{__name__}.MoleculeMaterializer", "os.system", "pathlib.Path", "NoDots"):
        with pytest.raises(MaterializerError, match="is not registered in this process") as exc:
            registry.resolve(stored)
        assert "\n" not in str(exc.value)
        assert "MaterializerRegistry.default().register(" in str(exc.value)
    registry.load_class(f"{__name__}.MoleculeMaterializer")  # named in a step's code: known from now on
    assert registry.resolve(f"{__name__}.MoleculeMaterializer") is MoleculeMaterializer


def test_folders_only_match_directories(tmp_path: Path, registry: MaterializerRegistry) -> None:
    file = tmp_path / "f.txt"
    file.write_text("x")
    assert registry.for_value(tmp_path).__name__ == "FolderMaterializer"
    assert registry.for_value(pathlib.Path(file)) is PickleMaterializer


def test_the_docstring_example_itself_works(tmp_path: Path) -> None:
    """Runs the code in Materializer's docstring as written, so the example cannot drift from the API."""
    import textwrap
    import uuid

    from waypost.artifacts.io import load_artifact, save_artifact

    doc = Materializer.__doc__ or ""
    start = doc.index("A materializer for a small domain type")
    block = doc[doc.index("::", start) + 2 : doc.index("Steps that return a ``Molecule``")]
    namespace: dict[str, Any] = {"__name__": "chem.types"}  # where the example says Molecule lives
    exec(compile(textwrap.dedent(block), "Materializer.__doc__", "exec"), namespace)

    registry = MaterializerRegistry.with_builtins()
    registry.register(namespace["MoleculeMaterializer"])
    water = namespace["Molecule"]("water", ["H", "H", "O"])
    store = ArtifactStore(str(tmp_path / "store"))
    saved = save_artifact(store, water, name="water", version_id=uuid.uuid4(), registry=registry)
    assert saved.materializer.endswith("MoleculeMaterializer")
    assert [(v.type, v.title) for v in saved.visualizations] == [(VisualizationType.HTML, "Atoms")]
    loaded = load_artifact(
        store,
        uri=saved.uri,
        materializer=namespace["MoleculeMaterializer"],
        data_type=saved.data_type,
        registry=registry,
    )
    assert (loaded.name, loaded.atoms) == ("water", ["H", "H", "O"])
