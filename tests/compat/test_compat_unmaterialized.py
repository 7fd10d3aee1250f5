"""ZenML's ``UnmaterializedArtifact`` step inputs and ``register_artifact``, with only ``zenml`` → ``waypost``
in the imports; each runs a real pipeline (or registers in the real artifact store) and reads back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated
from uuid import uuid4

import pytest

from waypost import pipeline, register_artifact, step
from waypost.artifacts.unmaterialized_artifact import UnmaterializedArtifact
from waypost.client import Client
from waypost.exceptions import ParameterError
from waypost.execution import runtime
from waypost.io import fileio

# --- a port of ZenML's "Skip materialization" docs example; imports changed only ---


@step
def s1() -> tuple[Annotated[dict[str, str], "dict_"], Annotated[list[str], "list_"]]:
    return {"some": "data"}, []


@step
def s2(dict_: dict, list_: list) -> None:
    assert isinstance(dict_, dict)
    assert isinstance(list_, list)


@step
def s3(dict_: UnmaterializedArtifact, list_: UnmaterializedArtifact) -> None:
    assert isinstance(dict_, UnmaterializedArtifact)
    assert isinstance(list_, UnmaterializedArtifact)
    seen.append((dict_.name, fileio.listdir(dict_.uri), dict_.uri, list_.data_type))


@pipeline
def example_pipeline():
    s2(*s1())
    s3(*s1())


seen: list[tuple[str, list[str], str, str]] = []


def test_zenml_docs_unmaterialized_example_runs_with_only_the_imports_changed() -> None:
    seen.clear()
    run = example_pipeline()
    assert run.status == "completed"
    [(name, files, uri, list_type)] = seen
    produced = run.steps["s1_2"].outputs["dict_"][0]
    assert (name, uri) == ("dict_", produced.uri)  # the record of the version, not its value
    assert "data.json" in files
    assert list_type == "builtins.list"
    assert [v.id for v in run.steps["s3"].inputs.values()] == [v[0].id for v in run.steps["s1_2"].outputs.values()]


@step
def count_chars(text: Annotated[UnmaterializedArtifact, "raw"]) -> int:
    with fileio.open(os.path.join(text.uri, "data.json"), "r") as f:
        return len(f.read())


@step
def make_text() -> str:
    return "hello"


@pipeline
def annotated_pipeline() -> None:
    count_chars(make_text())


def test_an_annotated_unmaterialized_input_gets_the_record_too() -> None:
    run = annotated_pipeline()
    assert run.steps["count_chars"].output.load() == len('"hello"')


# --- register_artifact: a port of ZenML's "Register existing data as an artifact" docs example ---


def _store_root() -> str:
    """The artifact store's root (ZenML's ``Client().active_stack.artifact_store.path``, which Waypost lacks)."""
    root = runtime.current().artifact_store.root
    fileio.makedirs(root)  # a fresh store's root appears with its first artifact
    return root


def test_zenml_docs_register_folder_example() -> None:
    prefix = _store_root()
    test_file_name = "test_file.txt"
    preexisting_folder = os.path.join(prefix, f"my_test_folder_{uuid4()}")
    preexisting_file = os.path.join(preexisting_folder, test_file_name)
    os.mkdir(preexisting_folder)
    with open(preexisting_file, "w") as f:
        f.write("test")

    register_artifact(folder_or_file_uri=preexisting_folder, name="my_folder_artifact")

    temp_artifact_folder_path = Client().get_artifact_version(name_id_or_prefix="my_folder_artifact").load()
    assert isinstance(temp_artifact_folder_path, Path)
    assert os.path.isdir(temp_artifact_folder_path)
    with open(os.path.join(temp_artifact_folder_path, test_file_name)) as f:
        assert f.read() == "test"


def test_register_records_the_files_where_they_are() -> None:
    root = Path(_store_root())
    folder = root / "external" / "images"
    folder.mkdir(parents=True)
    (folder / "a.png").write_bytes(b"\x89PNG-a")
    single = root / "external" / "labels.csv"
    single.write_text("id,label\n1,cat\n")
    av = register_artifact(str(folder), "raw_images", version="v1", tags=["raw"], artifact_metadata={"source": "cam"})
    assert av.uri == str(folder)  # not copied
    assert av.size == len(b"\x89PNG-a")
    assert av.tags == ["raw"]
    version = Client().get_artifact_version("raw_images")
    assert version.run_metadata == {"source": "cam", "version_name": "v1"}
    loaded = version.load()
    assert loaded != folder
    assert (loaded / "a.png").read_bytes() == b"\x89PNG-a"
    file_version = register_artifact(str(single), "labels")
    assert file_version.uri == str(single)
    loaded_file = Client().get_artifact_version("labels").load()
    assert loaded_file.read_text() == "id,label\n1,cat\n"
    assert sorted(os.listdir(root / "external")) == ["images", "labels.csv"]  # nothing written beside them


def test_register_outside_the_artifact_store_is_a_one_line_error(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    root = _store_root()
    with pytest.raises(ParameterError) as err:
        register_artifact(str(outside), "nope")
    message = str(err.value)
    assert "\n" not in message
    assert str(outside) in message
    assert root in message
    with pytest.raises(ParameterError, match="Nothing is at"):
        register_artifact(os.path.join(root, "missing-folder"), "nope")


def test_a_registered_file_loads_from_a_remote_store_too() -> None:
    from waypost.artifacts.io import content_digest, load_artifact
    from waypost.artifacts.materializers import MaterializerRegistry
    from waypost.artifacts.store import ArtifactStore

    store = ArtifactStore(f"memory://wp-{uuid4().hex[:8]}")
    uri = store.join("external", "labels.csv")
    store.write_bytes(uri, b"id,label\n")
    with store.open_dir(uri) as local:
        assert local.name == "labels.csv"
        size, _ = content_digest(local)
    assert size == len(b"id,label\n")
    loaded = load_artifact(
        store,
        uri=uri,
        materializer="waypost.artifacts.materializers.registered_paths.PathMaterializer",
        data_type="pathlib.Path",
        registry=MaterializerRegistry.default(),
    )
    assert loaded.read_bytes() == b"id,label\n"
