"""`waypost.metadata.metadata_types`, as ZenML's: each marker type is recorded as its own metadata type."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path as LocalPath

import pytest
from pydantic import BaseModel

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import MetadataType
from waypost.execution import runtime
from waypost.metadata.metadata_types import DType, Path, StorageSize, Uri
from waypost.store.rest import RestStore


@step
def describe_data() -> int:
    log_metadata(
        metadata={
            "source": Uri("s3://bucket/raw/2024-06.parquet"),
            "checkpoint": Path("/models/ckpt-12"),
            "label_dtype": DType("int64"),
            "dataset_size": StorageSize(52_428_800),
            "rows": 1200,
            "name": "june",
        }
    )
    return 1


@pipeline
def describing():
    describe_data()


EXPECTED = {
    "source": ("s3://bucket/raw/2024-06.parquet", MetadataType.URI),
    "checkpoint": ("/models/ckpt-12", MetadataType.PATH),
    "label_dtype": ("int64", MetadataType.DTYPE),
    "dataset_size": (52_428_800, MetadataType.STORAGE_SIZE),
    "rows": (1200, MetadataType.INT),  # plain values keep their types
    "name": ("june", MetadataType.STRING),
}


def _recorded(client: Client, run_id: object) -> dict[str, tuple[object, MetadataType]]:
    return {m.key: (m.value, m.type) for m in client.get_metadata(str(run_id), "describe_data")}


def test_each_marker_type_is_recorded_as_its_metadata_type_and_filters_find_it() -> None:
    run = describing()
    client = Client()
    assert _recorded(client, run.id) == EXPECTED
    # A storage size is a number (bytes), the others text: the run list filters find them as such.
    ids = {r.id for r in client.list_pipeline_runs(query="metadata.dataset_size>50000000").items}
    assert ids == {run.id}
    assert client.list_pipeline_runs(query="metadata.dataset_size<1000").items == []
    assert {r.id for r in client.list_pipeline_runs(query="metadata.source~bucket/raw").items} == {run.id}
    assert {r.id for r in client.list_pipeline_runs(query="metadata.label_dtype:int64").items} == {run.id}


@pytest.fixture
def live(tmp_path: LocalPath, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def test_a_run_against_a_server_records_the_same_types(live: LiveServer) -> None:
    run = describing()
    client = Client()
    assert isinstance(client.store, RestStore)
    assert _recorded(client, run.id) == EXPECTED


def test_they_are_plain_strings_and_ints_elsewhere() -> None:
    assert Uri("s3://a/b") == "s3://a/b"
    assert Path("/a").startswith("/")
    assert StorageSize(1024) * 2 == 2048
    assert isinstance(DType("float64"), str)

    class Card(BaseModel):
        location: Uri
        size: StorageSize

    card = Card(location="s3://bucket/model", size=10)  # type: ignore[arg-type]
    assert type(card.location) is Uri
    assert type(card.size) is StorageSize
    assert card.model_dump() == {"location": "s3://bucket/model", "size": 10}


def test_importing_them_loads_no_pydantic() -> None:
    code = "import sys, waypost.metadata.metadata_types; print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
