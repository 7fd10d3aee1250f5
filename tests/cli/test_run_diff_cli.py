"""``waypost runs diff A B``: the steps that differ with their cache outcomes and why, --code, --json, locally and
against a server (``Client.diff_runs`` and ``last_successful_run`` over HTTP); bad input is one red line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import assert_one_line_error, invoke

from live_server import LiveServer
from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import NotFoundError, StepFailedError
from waypost.execution import runtime
from waypost.settings import write_config


@step
def numbers(n: int = 3) -> list[int]:
    return list(range(n))


def _double(factor: int) -> Any:
    if factor == 2:

        @step
        def scale(xs: list[int]) -> list[int]:
            return [x * 2 for x in xs]
    else:

        @step
        def scale(xs: list[int]) -> list[int]:
            return [x * 3 for x in xs]

    return scale


scale_by_2, scale_by_3 = _double(2), _double(3)


@step
def total(xs: list[int], fail: bool = False) -> int:
    if fail:
        raise RuntimeError("no total today")
    return sum(xs)


@pipeline(name="diff_cli")
def first() -> None:
    total(scale_by_2(numbers()))


@pipeline(name="diff_cli")
def second(fail: bool = False) -> None:
    total(scale_by_3(numbers()), fail=fail)


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _row(text: str, step_name: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(f"{step_name} "))


def test_the_steps_that_differ_and_why() -> None:
    a, b = first(), second()
    text = ok("runs", "diff", a.name, b.name)
    assert "0 added, 0 removed, 0 re-wired, 1 changed (1 with new code), 1 cache flip(s); 1 parameter" in text
    assert "executed → cached" in _row(text, "numbers")
    assert "The step's code changed." in _row(text, "scale")
    assert "Input 'xs' has different content" in _row(text, "total")
    assert "1 step(s) changed code (--code shows the diffs)." in text
    with_code = ok("runs", "diff", str(a.id), str(b.id), "--code")
    assert "-            return [x * 2 for x in xs]" in with_code
    assert "+            return [x * 3 for x in xs]" in with_code
    body = json.loads(ok("runs", "diff", a.name, b.name, "--json"))
    assert {s["name"]: s["change"] for s in body["steps"]} == {
        "numbers": "same",
        "scale": "changed",
        "total": "same",  # its parameter comes from the pipeline's, which has the same value
    }
    assert body["summary"]["cache_flips"] == 1
    assert body["parameters"] == [{"key": "fail", "before": None, "after": False}]


def test_unknown_runs_are_one_red_line() -> None:
    a = first()
    assert_one_line_error(invoke("runs", "diff", a.name, "no-such-run"), "No run 'no-such-run'", "waypost runs list")
    assert_one_line_error(invoke("runs", "diff", "nope", a.name), "No run 'nope'")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server(live: LiveServer) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    a, b = first(), second()
    with pytest.raises(StepFailedError):
        second(fail=True)
    failed = Client().list_pipeline_runs("diff_cli", size=1).items[0]
    assert failed.status.value == "failed"
    assert Client().last_successful_run(failed.name).id == b.id
    found = Client().diff_runs(b.id, failed.id)
    steps = {s.name: s for s in found.steps}
    assert steps["total"].parameters[0].key == "fail"
    assert (steps["total"].cache.after, steps["total"].cache.reason) == (
        "failed",
        "Parameter 'fail' changed (false -> true).",
    )
    assert "The step's code changed." in _row(ok("runs", "diff", a.name, b.name), "scale")
    with pytest.raises(NotFoundError, match="has no successful run of its pipeline before it"):
        Client().last_successful_run(a.id)
    assert_one_line_error(invoke("runs", "diff", a.name, "gone"), "No run 'gone'")
