"""ZenML's custom materializers (``BaseMaterializer``), as its docs write them: only ``zenml`` → ``waypost``
in the imports. Each runs a real pipeline and reads the results back."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from PIL import Image

from live_server import LiveServer
from waypost import pipeline, step
from waypost.artifacts.io import content_digest
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.client import Client
from waypost.enums import ArtifactType, VisualizationType
from waypost.exceptions import MaterializerError
from waypost.execution import runtime
from waypost.io import fileio
from waypost.materializers import BaseMaterializer as PackageBaseMaterializer
from waypost.materializers.base_materializer import BaseMaterializer

# --- a port of ZenML's "Handle custom data types" code example; imports changed only ---


class MyObj:
    def __init__(self, name: str):
        self.name = name


class MyMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (MyObj,)
    ASSOCIATED_ARTIFACT_TYPE = ArtifactType.DATA

    def load(self, data_type: type[MyObj]) -> MyObj:
        """Read from artifact store."""
        with self.artifact_store.open(os.path.join(self.uri, "data.txt"), "r") as f:
            name = f.read()
        return MyObj(name=name)

    def save(self, my_obj: MyObj) -> None:
        """Write to artifact store."""
        with self.artifact_store.open(os.path.join(self.uri, "data.txt"), "w") as f:
            f.write(my_obj.name)


@step
def my_first_step() -> MyObj:
    """Step that returns an object of type MyObj."""
    return MyObj("my_object")


my_first_step.configure(output_materializers=MyMaterializer)

received: list[str] = []


@step
def my_second_step(my_obj: MyObj) -> None:
    """Step that log the input object and returns nothing."""
    logging.info(f"The following object was passed to this step: `{my_obj.name}`")
    received.append(my_obj.name)


@pipeline
def first_pipeline():
    output_1 = my_first_step()
    my_second_step(output_1)


def test_zenml_docs_custom_materializer_example_runs_with_only_the_imports_changed() -> None:
    received.clear()
    run = first_pipeline()
    assert received == ["my_object"]  # the second step got a MyObj the materializer loaded
    version = run.steps["my_first_step"].output
    assert version.materializer == f"{__name__}.MyMaterializer"  # the user's class is recorded
    assert (Path(version.uri) / "data.txt").read_text() == "my_object"  # its own file, no pickle
    assert sorted(os.listdir(version.uri)) == ["data.txt"]
    assert version.load().name == "my_object"
    assert version.run_metadata["artifact_type"] == "DATA"  # ASSOCIATED_ARTIFACT_TYPE
    assert PackageBaseMaterializer is BaseMaterializer


class Registered:
    def __init__(self, value: int) -> None:
        self.value = value


class RegisteredMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (Registered,)

    def load(self, data_type: type[Any]) -> Registered:
        assert data_type is Registered
        with self.artifact_store.open(os.path.join(self.uri, "value.json"), "r") as f:
            return Registered(json.load(f)["value"])

    def save(self, data: Registered) -> None:
        with self.artifact_store.open(os.path.join(self.uri, "value.json"), "w") as f:
            json.dump({"value": data.value}, f)


@step
def make_registered() -> Registered:
    return Registered(41)


@step
def bump(r: Registered) -> int:
    return r.value + 1


@pipeline
def registered_pipeline() -> None:
    bump(make_registered())


def test_defining_a_subclass_registers_it_for_its_types() -> None:
    run = registered_pipeline()  # no output_materializers: ASSOCIATED_TYPES picked it
    assert run.steps["make_registered"].output.materializer == f"{__name__}.RegisteredMaterializer"
    assert run.steps["bump"].output.load() == 42
    found = MaterializerRegistry.default().for_value(Registered(1))
    assert found.__qualname__ == "RegisteredMaterializer"


# --- save_visualizations and extract_metadata ---


class Report:
    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


class ReportMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES = (Report,)
    ASSOCIATED_ARTIFACT_TYPE = ArtifactType.DATA_ANALYSIS
    SKIP_REGISTRATION = True  # chosen explicitly below

    def load(self, data_type: type[Any]) -> Report:
        with self.artifact_store.open(os.path.join(self.uri, "scores.json"), "r") as f:
            return Report(json.load(f))

    def save(self, data: Report) -> None:
        with self.artifact_store.open(os.path.join(self.uri, "scores.json"), "w") as f:
            json.dump(data.scores, f)

    def save_visualizations(self, data: Report) -> dict[str, VisualizationType]:
        rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in data.scores.items())
        files = {
            os.path.join(self.uri, "report.html"): (f"<table>{rows}</table>", VisualizationType.HTML),
            os.path.join(self.uri, "notes.md"): ("# Scores\n\n- best: **f1**\n", VisualizationType.MARKDOWN),
            os.path.join(self.uri, "scores.csv"): (
                "metric,value\n" + "".join(f"{k},{v}\n" for k, v in data.scores.items()),
                VisualizationType.CSV,
            ),
            os.path.join(self.uri, "raw.json"): (json.dumps(data.scores), VisualizationType.JSON),
        }
        for path, (text, _) in files.items():
            with fileio.open(path, "w") as f:
                f.write(text)
        image = os.path.join(self.uri, "plot.png")
        with fileio.open(image, "wb") as f:
            f.write(_png())
        return {**{path: kind for path, (_, kind) in files.items()}, image: VisualizationType.IMAGE}

    def extract_metadata(self, data: Report) -> dict[str, Any]:
        return {"metrics": len(data.scores), "best": max(data.scores, key=data.scores.__getitem__)}


@step(output_materializers={"report": ReportMaterializer})
def evaluate() -> Annotated[Report, "report"]:
    return Report({"accuracy": 0.91, "f1": 0.93})


@pipeline
def report_pipeline() -> None:
    evaluate()


def test_save_visualizations_become_stored_views_and_extract_metadata_the_versions_metadata() -> None:
    run = report_pipeline()
    version = run.steps["evaluate"].outputs["report"][0]
    assert version.load().scores == {"accuracy": 0.91, "f1": 0.93}
    kinds = [(v.type, v.title) for v in version.visualizations]
    assert kinds == [
        (VisualizationType.HTML, "report.html"),
        (VisualizationType.MARKDOWN, "notes.md"),
        (VisualizationType.TABLE, "scores.csv"),  # a CSV is shown as a table
        (VisualizationType.JSON, "raw.json"),
        (VisualizationType.IMAGE, "plot.png"),
    ]
    folder = Path(version.uri)
    assert all(v.path.startswith("_viz/") and (folder / v.path).is_file() for v in version.visualizations)
    assert sorted(p.name for p in folder.iterdir()) == ["_viz", "scores.json"]  # views moved beside the data
    assert version.content_hash == content_digest(folder)[1]
    assert version.size == len((folder / "scores.json").read_bytes())  # the views are not counted
    table = json.loads((folder / version.visualizations[2].path).read_bytes())
    assert [c["name"] for c in table["columns"]] == ["metric", "value"]
    assert table["rows"] == [["accuracy", 0.91], ["f1", 0.93]]
    assert (folder / version.visualizations[4].path).read_bytes() == _png()
    assert version.run_metadata == {"metrics": 2, "best": "f1", "artifact_type": "DATA_ANALYSIS"}


def test_a_skipped_materializer_is_not_registered_for_its_types() -> None:
    found = MaterializerRegistry.default().for_value(Report({}))
    assert found is MaterializerRegistry.default().fallback


def test_a_materializer_without_associated_types_is_a_one_line_error() -> None:
    with pytest.raises(MaterializerError, match="has no ASSOCIATED_TYPES") as err:

        class Empty(BaseMaterializer):
            pass

    assert "\n" not in str(err.value)
    with pytest.raises(MaterializerError, match="ASSOCIATED_ARTIFACT_TYPE"):

        class Wrong(BaseMaterializer):
            ASSOCIATED_TYPES = (MyObj,)
            ASSOCIATED_ARTIFACT_TYPE = "Spreadsheet"  # type: ignore[assignment]


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def test_the_server_serves_the_views_and_metadata_of_a_zenml_materializer(live: LiveServer) -> None:
    report_pipeline()
    client = Client()
    version = client.get_artifact_version("report")
    headers = {"Authorization": f"Bearer {live.api_key}"}

    def view(index: int) -> httpx.Response:
        url = f"{live.url}/api/v1/artifact-versions/{version.id}/visualizations/{index}"
        response = httpx.get(url, headers=headers)
        assert response.status_code == 200, response.text
        return response

    html = view(0)
    assert html.headers["content-type"].startswith("text/html")
    assert "<td>f1</td>" in html.text
    assert view(1).text.startswith("# Scores")
    assert view(2).json()["total_rows"] == 2
    assert view(3).json() == {"accuracy": 0.91, "f1": 0.93}
    image = view(4)
    assert image.headers["content-type"] == "image/png"
    assert image.content == _png()
    assert version.run_metadata["best"] == "f1"


# --- choosing by path, registering in place, a remote store ---


@step(output_materializers=f"{__name__}.ReportMaterializer")
def evaluate_by_path() -> Report:
    return Report({"recall": 0.8})


@pipeline
def by_path_pipeline() -> None:
    evaluate_by_path()


def test_output_materializers_takes_a_module_class_path() -> None:
    run = by_path_pipeline()
    version = run.steps["evaluate_by_path"].output
    assert version.materializer == f"{__name__}.ReportMaterializer"
    assert version.load().scores == {"recall": 0.8}


def test_register_artifact_loads_through_a_base_materializer() -> None:
    from waypost import register_artifact

    root = Path(runtime.current().artifact_store.root)
    folder = root / "external" / "named"
    folder.mkdir(parents=True)
    (folder / "data.txt").write_text("from outside")
    av = register_artifact(str(folder), "named_obj", artifact_materializer=MyMaterializer)
    assert av.materializer == f"{__name__}.MyMaterializer"
    assert av.data_type == f"{__name__}.MyObj"
    loaded = Client().get_artifact_version("named_obj").load()
    assert isinstance(loaded, MyObj)
    assert loaded.name == "from outside"


def test_a_memory_artifact_store_round_trips_a_base_materializer_with_its_views() -> None:
    import uuid

    from waypost.artifacts.io import load_artifact, save_artifact
    from waypost.artifacts.store import ArtifactStore

    store = ArtifactStore(f"memory://wp-{uuid.uuid4().hex[:8]}")
    registry = MaterializerRegistry.default()
    created = save_artifact(
        store,
        Report({"auc": 0.7}),
        name="report",
        version_id=uuid.uuid4(),
        registry=registry,
        materializer=ReportMaterializer.__waypost_materializer__,
    )
    assert store.listdir(created.uri) == ["_viz", "scores.json"]
    assert len(created.visualizations) == 5
    assert store.read_bytes(f"{created.uri}/{created.visualizations[4].path}") == _png()
    loaded = load_artifact(
        store, uri=created.uri, materializer=created.materializer, data_type=created.data_type, registry=registry
    )
    assert loaded.scores == {"auc": 0.7}
