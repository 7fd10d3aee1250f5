"""``waypost runs stop`` against a local store: one line on success, one red line when there is nothing to stop."""

from __future__ import annotations

import getpass

import pytest
from cli_support import assert_one_line_error, invoke

from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.testing.factories import make_run, make_step_run, start_step


def test_stop_by_name_stops_the_run_and_its_running_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_EXECUTION__HEARTBEAT_INTERVAL_S", "2")
    store = Client().store
    run = make_run(store, name="nightly-train")
    make_step_run(store, run, "load")
    start_step(store, run, "train")

    result = invoke("runs", "stop", "nightly-train", "--reason", "wrong data set")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Stopped run nightly-train; its launcher stops its steps within a heartbeat (2 s)."
    ]
    got = store.runs.get(run.id)
    assert got.status == ExecutionStatus.STOPPED
    assert got.status_reason == f"Stopped by {getpass.getuser()}: wrong data set"
    assert {s.name: s.status for s in store.steps.list(run.id)} == {
        "load": ExecutionStatus.COMPLETED,
        "train": ExecutionStatus.STOPPED,
    }
    assert store.runs.heartbeat(run.id) is False


def test_stop_by_id_without_a_reason() -> None:
    store = Client().store
    run = make_run(store, status=ExecutionStatus.INITIALIZING)
    result = invoke("runs", "stop", str(run.id))
    assert result.exit_code == 0, result.output
    assert f"Stopped run {run.name};" in result.stdout
    assert "(5 s)" in result.stdout  # the default heartbeat interval
    assert store.runs.get(run.id).status_reason == f"Stopped by {getpass.getuser()}"


def test_a_run_that_ended_is_a_one_line_error() -> None:
    store = Client().store
    done = make_run(store, name="finished-run", status=ExecutionStatus.COMPLETED)
    assert_one_line_error(
        invoke("runs", "stop", "finished-run"),
        "Run 'finished-run' already ended (completed); there is nothing to stop.",
    )
    assert store.runs.get(done.id).status == ExecutionStatus.COMPLETED

    twice = make_run(store, name="stopped-run")
    assert invoke("runs", "stop", "stopped-run").exit_code == 0
    assert_one_line_error(invoke("runs", "stop", str(twice.id)), "already ended (stopped)")


def test_bad_targets_and_reasons_are_one_line_errors() -> None:
    store = Client().store
    run = make_run(store, name="still-going")
    assert_one_line_error(invoke("runs", "stop", "no-such-run"), "no-such-run", "waypost runs list")
    assert_one_line_error(invoke("runs", "stop", "still-going", "--reason", "x" * 501), "500")
    assert store.runs.get(run.id).status == ExecutionStatus.RUNNING
