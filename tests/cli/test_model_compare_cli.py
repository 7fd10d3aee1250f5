"""``waypost model compare``: a column per version, differing rows marked, --diff-only, --json, locally and
against a server; bad input is one red line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import assert_one_line_error, invoke

from live_server import LiveServer
from waypost import Model, pipeline, step
from waypost.client import Client
from waypost.execution import runtime
from waypost.settings import write_config
from waypost.testing.factories import make_metadata


@step
def fit(lr: float = 0.1) -> int:
    return int(lr * 100)


@pipeline(model=Model(name="iris"), enable_cache=False)
def train_iris(lr: float = 0.1) -> None:
    fit(lr=lr)


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def iris() -> None:
    """Versions 1-3 of iris: lr 0.1, 0.1, 0.01; accuracy 0.8, 0.9, 0.85; the same note on each."""
    for lr in (0.1, 0.1, 0.01):
        train_iris(lr=lr)
    store = Client().store
    for number, accuracy in ((1, 0.8), (2, 0.9), (3, 0.85)):
        version = store.models.get_version("iris", str(number))
        make_metadata(store, model_version_id=version.id, accuracy=accuracy, note="same")


def _line(text: str, start: str) -> list[str]:
    return next(line.split() for line in text.splitlines() if line.strip().startswith(start))


def test_a_column_per_version_with_the_best_marked(iris: None) -> None:
    text = ok("model", "compare", "iris", "1", "2", "3")
    assert _line(text, "#1")[:3] == ["#1", "#2", "#3"]
    assert _line(text, "accuracy") == ["accuracy", "0.8", "0.9", "★", "0.85"]
    assert _line(text, "note") == ["note", "same", "same", "same"]
    assert _line(text, "fit.lr") == ["fit.lr", "0.1", "0.1", "0.01"]
    assert _line(text, "train_iris::fit::output")[1:2] == ["v1"]  # the artifact each version's run made
    only = ok("model", "compare", "iris", "1", "2", "3", "--diff-only")
    assert "accuracy" in only
    assert "note" not in only
    body = json.loads(ok("model", "compare", "iris", "3", "1", "--json"))
    assert [v["number"] for v in body["versions"]] == [3, 1]
    accuracy = next(r for r in body["rows"] if r["key"] == "accuracy")
    assert (accuracy["values"], accuracy["best"]) == ([0.85, 0.8], 0)


def test_unknown_versions_are_left_out_and_too_few_is_one_red_line(iris: None) -> None:
    text = ok("model", "compare", "iris", "1", "7", "2")
    assert "Not found (left out): 7" in text
    assert_one_line_error(
        invoke("model", "compare", "iris", "1", "7"), "two or more versions", "waypost model versions"
    )
    assert_one_line_error(invoke("model", "compare", "nope", "1", "2"), "nope")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server(live: LiveServer) -> None:
    for accuracy in (0.7, 0.75):
        version = live.store.models.get_or_create_version("iris", None)
        make_metadata(live.store, model_version_id=version.id, accuracy=accuracy)
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    assert _line(ok("model", "compare", "iris", "1", "2"), "accuracy") == ["accuracy", "0.7", "0.75", "★"]
    found = Client().compare_model_versions("iris", [2, 1])
    assert [v.number for v in found.versions] == [2, 1]
    assert found.rows[0].best == 0
    assert_one_line_error(invoke("model", "compare", "iris", "1", "9"), "two or more versions")
