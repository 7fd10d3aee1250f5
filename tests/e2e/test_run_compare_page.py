"""Comparing runs in a real browser, over real pipeline runs.

A sweep pipeline runs five times with different parameters; its training step logs accuracy and
loss and returns its loss curve (a numpy array, so the output has a chart visualization). In the
runs list four runs are ticked (a shift-click ticks a range), Compare opens /compare with a column
per run; Differences only hides the rows that are the same, the attribute filter keeps the rows
it names, a range brushed with the mouse on the accuracy axis of the parallel coordinates goes to
the URL and the table keeps the runs inside it; the CSV and JSON exports hold what is shown, and
the training output is drawn per run side by side, then overlaid on one chart.

The structural diff: a pipeline changed between a successful run and a failed one (a step added,
one removed, one re-wired, one's code changed by a function of the same name, a parameter
changed); the failed run's page opens the diff against the last successful run.

And the bad links: an unknown run is shown as missing while the rest are compared; one run asks
for another.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.exceptions import StepFailedError

np = pytest.importorskip("numpy")

#: The sweep: learning rate, epochs, optimizer. The loss falls as lr * epochs grows (1, 2, 4, 12, 24).
SWEEP = [(0.05, 20, "sgd"), (0.1, 20, "sgd"), (0.2, 20, "adam"), (0.4, 30, "adam"), (0.8, 30, "sgd")]


def _loss(lr: float, epochs: int) -> float:
    return round(1 / (1 + lr * epochs), 4)


def _accuracy(lr: float, epochs: int) -> float:
    return round(1 - _loss(lr, epochs) / 2, 4)


@step
def load_data(rows: int = 200) -> Any:
    return np.linspace(0.0, 1.0, rows)


@step
def fit(data: Any, lr: float, epochs: int, optimizer: str) -> Any:
    loss = _loss(lr, epochs)
    log_metadata({"accuracy": _accuracy(lr, epochs), "loss": loss, "dataset": "iris"})
    # The loss curve per epoch, ending at the logged loss: an array drawn as a line chart.
    return loss + (1 - loss) * np.exp(-np.arange(epochs, dtype=float) * lr) * (1 + 0.0 * float(data.mean()))


@pipeline(name="sweep", enable_cache=False)
def sweep(lr: float = 0.1, epochs: int = 20, optimizer: str = "sgd") -> None:
    fit(load_data(), lr=lr, epochs=epochs, optimizer=optimizer)


def _shot(page: Page, folder: Path, name: str) -> Path:
    """Screenshots in the light and the dark colour scheme, into the test's folder."""
    page.evaluate("() => window.scrollTo(0, 0)")  # the sticky header stays at the top of a full-page shot
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(150)  # Mantine follows the media query; ECharts redraws with the theme
        page.screenshot(path=str(folder / f"{name}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    return folder


def _shown_runs(page: Page) -> list[str]:
    names: list[str] = (
        page.get_by_test_id("compare-table")
        .get_by_test_id("compare-run")
        .evaluate_all("els => els.map(e => e.dataset.run)")
    )
    return names


def _row(page: Page, section: str, key: str) -> Locator:
    return page.locator(f'[data-testid="compare-row"][data-section="{section}"][data-key="{key}"]')


def _brush(page: Page) -> dict[str, Any]:
    raw = parse_qs(urlsplit(page.url).query).get("brush", [])
    assert raw, f"no brush in {page.url}"
    brush: dict[str, Any] = json.loads(raw[0])
    return brush


def test_select_compare_brush_and_export(page: Page, live: LiveServer, tmp_path: Path) -> None:
    runs = [sweep(lr=lr, epochs=epochs, optimizer=optimizer) for lr, epochs, optimizer in SWEEP]
    accuracy = {r.name: _accuracy(lr, epochs) for r, (lr, epochs, _) in zip(runs, SWEEP, strict=True)}
    lr_of = {r.name: lr for r, (lr, _, _) in zip(runs, SWEEP, strict=True)}

    # The runs list, newest first: tick the second row, shift-click the fourth (a range of three), then the first.
    page.goto(f"{live.url}/runs")
    for r in runs:
        expect(page.get_by_role("checkbox", name=f"Select run {r.name}")).to_be_visible()
    page.get_by_role("checkbox", name=f"Select run {runs[3].name}").click()
    page.get_by_role("checkbox", name=f"Select run {runs[1].name}").click(modifiers=["Shift"])
    expect(page.get_by_role("checkbox", name=f"Select run {runs[2].name}")).to_be_checked()
    expect(page.get_by_role("checkbox", name=f"Select run {runs[0].name}")).not_to_be_checked()
    page.get_by_role("checkbox", name=f"Select run {runs[4].name}").click()
    picked = {r.name for r in runs[1:]}
    button = page.get_by_test_id("compare-selected")
    expect(button).to_have_text("Compare 4")
    button.click()

    expect(page).to_have_url(re.compile(r"/compare\?runs="))
    table = page.get_by_test_id("compare-table")
    expect(table.get_by_test_id("compare-run")).to_have_count(4)
    assert set(_shown_runs(page)) == picked
    order = _shown_runs(page)  # the columns' order, the baseline first
    expect(page.get_by_role("heading", name="Compare 4 runs")).to_be_visible()
    lr_row = _row(page, "parameters", "lr")
    expect(lr_row).to_have_count(1)
    expect(lr_row).to_contain_text(str(lr_of[order[1]]))
    # Cells unlike the baseline's are marked; the best accuracy is starred.
    expect(lr_row.locator("[data-differs]")).to_have_count(3)
    best = max(picked, key=lambda n: accuracy[n])
    acc_row = _row(page, "metrics", "fit.accuracy")
    expect(acc_row.locator("[data-best]")).to_have_count(1)
    expect(acc_row.locator("[data-best]")).to_contain_text(str(accuracy[best]))
    same = _row(page, "parameters", "load_data.rows")
    expect(same).to_have_count(1)
    expect(_row(page, "run", "pipeline")).to_have_count(1)
    _shot(page, tmp_path, "compare")

    # Differences only: the rows every run shares go.
    switch = page.get_by_role("switch", name="Differences only")
    switch.check(force=True)  # Mantine draws the switch over its hidden input
    expect(switch).to_be_checked()
    expect(same).to_have_count(0)
    expect(_row(page, "run", "pipeline")).to_have_count(0)
    expect(lr_row).to_have_count(1)
    expect(page).to_have_url(re.compile(r"diff=true"))

    # Rows filtered by name.
    attribute_filter = page.get_by_label("Filter attributes")
    attribute_filter.fill("lr")
    rows = table.get_by_test_id("compare-row")
    expect(rows).to_have_count(2)
    keys = rows.evaluate_all("els => els.map(e => e.dataset.key)")
    assert sorted(keys) == ["fit.lr", "lr"]
    expect(page).to_have_url(re.compile(r"rq=lr"))
    attribute_filter.fill("")
    expect(acc_row).to_have_count(1)

    # Brush the upper part of the accuracy axis (the first axis: metrics come first) with the mouse.
    chart = page.get_by_test_id("parallel-coordinates")
    expect(chart.locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id("brush-summary")).to_have_text("Drag along an axis to brush a range")
    box = chart.bounding_box()
    assert box is not None
    x = box["x"] + 60  # the chart's left margin: the first axis
    top, bottom = box["y"] + 40, box["y"] + box["height"] - 24  # the axes' ends (the chart's top and bottom margins)
    page.mouse.move(x, top - 4)
    page.mouse.down()
    for i in range(1, 11):
        # Down to 90% of the axis: every run but the lowest accuracy (the axis's bottom) is inside.
        page.mouse.move(x, top - 4 + (bottom - top) * 0.9 * i / 10)
    page.mouse.up()
    expect(page.get_by_test_id("brush-summary")).to_have_text(re.compile(r"^\d of 4 runs inside 1 brush$"))
    expect(page).to_have_url(re.compile(r"brush="))
    brush = _brush(page)
    assert list(brush) == ["metrics:fit.accuracy"], brush
    ((low, high),) = brush["metrics:fit.accuracy"]
    inside = {n for n in picked if low <= accuracy[n] <= high}
    assert 0 < len(inside) < 4, (low, high, accuracy)
    summary = page.get_by_test_id("brush-summary")
    expect(summary).to_have_text(f"{len(inside)} of 4 runs inside 1 brush")
    # The table keeps the runs inside the brush (and the baseline, which every cell is compared with).
    expect(table.get_by_test_id("compare-run")).to_have_count(len(inside | {order[0]}))
    shown = _shown_runs(page)
    assert set(shown) == inside | {order[0]}, (shown, inside)
    _shot(page, tmp_path, "compare-brushed")

    # Exports hold the rows and runs shown.
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as csv_download:
        page.get_by_role("menuitem", name="CSV").click()
    csv_path = tmp_path / "export.csv"
    csv_download.value.save_as(csv_path)
    assert csv_download.value.suggested_filename == "compare-4-runs.csv"
    with csv_path.open(newline="", encoding="utf-8-sig") as f:
        table_rows = list(csv.reader(f))
    header, body = table_rows[0], table_rows[1:]
    assert header == ["section", "key", *shown, "differs_from_baseline", "best"]
    by_key = {(r[0], r[1]): r for r in body}
    assert ("parameters", "load_data.rows") not in by_key  # differences only
    acc = by_key[("metrics", "fit.accuracy")]
    assert [float(v) for v in acc[2 : 2 + len(shown)]] == [accuracy[n] for n in shown]
    assert acc[-2] == "yes"
    assert acc[-1] == best
    lrs = by_key[("parameters", "lr")]
    assert [float(v) for v in lrs[2 : 2 + len(shown)]] == [lr_of[n] for n in shown]

    page.get_by_role("button", name="Export").click()
    with page.expect_download() as json_download:
        page.get_by_role("menuitem", name="JSON").click()
    json_path = tmp_path / "export.json"
    json_download.value.save_as(json_path)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["baseline"] == order[0]
    assert [r["name"] for r in doc["runs"]] == shown
    assert {r["id"] for r in doc["runs"]} == {str(r.id) for r in runs if r.name in shown}
    rows_json = {(r["section"], r["key"]): r for r in doc["rows"]}
    assert rows_json[("metrics", "fit.accuracy")]["values"] == {n: accuracy[n] for n in shown}
    assert rows_json[("metrics", "fit.accuracy")]["best"] == best
    assert ("parameters", "load_data.rows") not in rows_json

    # The training output of each run shown, side by side: one chart per run; then all on one chart (the panel,
    # below a short table, is near enough to the view to load at once).
    across = page.get_by_test_id("artifacts-across")
    picker = across.get_by_label("Output side by side")
    expect(picker).to_have_value("fit.output")  # the first output by name
    picker.click()
    page.get_by_role("option", name="load_data.output").click()
    expect(page).to_have_url(re.compile(r"art=load_data.output"))
    expect(picker).to_have_value("load_data.output")
    picker.click()
    page.get_by_role("option", name="fit.output").click()
    expect(page).to_have_url(re.compile(r"art=fit.output"))
    sides = across.get_by_test_id("artifact-side")
    expect(sides).to_have_count(len(shown))
    charts = across.locator('[data-testid="viz"][data-type="chart"]')
    expect(charts).to_have_count(len(shown))
    for i in range(len(shown)):
        expect(charts.nth(i)).to_have_attribute("data-state", "ready", timeout=20_000)
        expect(sides.nth(i)).to_contain_text(shown[i])
    across.scroll_into_view_if_needed()
    _shot(page, tmp_path, "compare-artifacts")
    across.locator("label").filter(has_text="Overlaid").click()
    expect(sides).to_have_count(0)
    overlay = across.get_by_test_id("overlay-chart")
    expect(overlay.locator("canvas")).to_have_count(1)
    expect(across).to_contain_text(f"{len(shown)} runs on one pair of axes")
    expect(across.locator('[data-testid="viz"]')).to_have_count(0)
    _shot(page, tmp_path, "compare-overlaid")

    # The brush is cleared from the chart's summary: every run is back.
    page.get_by_role("button", name="Clear brushes").click()
    expect(table.get_by_test_id("compare-run")).to_have_count(4)
    expect(page).not_to_have_url(re.compile(r"brush="))


# -- the structural diff -----------------------------------------------------------------------------


@step
def load(n: int = 4) -> list[int]:
    return list(range(n))


def _clean_v1() -> Any:
    @step
    def clean(values: list[int]) -> list[int]:
        return [v for v in values if v > 0]

    return clean


def _clean_v2() -> Any:
    @step
    def clean(values: list[int]) -> list[int]:
        kept = [v for v in values if v > 0]
        return [v * 10 for v in kept]

    return clean


clean_v1, clean_v2 = _clean_v1(), _clean_v2()


@step
def train(values: list[int], lr: float = 0.1) -> float:
    return sum(values) * lr


@step
def report(x: object) -> str:
    return f"report of {x}"


@step
def audit() -> int:
    return 1


@step
def check(summary: str, fail: bool = False) -> int:
    if fail:
        raise ValueError(f"the check failed on {summary}")
    return 2


@pipeline(name="changing")
def first_version(lr: float = 0.1) -> None:
    data = load()
    cleaned = clean_v1(data)
    model = train(cleaned, lr=lr)
    report(model)
    audit()


@pipeline(name="changing")
def second_version(lr: float = 0.2, fail: bool = False) -> None:
    data = load()
    cleaned = clean_v2(data)  # the same step name, other code
    train(cleaned, lr=lr)  # another parameter
    summary = report(data)  # re-wired: from load, no longer from train
    check(summary, fail=fail)  # added, and it fails; audit is gone


def test_failed_run_compared_with_the_last_successful(page: Page, live: LiveServer, tmp_path: Path) -> None:
    good = first_version()
    with pytest.raises(StepFailedError):
        second_version(fail=True)
    failed = live.store.runs.list("pipeline:changing", size=1).items[0]
    assert failed.id != good.id
    assert failed.status == "failed"

    page.goto(f"{live.url}/runs/{failed.id}")
    button = page.get_by_test_id("compare-last-success")
    expect(button).to_have_attribute("href", re.compile(r"/compare/diff\?"))
    button.click()
    expect(page).to_have_url(re.compile(rf"/compare/diff\?.*before={good.id}"))
    expect(page).to_have_url(re.compile(rf"after={failed.id}"))

    graph = page.get_by_test_id("diff-graph")
    nodes = graph.get_by_test_id("diff-node")
    expect(nodes).to_have_count(6)
    changes = dict(nodes.evaluate_all("els => els.map(e => [e.dataset.step, e.dataset.change])"))
    assert changes == {
        "load": "same",
        "clean": "changed",
        "train": "changed",
        "report": "rewired",
        "check": "added",
        "audit": "removed",
    }
    edges = graph.get_by_test_id("diff-edge")
    expect(edges.first).to_be_attached()
    drawn = {
        tuple(e)
        for e in edges.evaluate_all("els => els.map(e => [e.dataset.source, e.dataset.target, e.dataset.state])")
    }
    assert ("load", "report", "added") in drawn, drawn
    assert ("report", "check", "added") in drawn, drawn
    assert ("train", "report", "removed") in drawn, drawn
    assert ("load", "clean", "kept") in drawn, drawn

    summary = page.get_by_test_id("diff-summary")
    expect(summary).to_contain_text("1 step added")
    expect(summary).to_contain_text("1 step removed")
    expect(summary).to_contain_text("1 step re-wired")
    expect(summary).to_contain_text("1 step with code changes")

    clean = page.locator('[data-testid="diff-step"][data-step="clean"]')
    code = clean.get_by_test_id("code-diff")
    expect(code).to_contain_text("--- clean (before)")
    expect(code.locator('[data-kind="add"]').filter(has_text="return [v * 10 for v in kept]")).to_have_count(1)
    expect(code.locator('[data-kind="del"]').filter(has_text="return [v for v in values if v > 0]")).to_have_count(1)
    expect(clean.get_by_test_id("diff-cache-reason")).to_have_text("The step's code changed.")

    trained = page.locator('[data-testid="diff-step"][data-step="train"]')
    expect(trained.get_by_test_id("diff-step-parameters").locator('[data-key="lr"]')).to_contain_text("0.1")
    expect(trained.get_by_test_id("diff-step-parameters").locator('[data-key="lr"]')).to_contain_text("0.2")
    # Its own code is the same: its parameter changed, and its input (clean's output) has other content.
    expect(trained.get_by_test_id("diff-cache-reason")).to_have_text(
        re.compile(r"^Parameter 'lr' changed \(0\.1 -> 0\.2\); input 'values' has different content \(")
    )
    expect(trained).not_to_contain_text("code changed")
    checked = page.locator('[data-testid="diff-step"][data-step="check"]')
    expect(checked.get_by_test_id("diff-cache")).to_have_text("cache: not run → failed")
    # load ran in the first run and was served from the cache in the failed one.
    loaded = page.locator('[data-testid="diff-step"][data-step="load"]')
    expect(loaded.get_by_test_id("diff-cache-reason")).to_contain_text(
        f"Why the cache differs: The after run reused the result of run '{good.name}'"
    )
    expect(page.locator('[data-testid="diff-step"][data-step="check"]')).to_have_attribute("data-change", "added")
    expect(page.get_by_test_id("diff-parameters").locator('[data-key="lr"]')).to_contain_text("0.2")
    _shot(page, tmp_path, "run-diff")


# -- bad links ---------------------------------------------------------------------------------------


def test_unknown_run_shown_missing_and_one_run_asks_for_another(page: Page, live: LiveServer) -> None:
    a = sweep(lr=0.1, epochs=5, optimizer="sgd")
    b = sweep(lr=0.3, epochs=5, optimizer="adam")
    unknown = str(uuid.uuid4())
    page.goto(f"{live.url}/compare?runs={a.id},{unknown},{b.id},no-such-run")
    missing = page.get_by_test_id("compare-missing")
    expect(missing).to_contain_text(unknown)
    expect(missing).to_contain_text("no-such-run")
    table = page.get_by_test_id("compare-table")
    expect(table.get_by_test_id("compare-run")).to_have_count(2)
    assert set(_shown_runs(page)) == {a.name, b.name}
    expect(_row(page, "parameters", "lr")).to_contain_text("0.3")

    page.goto(f"{live.url}/compare?runs={a.id}")
    expect(page.get_by_text("Pick at least two runs")).to_be_visible()
    expect(page.get_by_text("This link names one run only.", exact=False)).to_be_visible()
    expect(page.get_by_test_id("compare-table")).to_have_count(0)


def test_outputs_side_by_side_load_when_scrolled_to(page: Page, live: LiveServer) -> None:
    # Below a long table, the outputs of the runs (a dozen artifact reads and their visualizations) wait until the
    # user scrolls near them.
    a = sweep(lr=0.1, epochs=5, optimizer="sgd")
    b = sweep(lr=0.3, epochs=5, optimizer="adam")
    page.set_viewport_size({"width": 1280, "height": 420})
    page.goto(f"{live.url}/compare?runs={a.id},{b.id}")
    expect(page.get_by_test_id("compare-table").get_by_test_id("compare-run")).to_have_count(2)
    pending = page.get_by_test_id("artifacts-across-pending")
    expect(pending).to_have_count(1)
    page.wait_for_timeout(300)  # a frame or two: still not loaded while out of reach
    expect(page.get_by_test_id("artifacts-across")).to_have_count(0)
    pending.scroll_into_view_if_needed()
    expect(page.get_by_test_id("artifacts-across")).to_be_visible()
    expect(page.get_by_test_id("artifact-side")).to_have_count(2)
