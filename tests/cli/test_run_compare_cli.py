"""``waypost runs compare``: a column per run (real runs, a cached one among them), the best marked, --differences-only,
--json, runs left out, locally and against a server; bad input is one red line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from cli_support import Runs, assert_one_line_error, invoke

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.client import Client
from waypost.execution import runtime
from waypost.settings import write_config
from waypost.testing.factories import make_metadata, make_run


@step
def fit(lr: float = 0.1) -> Annotated[int, "cmp_weights"]:
    log_metadata(metadata={"val_loss": round(1 - lr, 2), "note": "same"})
    return int(lr * 100)


@pipeline(enable_cache=False)
def train_cmp(lr: float = 0.1) -> None:
    fit(lr=lr)


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _line(text: str, start: str) -> list[str]:
    return next(line.split() for line in text.splitlines() if line.strip().startswith(start))


def test_a_column_per_run_with_the_best_marked() -> None:
    names = [train_cmp(lr=lr).name for lr in (0.1, 0.5, 0.1)]
    text = ok("runs", "compare", *names)
    assert _line(text, names[0])[:3] == names
    assert _line(text, "fit.val_loss") == ["fit.val_loss", "0.9", "0.5", "★", "0.9"]  # loss: lower is better
    assert _line(text, "fit.note") == ["fit.note", "same", "same", "same"]
    assert _line(text, "fit.lr") == ["fit.lr", "0.1", "0.5", "0.1"]
    assert _line(text, "fit.cmp_weights")[1:2] == ["cmp_weights"]
    only = ok("runs", "compare", *names, "--differences-only")
    assert "fit.val_loss" in only
    assert "fit.note" not in only
    assert _line(ok("runs", "compare", *names, "--higher", "val_loss"), "fit.val_loss")[1:3] == ["0.9", "★"]
    body = json.loads(ok("runs", "compare", names[2], names[0], "--json"))
    assert [r["name"] for r in body["runs"]] == [names[2], names[0]]
    outputs = next(r for r in body["rows"] if r["key"] == "fit.cmp_weights")
    assert (outputs["kind"], outputs["differs"]) == ("artifact", False)  # the same value: the same content hash


def test_a_cached_and_a_failed_run(runs: Runs) -> None:
    text = ok("runs", "compare", runs.first, runs.cached, runs.failed)
    assert _line(text, "load.cached") == ["load.cached", "False", "True", "False"]
    assert _line(text, "status")[1:] == ["completed", "completed", "failed"]
    assert _line(text, "total.status") == ["total.status", "completed", "cached", "—"]


def test_runs_left_out_and_bad_input_is_one_red_line(runs: Runs) -> None:
    text = ok("runs", "compare", runs.first, "nope", runs.failed)
    assert "Not found or not readable (left out): nope" in text
    assert "Only one run" in ok("runs", "compare", runs.first, "nope")
    assert_one_line_error(invoke("runs", "compare", "nope", "nada"), "No run to compare", "nope, nada")
    assert_one_line_error(invoke("runs", "compare", *[f"r{n}" for n in range(101)]), "101 runs", "at most 100")
    assert_one_line_error(invoke("runs", "compare", runs.first, "--lower", "x", "--higher", "x"), "'x'", "both")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server(live: LiveServer) -> None:
    made = [make_run(live.store, name=f"remote-{n}") for n in (1, 2)]
    for run, loss in zip(made, (0.4, 0.2), strict=True):
        make_metadata(live.store, run_id=run.id, loss=loss)
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    assert _line(ok("runs", "compare", "remote-1", "remote-2"), "loss") == ["loss", "0.4", "0.2", "★"]
    found = Client().compare_runs(["remote-2", str(made[0].id), "gone"], higher=["loss"])
    assert [r.name for r in found.runs] == ["remote-2", "remote-1"]
    assert found.missing == ["gone"]
    assert next(r for r in found.rows if r.key == "loss").best == 1
    assert_one_line_error(invoke("runs", "compare", *[f"r{n}" for n in range(101)]), "at most 100")
