"""A running pipeline's steps change status on the open run page, without a reload.

The pipeline runs in a thread of the test process; two of its steps wait on flag files the
test creates, so the test decides when each finishes, and waits only through Playwright's
expect timeouts.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from e2e_support import DAG_READY, TIMELINE_READY, dag_node, runs_table, screenshot, switch_view, timeline_row
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import get_step_context, pipeline, step

GATE_TIMEOUT_S = 90.0
LIVE_TIMEOUT_MS = 20_000
"""How long a status change may take to reach the page (live updates, or the polling fallback)."""

_started: dict[str, threading.Event] = {}
_runs: dict[str, tuple[str, str]] = {}
"""flag -> (run id, run name) of the run whose gate waits on it."""


@step
def begin() -> int:
    return 1


@step
def gate(x: int, flag: str) -> int:
    """Wait until ``flag`` exists (tells the test it started, and which run it belongs to)."""
    run = get_step_context().pipeline_run
    _runs[flag] = (str(run.id), run.name)
    _started.setdefault(flag, threading.Event()).set()
    deadline = time.monotonic() + GATE_TIMEOUT_S
    while not Path(flag).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{flag} was not created within {GATE_TIMEOUT_S:.0f} s")
        time.sleep(0.05)
    return x + 1


@step
def finish(x: int) -> int:
    return x


@pipeline(enable_cache=False)
def e2e_live_one(flag: str) -> None:
    finish(gate(begin(), flag=flag))


@pipeline(enable_cache=False)
def e2e_live(first: str, second: str) -> None:
    x = gate(begin(), flag=first, id="first_gate")
    finish(gate(x, flag=second, id="second_gate"))


def _in_background(target: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``target`` in a thread; the dict gets its "run" or its "error"."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["run"] = target()
        except BaseException as exc:  # reported by the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="e2e-live-pipeline", daemon=True)
    worker.start()
    return worker, outcome


def test_the_runs_list_shows_a_run_finish_without_a_reload(page: Page, live: LiveServer, tmp_path: Path) -> None:
    flag = str(tmp_path / "go.flag")
    _started[flag] = threading.Event()
    worker, outcome = _in_background(lambda: e2e_live_one(flag=flag))
    try:
        assert _started[flag].wait(60), f"the gate never started: {outcome.get('error')!r}"
        _, name = _runs[flag]
        page.goto(f"{live.url}/runs")
        row = runs_table(page).locator("tbody tr").filter(has=page.get_by_role("link", name=name))
        expect(row).to_contain_text("running")
        page.evaluate("() => { window.__sameDocument = true; }")
        Path(flag).touch()
        expect(row).to_contain_text("completed", timeout=LIVE_TIMEOUT_MS)
        assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
        screenshot(page, "live-runs-list")
    finally:
        Path(flag).touch()
        worker.join(60)
    assert "error" not in outcome, outcome.get("error")


def test_a_running_pipeline_s_steps_change_status_without_a_reload(
    page: Page, live: LiveServer, tmp_path: Path
) -> None:
    first, second = str(tmp_path / "first.flag"), str(tmp_path / "second.flag")
    for flag in (first, second):
        _started[flag] = threading.Event()
    worker, outcome = _in_background(lambda: e2e_live(first=first, second=second))
    try:
        assert _started[first].wait(60), f"the first gate never started: {outcome.get('error')!r}"
        run_id, _ = _runs[first]
        page.goto(f"{live.url}/runs")
        runs_table(page).locator(f'a[href$="/runs/{run_id}"]').click()
        expect(page).to_have_url(re.compile(rf"/runs/{run_id}(\?|$)"))
        expect(page.locator(DAG_READY)).to_be_visible()
        expect(dag_node(page, "begin")).to_have_attribute("data-status", "completed")
        expect(dag_node(page, "first_gate")).to_have_attribute("data-status", "running")
        expect(dag_node(page, "finish")).to_have_attribute("data-status", "pending")
        page.evaluate("() => { window.__sameDocument = true; }")  # a reload would forget it
        screenshot(page, "live-running")

        Path(first).touch()
        expect(dag_node(page, "first_gate")).to_have_attribute("data-status", "completed", timeout=LIVE_TIMEOUT_MS)
        expect(dag_node(page, "second_gate")).to_have_attribute("data-status", "running", timeout=LIVE_TIMEOUT_MS)

        # The Timeline follows too.
        switch_view(page, "Timeline")
        expect(page.locator(TIMELINE_READY)).to_be_visible()
        expect(timeline_row(page, "second_gate")).to_have_attribute("data-status", "running")
        Path(second).touch()
        expect(timeline_row(page, "second_gate")).to_have_attribute("data-status", "completed", timeout=LIVE_TIMEOUT_MS)
        expect(timeline_row(page, "finish")).to_have_attribute("data-status", "completed", timeout=LIVE_TIMEOUT_MS)
        assert page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
        screenshot(page, "live-finished")
    finally:
        Path(first).touch()
        Path(second).touch()
        worker.join(60)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["run"].status == "completed"
