"""``waypost artifacts`` and ``waypost logs`` over real runs."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from cli_support import Runs, assert_one_line_error, invoke

from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import NotFoundError


def test_artifacts_list_shows_names_versions_and_sizes(runs: Runs) -> None:
    result = invoke("artifacts", "list")
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("numbers"))
    assert "v2" in row
    assert "builtins.list" in row
    assert " B" in row
    assert "good::total::output" in result.stdout
    assert "(2 artifacts)" in result.stdout
    only = json.loads(invoke("artifacts", "list", "name:numbers", "--json").stdout)
    assert [a["name"] for a in only["items"]] == ["numbers"]


def test_artifacts_show_by_name_version_and_id(runs: Runs) -> None:
    latest = invoke("artifacts", "show", "numbers")
    assert latest.exit_code == 0, latest.output
    out = latest.stdout
    assert "numbers:2" in out
    assert "JsonMaterializer" in out
    assert f"run {runs.failed}" in out
    assert "step load" in out
    assert "Visualizations" in out
    assert "v1" in out  # the versions table lists both
    assert "v2" in out
    first = json.loads(invoke("artifacts", "show", "numbers:1", "--json").stdout)
    assert first["version"] == 1
    assert first["producer_run_id"] == str(Client().get_pipeline_run(runs.first).id)
    by_id = invoke("artifacts", "show", first["id"])
    assert "numbers:1" in by_id.stdout
    assert first["content_hash"] in by_id.stdout


def test_artifacts_show_takes_default_names_with_colons(runs: Runs) -> None:
    result = invoke("artifacts", "show", "good::total::output")
    assert result.exit_code == 0, result.output
    assert "good::total::output:1" in result.stdout
    assert "step total" in result.stdout


def test_artifacts_show_unknown_is_a_one_line_error(runs: Runs) -> None:
    assert_one_line_error(invoke("artifacts", "show", "nothing"), "nothing")
    assert_one_line_error(invoke("artifacts", "show", "numbers:9"), "numbers:9")


def test_logs_print_stdout_stderr_and_logging(runs: Runs) -> None:
    result = invoke("logs", runs.first, "load")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "loading numbers",
        "careful: numbers are small",
        "WARNING  loader: only 4 numbers",
    ]


def test_logs_grep_finds_lines_with_their_numbers(runs: Runs) -> None:
    result = invoke("logs", runs.first, "load", "--grep", "CAREFUL")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["1: careful: numbers are small"]
    context = invoke("logs", runs.first, "load", "-g", "careful", "-C", "1")
    assert context.stdout.splitlines() == [
        "0- loading numbers",
        "1: careful: numbers are small",
        "2- WARNING  loader: only 4 numbers",
    ]
    none = invoke("logs", runs.first, "load", "--grep", "absent")
    assert none.exit_code == 0
    assert none.stdout == ""
    assert "No lines contain 'absent'." in none.stderr


def test_logs_tail_and_offset(runs: Runs) -> None:
    assert invoke("logs", runs.first, "load", "--tail", "1").stdout.splitlines() == ["WARNING  loader: only 4 numbers"]
    assert invoke("logs", runs.first, "load", "--offset", "1").stdout.splitlines() == [
        "careful: numbers are small",
        "WARNING  loader: only 4 numbers",
    ]
    numbered = invoke("logs", runs.first, "load", "--tail", "2", "--numbers")
    assert numbered.stdout.splitlines() == ["1: careful: numbers are small", "2: WARNING  loader: only 4 numbers"]


def test_logs_grep_context_marks_every_hit(runs: Runs) -> None:
    result = invoke("logs", runs.first, "load", "--grep", "numbers", "-C", "1")
    assert result.stdout.splitlines() == [
        "0: loading numbers",
        "1: careful: numbers are small",
        "2: WARNING  loader: only 4 numbers",
    ]


def test_logs_follow_of_a_finished_step_prints_and_ends(runs: Runs) -> None:
    result = invoke("logs", runs.first, "load", "-f")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_logs_errors_are_one_line(runs: Runs) -> None:
    assert_one_line_error(invoke("logs", "no-such-run", "load"), "no-such-run")
    assert_one_line_error(invoke("logs", runs.first, "no-such-step"), "no-such-step")
    assert_one_line_error(invoke("logs", runs.first, "load", "--tail", "-1"), "--tail")


release = threading.Event()


@step
def slow() -> int:
    log = logging.getLogger("slow")
    log.warning("before the wait")
    release.wait(10)
    log.warning("after the wait")
    return 1


@pipeline(run_name="slow-run")
def slow_pipeline() -> None:
    slow()


def test_logs_follow_streams_lines_until_the_step_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_EXECUTION__LOG_FLUSH_INTERVAL_S", "0.05")
    release.clear()
    runner = threading.Thread(target=slow_pipeline)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # wait until the first line is stored
            try:
                if Client().get_step_logs("slow-run", "slow"):
                    break
            except NotFoundError:
                pass
            time.sleep(0.05)
        threading.Timer(0.5, release.set).start()
        result = invoke("logs", "slow-run", "slow", "--follow")
    finally:
        release.set()
        runner.join(10)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["WARNING  slow: before the wait", "WARNING  slow: after the wait"]
