"""Stopping a running pipeline from its run page: the dialog, the run stopped with the reason, the
launching process ending its run at its next heartbeat.

The local orchestrator runs steps as threads of the launching process, which cannot be killed: the
running step's call ends, its outputs are dropped and it is recorded stopped; later steps never start.
(The dask orchestrator cancels its tasks instead: tests/execution/test_dask_failures.py.)"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from e2e_support import screenshot
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import RunStoppedError


@step
def first() -> int:
    return 1


@step
def long_wait(x: int, flag: str) -> int:
    """Writes ``flag`` (it runs now), then waits a while."""
    Path(flag).write_text("running")
    time.sleep(6)
    return x


@step
def never(x: int) -> int:
    return x


@pipeline(enable_cache=False)
def stoppable(flag: str) -> None:
    never(long_wait(first(), flag=flag))


def test_stop_a_running_run_from_its_page(
    page: Page, live: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYPOST_EXECUTION__HEARTBEAT_INTERVAL_S", "0.3")
    flag = tmp_path / "running"
    ended: dict[str, object] = {}

    def launch() -> None:
        try:
            stoppable(str(flag))
        except RunStoppedError as exc:
            ended["error"] = str(exc)
        ended["at"] = time.monotonic()

    thread = threading.Thread(target=launch, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert time.monotonic() < deadline, "the step never started"
        time.sleep(0.05)
    run = Client().list_pipeline_runs().items[0]

    page.goto(f"{live.url}/runs/{run.id}")
    stop = page.get_by_role("button", name="Stop run")
    expect(stop).to_be_visible()
    stop.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Stop run {run.name}?")
    dialog.get_by_label("Reason (optional)").fill("the input data was wrong")
    screenshot(page, "stop-run-dialog")
    dialog.get_by_role("button", name="Stop run").click()
    asked = time.monotonic()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Stopped by admin: the input data was wrong").first).to_be_visible()
    expect(page.get_by_role("button", name="Stop run")).to_have_count(0)
    screenshot(page, "stop-run-stopped")

    thread.join(timeout=30)
    assert not thread.is_alive()
    assert float(ended["at"]) - asked < 8  # type: ignore[arg-type]  # once the running call returned
    assert ended["error"] == (
        f"Run '{run.name}' was stopped (Stopped by admin: the input data was wrong); the finished steps are recorded."
    )
    final = Client().get_pipeline_run(run.id)
    assert final.status == ExecutionStatus.STOPPED
    steps = {s.name: s.status for s in Client().list_step_runs(run.id)}
    assert steps == {
        "first": ExecutionStatus.COMPLETED,
        "long_wait": ExecutionStatus.STOPPED,
        "never": ExecutionStatus.SKIPPED,  # its upstream step was stopped
    }
    assert Client().get_step_run(run.id, "never").started_at is None
