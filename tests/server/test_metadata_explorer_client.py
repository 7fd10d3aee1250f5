"""``Client().list_metadata_keys`` and ``metadata_history`` on a local database and against a live server: the same
answers either way, from real pipeline runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.client import Client
from waypost.exceptions import FilterSyntaxError
from waypost.execution import runtime
from waypost.settings import write_config


@step
def fit(lr: float) -> float:
    log_metadata(metadata={"val_loss": 1 - lr, "val_note": f"lr={lr}"})
    return lr


@pipeline(enable_cache=False)
def client_explore(lr: float = 0.1) -> None:
    fit(lr)


def _check(client: Client) -> None:
    for lr in (0.1, 0.2, 0.4):
        client_explore(lr=lr)
    page = client.list_metadata_keys(prefix="VAL_", sort="key")
    assert [k.key for k in page.items] == ["val_loss", "val_note"]
    loss = page.items[0]
    assert (loss.count, loss.entities, loss.min, loss.max) == (3, {"step": 3}, pytest.approx(0.6), pytest.approx(0.9))
    assert [k.key for k in client.list_metadata_keys(contains="note").items] == ["val_note"]
    assert client.list_metadata_keys(entity="run", prefix="val").items == []
    assert client.list_metadata_keys(query="pipeline:nothing_like_it").items == []
    assert client.list_metadata_keys(query="pipeline:client_explore", size=1).total == 2
    with pytest.raises(FilterSyntaxError):
        client.list_metadata_keys(query="status:")
    history = client.metadata_history("val_loss", pipeline="client_explore")
    assert [p.number for p in history.points] == pytest.approx([0.9, 0.8, 0.6])
    assert history.truncated is False
    assert client.metadata_history("val_loss", pipeline="other").points == []


def test_on_a_local_database() -> None:
    _check(Client())


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server(live: LiveServer) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    _check(Client())
