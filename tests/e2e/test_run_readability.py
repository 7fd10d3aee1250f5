"""The run page read as a data scientist would: a big DAG at a readable size, the step panel beside
the selected node (never over it), skipped and cached steps said as they happened, tracebacks that
wrap, and a sub-second run's Timeline across the whole chart.

Measured on screen in Chromium: the title's computed font size times the DAG's zoom, element boxes,
scroll widths, and the Timeline canvas's own pixels.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from e2e_support import DAG_READY, TIMELINE_READY, dag_node, screenshot, timeline_row
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.exceptions import StepFailedError

# The default 10 s wait for a laid-out DAG ran out once here with the shared 2-core machine loaded
# (load average ~9): laying out 400 nodes gets more room.
LAYOUT_TIMEOUT_MS = 30_000

# A token with no break opportunity: a path, a hash, a repr of a long value.
LONG_TOKEN = "/data/features/" + "x" * 300 + ".parquet"


@step
def rd_link(x: int) -> int:
    return x + 1


@step
def rd_explode(x: int, where: str) -> int:
    raise ValueError(f"could not read {where}: the file has 3 columns, expected 4")


@step
def rd_source() -> list[int]:
    return [1, 2, 3]


@step
def rd_total(values: list[int]) -> int:
    print(f"summing {len(values)} values")
    return sum(values)


@step(enable_cache=False)
def rd_always(total: int) -> int:
    return total


@pipeline(enable_cache=False)
def rd_chain(n: int = 200, fail_at: int = -1) -> None:
    x = rd_link(0, id="s000")
    for i in range(1, n):
        x = rd_explode(x, where=LONG_TOKEN, id=f"s{i:03d}") if i == fail_at else rd_link(x, id=f"s{i:03d}")


@pipeline(enable_cache=True)
def rd_cached() -> None:
    rd_always(rd_total(rd_source()))


# -- measurements in the page ----------------------------------------------------------------------
def _title_px(page: Page) -> float:
    """The smallest on-screen size of the step titles drawn: computed font size times the DAG's zoom."""
    px: float = page.evaluate(
        """() => {
            const vp = document.querySelector('[data-testid="dag"] .react-flow__viewport');
            const zoom = new DOMMatrixReadOnly(getComputedStyle(vp).transform).a;
            const sizes = [...document.querySelectorAll('[data-testid="dag-node"] .dag-name')]
                .map((e) => parseFloat(getComputedStyle(e).fontSize) * zoom);
            return sizes.length ? Math.min(...sizes) : 0;
        }"""
    )
    return px


def _box(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on the page"
    return box


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def _intersects(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _node_clear_of_panel(page: Page, name: str) -> None:
    """Wait (the DAG pans over 200 ms) until the node is inside the DAG's pane, then check it."""
    page.wait_for_function(
        """(name) => {
            const n = document.querySelector(`[data-testid="dag-node"][data-step="${name}"]`);
            const pane = document.querySelector('[data-testid="dag"]');
            if (!n || !pane) return false;
            const a = n.getBoundingClientRect(), b = pane.getBoundingClientRect();
            return a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
        }""",
        arg=name,
        timeout=5_000,
    )
    node = _box(page, f'[data-testid="dag-node"][data-step="{name}"]')
    panel = _box(page, '[data-testid="step-panel"]')
    assert not _intersects(node, panel), f"the step panel {panel} covers the selected node {node}"
    assert _inside(node, _box(page, '[data-testid="dag"]'))


def _no_horizontal_overflow(page: Page, selector: str) -> None:
    widths: list[int] = page.locator(selector).first.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1], f"{selector} overflows sideways: scrollWidth {widths[0]} > clientWidth {widths[1]}"


# -- the tests ----------------------------------------------------------------------------------
def test_a_200_step_dag_opens_readable_on_its_start_and_the_panel_never_covers_the_selection(
    page: Page, live: LiveServer
) -> None:
    run = rd_chain(n=200)
    page.goto(f"{live.url}/runs/{run.id}?view=dag")
    expect(page.locator(DAG_READY)).to_be_visible(timeout=LAYOUT_TIMEOUT_MS)
    assert _title_px(page) >= 11
    # It opens on its start: the first step is on screen.
    assert _inside(_box(page, '[data-testid="dag-node"][data-step="s000"]'), _box(page, '[data-testid="dag"]'))
    # No sentence repeated on every node (the cache's reason is said once, in the step panel).
    texts: list[str] = page.locator('[data-testid="dag-node"]').evaluate_all("els => els.map(e => e.textContent)")
    assert texts
    assert not any(re.search(r"earlier run|cache|ran:", t, re.IGNORECASE) for t in texts), texts[:3]
    screenshot(page, "readability-dag-200-default")

    # The right-most node drawn in full: opening the panel narrows the DAG and would cut it off.
    names: list[str] = page.evaluate(
        """() => {
            const pane = document.querySelector('[data-testid="dag"]').getBoundingClientRect();
            return [...document.querySelectorAll('[data-testid="dag-node"]')]
                .map((e) => [e.dataset.step, e.getBoundingClientRect()])
                .filter(([, r]) => r.left >= pane.left && r.right <= pane.right - 40
                    && r.top >= pane.top && r.bottom <= pane.bottom)
                .sort((a, b) => b[1].right - a[1].right)
                .map(([name]) => name);
        }"""
    )
    assert names, "no step node is drawn in full"
    dag_node(page, names[0]).click()
    expect(page.get_by_test_id("step-panel")).to_be_visible()
    _node_clear_of_panel(page, names[0])
    assert _title_px(page) >= 11
    screenshot(page, "readability-dag-200-panel")


def test_a_failed_run_opens_on_its_failing_step_readable_with_its_traceback_wrapped_and_skips_neutral(
    page: Page, live: LiveServer
) -> None:
    with pytest.raises(StepFailedError):
        rd_chain(n=200, fail_at=120)
    failed = next(r for r in live.store.runs.list().items if r.pipeline_name == "rd_chain")
    page.goto(f"{live.url}/runs/{failed.id}?view=dag")
    expect(page).to_have_url(re.compile(r"[?&]step=s120(&|$)"))
    expect(page.locator(DAG_READY)).to_be_visible(timeout=LAYOUT_TIMEOUT_MS)
    expect(dag_node(page, "s120")).to_have_attribute("data-status", "failed")
    assert _title_px(page) >= 11
    _node_clear_of_panel(page, "s120")
    panel = page.get_by_test_id("step-panel")
    expect(panel.get_by_test_id("step-error")).to_be_visible()
    expect(panel.get_by_test_id("step-traceback")).to_contain_text("Traceback (most recent call last)")
    _no_horizontal_overflow(page, '[data-testid="step-traceback"]')
    _no_horizontal_overflow(page, '[data-testid="step-error"]')
    _no_horizontal_overflow(page, '[data-testid="step-panel"] [role="tabpanel"]')
    # Its parameter is the long path: the parameters table wraps it; no cell spills into the next.
    expect(panel.get_by_role("table", name="Parameters")).to_contain_text(LONG_TOKEN[:40])
    spilled: list[str] = panel.locator("td, th").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 40))"
    )
    assert spilled == [], f"table cells overflow into their neighbours: {spilled}"
    screenshot(page, "readability-failed-step")

    # The step after it was skipped: said plainly, no red box, no error styling on its node.
    dag_node(page, "s121").click()
    expect(page).to_have_url(re.compile(r"[?&]step=s121(&|$)"))
    expect(dag_node(page, "s121")).to_have_attribute("data-status", "skipped")
    expect(dag_node(page, "s121").locator(".dag-error")).to_have_count(0)
    notice = panel.get_by_test_id("step-not-run")
    expect(notice).to_contain_text("Skipped because upstream step s120 failed")
    expect(panel.get_by_test_id("step-error")).to_have_count(0)
    expect(panel.get_by_role("alert")).to_have_count(0)
    colour: str = notice.evaluate("e => getComputedStyle(e).backgroundColor")
    red, green, blue = (int(c) for c in re.findall(r"\d+", colour)[:3])
    assert not (red > green + 40 and red > blue + 40), f"the skip notice is drawn red ({colour})"
    expect(panel.get_by_test_id("cache-state")).to_have_attribute("data-kind", "not-checked")
    # Nothing of the call was recorded: no "Parameters (0)" claiming it had none.
    expect(panel.get_by_test_id("step-not-recorded")).to_be_visible()
    expect(panel.get_by_text(re.compile(r"^Parameters \(0\)$"))).to_have_count(0)
    _node_clear_of_panel(page, "s121")
    screenshot(page, "readability-skipped-step")
    panel.get_by_role("tab", name="Logs").click()
    expect(panel.get_by_test_id("log-skipped")).to_contain_text("skipped and never ran")


def _timeline_bar_span(page: Page) -> float:
    """The fraction of the Timeline canvas's width that its bars (saturated pixels below the axis) cover."""
    frac: float = page.evaluate(
        """() => {
            const c = document.querySelector('[data-testid="timeline"] canvas');
            const ctx = c.getContext('2d');
            const top = Math.round(28 * (window.devicePixelRatio || 1));
            const data = ctx.getImageData(0, top, c.width, c.height - top).data;
            let lo = Infinity, hi = -Infinity;
            for (let i = 0; i < data.length; i += 4) {
                const r = data[i], g = data[i + 1], b = data[i + 2], a = data[i + 3];
                if (a < 200 || Math.max(r, g, b) - Math.min(r, g, b) < 80) continue;
                const x = (i / 4) % c.width;
                if (x < lo) lo = x;
                if (x > hi) hi = x;
            }
            return hi < lo ? 0 : (hi - lo + 1) / c.width;
        }"""
    )
    return frac


def test_a_sub_second_run_s_timeline_spreads_over_the_chart_and_filters_by_name_and_status(
    page: Page, live: LiveServer
) -> None:
    run = rd_chain(n=4)
    graph: dict[str, Any] = page.request.get(f"{live.url}/api/v1/runs/{run.id}/graph").json()
    assert len(graph["steps"]) == 4
    page.goto(f"{live.url}/runs/{run.id}?view=timeline")
    expect(page.locator(TIMELINE_READY)).to_be_visible()
    span = run.ended_at - run.started_at if run.ended_at and run.started_at else None
    assert span is not None
    assert span.total_seconds() < 1, f"the run took {span}: not a sub-second run"
    expect(timeline_row(page, "s003")).to_be_visible()
    page.wait_for_timeout(200)  # a frame for the canvas
    screenshot(page, "readability-timeline-sub-second")
    assert _timeline_bar_span(page) >= 0.8
    # The critical path is off until asked for: its switch is off and no row is marked.
    switch = page.get_by_test_id("critical-switch")
    expect(switch).not_to_be_checked()
    accent: list[str] = page.locator('[data-testid="timeline-row"]').evaluate_all(
        "els => els.map(e => e.style.boxShadow)"
    )
    assert not any(accent), accent

    # Search by name, then by status chip.
    page.get_by_label("Find steps by name").fill("s00")
    expect(page.locator('[data-testid="timeline-row"]')).to_have_count(4)
    page.get_by_label("Find steps by name").fill("s002")
    expect(page.locator('[data-testid="timeline-row"]')).to_have_count(1)
    expect(page.get_by_test_id("timeline-shown")).to_have_text("1 of 4 shown")
    page.get_by_label("Find steps by name").fill("")
    completed = page.locator('[data-testid="timeline-chip"][data-chip="completed"]')
    expect(completed).to_contain_text("4 completed")
    completed.click()
    # Every step completed: the chip is on, and all four rows stay.
    expect(completed).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("timeline-shown")).to_have_text("4 of 4 shown")
    expect(page.locator('[data-testid="timeline-row"]')).to_have_count(4)
    completed.click()
    expect(page.get_by_test_id("timeline-shown")).to_have_count(0)
    switch.check(force=True)
    expect(timeline_row(page, "s003")).to_have_attribute("data-critical", "true")


def test_cached_and_cache_disabled_steps_are_reported_as_they_ran(page: Page, live: LiveServer) -> None:
    first = rd_cached()
    second = rd_cached()
    page.goto(f"{live.url}/runs/{second.id}?view=dag&step=rd_total")
    expect(page.locator(DAG_READY)).to_be_visible(timeout=LAYOUT_TIMEOUT_MS)
    panel = page.get_by_test_id("step-panel")
    cached_from = panel.get_by_test_id("cached-from")
    expect(cached_from).to_contain_text(f"Cached from run {first.name}, step rd_total")
    expect(cached_from.get_by_role("link", name=first.name)).to_have_attribute("href", re.compile(str(first.id)))
    # Its input is the version the original run read, made by the original run's step.
    inputs = panel.get_by_test_id("step-inputs")
    expect(inputs.get_by_test_id("artifact-link").first).to_contain_text("v1")
    expect(inputs).to_contain_text("from rd_source of an earlier run")
    screenshot(page, "readability-cached-step")

    # Its log is the original run's, and the tab says so.
    page.get_by_role("tab", name="Logs").click()
    notice = panel.get_by_test_id("cached-log-notice")
    expect(notice).to_contain_text(f"of run {first.name}")
    expect(notice.get_by_role("link", name="rd_total")).to_have_attribute("href", re.compile(f"{first.id}.*tab=logs"))
    expect(panel.locator('[data-testid="log-line"]').first).to_contain_text("summing 3 values")
    screenshot(page, "readability-cached-step-log")

    # A step with caching off says so; it is no "cache miss".
    page.goto(f"{live.url}/runs/{second.id}?view=dag&step=rd_always")
    state = page.get_by_test_id("step-panel").get_by_test_id("cache-state")
    expect(state).to_have_attribute("data-kind", "disabled")
    expect(state).to_contain_text("Caching is disabled for this step")
    expect(page.get_by_test_id("step-panel")).not_to_contain_text("miss")
