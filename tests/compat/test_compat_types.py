"""`waypost.types` string types, as ZenML's: the dashboard shows each as its kind, and loading gives the type back."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import fsspec
import httpx
import pytest

from live_server import LiveServer
from waypost import pipeline, step
from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.client import Client
from waypost.enums import VisualizationType
from waypost.execution import runtime
from waypost.schemas import ArtifactVersionRead
from waypost.types import CSVString, HTMLString, JSONString, MarkdownString

HTML = '<h1>Accuracy</h1><p style="color: green">0.93</p>'
MARKDOWN = "# Report\n\n- accuracy: **0.93**\n- rows: 1200\n"
CSV = 'name,count,score\nalpha,3,0.5\n"beta, the second",4,\nempty,,1.25\n'
JSON_TEXT = '{"accuracy": 0.93, "classes": ["cat", "dog"]}'


@step
def make_report() -> tuple[
    Annotated[HTMLString, "html"],
    Annotated[MarkdownString, "markdown"],
    Annotated[CSVString, "csv"],
    Annotated[JSONString, "json"],
]:
    return HTMLString(HTML), MarkdownString(MARKDOWN), CSVString(CSV), JSONString(JSON_TEXT)


@step
def describe(html: HTMLString, csv: CSVString) -> Annotated[str, "kinds"]:
    return f"{type(html).__name__} {type(csv).__name__}"


@pipeline
def reporting():
    html, _, csv, _ = make_report()
    describe(html, csv)


def _viz_files(version: ArtifactVersionRead) -> list[tuple[VisualizationType, bytes]]:
    return [(ref.type, Path(version.uri, ref.path).read_bytes()) for ref in version.visualizations]


def test_each_type_is_stored_with_its_view_and_loads_back_as_itself() -> None:
    run = reporting()
    client = Client()

    for output, kind, text in (
        ("html", HTMLString, HTML),
        ("markdown", MarkdownString, MARKDOWN),
        ("csv", CSVString, CSV),
        ("json", JSONString, JSON_TEXT),
    ):
        value = client.get_step_output(run.id, "make_report", output)
        assert type(value) is kind
        assert value == text
    # The next step received the types too.
    assert client.get_step_output(run.id, "describe") == "HTMLString CSVString"

    html = client.get_artifact_version("html")
    assert _viz_files(html) == [(VisualizationType.HTML, HTML.encode())]
    assert html.data_type == "waypost.types.HTMLString"
    markdown = client.get_artifact_version("markdown")
    assert _viz_files(markdown) == [(VisualizationType.MARKDOWN, MARKDOWN.encode())]

    [(kind, body)] = _viz_files(client.get_artifact_version("csv"))
    assert kind == VisualizationType.TABLE
    table = json.loads(body)
    assert table["columns"] == [
        {"name": "name", "dtype": "str"},
        {"name": "count", "dtype": "int"},
        {"name": "score", "dtype": "float"},
    ]
    assert table["rows"] == [["alpha", 3, 0.5], ["beta, the second", 4, None], ["empty", None, 1.25]]
    assert table["total_rows"] == 3

    [(kind, body)] = _viz_files(client.get_artifact_version("json"))
    assert kind == VisualizationType.JSON
    assert json.loads(body) == {"accuracy": 0.93, "classes": ["cat", "dog"]}


def test_json_that_does_not_parse_is_shown_as_text_titled_with_the_error() -> None:
    @step
    def broken() -> JSONString:
        return JSONString('{"accuracy": 0.93,')

    @pipeline
    def p():
        broken()

    run = p()
    client = Client()
    version = client.get_artifact_version(client.get_step_run(run.id, "broken").outputs["output"])
    [(kind, body)] = _viz_files(version)
    assert kind == VisualizationType.TEXT
    assert body == b'{"accuracy": 0.93,'
    title = version.visualizations[0].title
    assert title.startswith("JSON (does not parse: Expecting ")
    assert title.endswith(" at line 1 column 19)")
    assert client.get_step_output(run.id, "broken") == '{"accuracy": 0.93,'


def test_a_long_csv_previews_its_first_rows_and_counts_them_all() -> None:
    body = "id,label\n" + "".join(f"{i},row {i}\n" for i in range(250))

    @step
    def big() -> CSVString:
        return CSVString(body)

    @pipeline
    def p():
        big()

    run = p()
    client = Client()
    version = client.get_artifact_version(client.get_step_run(run.id, "big").outputs["output"])
    [(kind, raw)] = _viz_files(version)
    table = json.loads(raw)
    assert kind == VisualizationType.TABLE
    assert len(table["rows"]) == 100
    assert table["rows"][0] == [0, "row 0"]
    assert table["total_rows"] == 250
    assert version.visualizations[0].meta["truncated"] is True


@pytest.mark.parametrize("kind", [HTMLString, MarkdownString, CSVString, JSONString])
def test_round_trip_through_a_memory_artifact_store(kind: type[str]) -> None:
    root = f"memory://compat-{uuid.uuid4().hex}"
    store = ArtifactStore(root)
    registry = MaterializerRegistry.with_builtins()
    value = kind("a,b\n1,2\n")
    try:
        version = save_artifact(store, value, name="out", version_id=uuid.uuid4(), registry=registry)
        loaded = load_artifact(
            store, uri=version.uri, materializer=version.materializer, data_type=version.data_type, registry=registry
        )
    finally:
        fsspec.filesystem("memory").rm(root, recursive=True)
    assert type(loaded) is kind
    assert loaded == value
    assert version.materializer == "waypost.artifacts.materializers.structured_strings.StructuredStringMaterializer"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def test_the_server_serves_each_view_as_the_dashboard_shows_it(live: LiveServer) -> None:
    reporting()
    client = Client()
    headers = {"Authorization": f"Bearer {live.api_key}"}

    def view(name: str) -> httpx.Response:
        version = client.get_artifact_version(name)
        response = httpx.get(f"{live.url}/api/v1/artifact-versions/{version.id}/visualizations/0", headers=headers)
        assert response.status_code == 200, response.text
        return response

    html = view("html")
    assert html.text == HTML
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-security-policy"] == "sandbox allow-scripts"  # the sandboxed frame
    markdown = view("markdown")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text == MARKDOWN
    table: Any = view("csv").json()
    assert [c["name"] for c in table["columns"]] == ["name", "count", "score"]
    assert view("json").json() == {"accuracy": 0.93, "classes": ["cat", "dog"]}
    loaded = client.get_step_output(client.list_pipeline_runs().items[0].id, "make_report", "html")
    assert type(loaded) is HTMLString
