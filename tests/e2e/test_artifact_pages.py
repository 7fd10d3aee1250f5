"""Artifacts in a real browser: the list, an artifact's page and versions, and lineage across runs.

Three pipelines share their first steps, whose outputs carry names the user chose (Annotated),
so the step cache chains them across runs: the third run's `summarize` reads the second run's
`tidied` output, which was made from the first run's `raw_readings`. (Unnamed outputs of
different pipelines are separate artifacts and never share a cache hit.) Tracing the last
artifact back must reach the first run's.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from e2e_support import screenshot
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import pipeline, step

LINEAGE_READY = '[data-testid="lineage"][data-state="ready"]'


@step
def raw_readings(scale: int = 1) -> Annotated[list[int], "readings"]:
    return [5 * scale, 3 * scale, 8 * scale, 1 * scale]


@step
def tidied(values: list[int]) -> Annotated[list[int], "tidy_readings"]:
    return sorted(values)


@step
def summarize(values: list[int]) -> dict[str, int]:
    return {"n": len(values), "max": max(values)}


@pipeline
def collect(scale: int = 1) -> None:
    raw_readings(scale=scale)


@pipeline
def clean() -> None:
    tidied(raw_readings())


@pipeline
def summary() -> None:
    summarize(tidied(raw_readings()))


RAW = "readings"
TIDY = "tidy_readings"
FINAL = "summary::summarize::output"


def _api(page: Page, live: LiveServer, path: str) -> Any:
    """GET an API route with the page's session (the test sees what the dashboard sees)."""
    response = page.request.get(f"{live.url}/api/v1/{path}")
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def _lineage_nodes(page: Page) -> dict[str, str]:
    """Every lineage node drawn: id -> kind."""
    pairs: list[list[str]] = page.locator('[data-testid="lineage-node"]').evaluate_all(
        "els => els.map(e => [e.dataset.id, e.dataset.kind])"
    )
    return {pair[0]: pair[1] for pair in pairs}


def test_list_to_artifact_page_to_version_to_producer(page: Page, live: LiveServer) -> None:
    first = collect(scale=1)
    second = collect(scale=2)  # a new parameter: a second version of the same artifact

    page.goto(f"{live.url}/artifacts")
    table = page.get_by_test_id("artifacts-table")
    expect(table).to_be_visible()
    row = page.get_by_test_id("artifact-row").filter(has_text=RAW)
    expect(row).to_contain_text("v2")
    expect(row).to_contain_text("builtins.list")
    expect(row).to_contain_text("collect")
    screenshot(page, "artifacts-list")

    # The filter language goes to the server and into the URL.
    box = page.get_by_role("textbox", name="Filter artifacts")
    box.fill("name~nothing_like_this")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=name"))
    expect(page.get_by_text("No artifacts match this filter.")).to_be_visible()
    page.get_by_role("button", name="Clear the filter").click()
    expect(row).to_be_visible()

    row.get_by_role("link", name=RAW).click()
    root = page.get_by_test_id("artifact-page")
    expect(root).to_be_visible()
    expect(root).to_have_attribute("data-version", "2")
    expect(page.get_by_test_id("producer-run")).to_have_text(second.name)
    screenshot(page, "artifact-page")

    page.get_by_role("tab", name=re.compile("Versions")).click()
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    screenshot(page, "artifact-versions")
    page.get_by_test_id("version-row").filter(has=page.get_by_role("link", name="v1", exact=True)).get_by_role(
        "link", name="v1", exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"[?&]version=1(&|$)"))
    page.get_by_role("tab", name="Overview").click()
    expect(root).to_have_attribute("data-version", "1")
    expect(page.get_by_test_id("producer-run")).to_have_text(first.name)
    v1 = _api(page, live, f"artifact-versions/{RAW}:1")
    expect(page.get_by_test_id("content-hash")).to_have_text(v1["content_hash"])

    # The producing step opens in its run.
    producer = page.get_by_test_id("producer-step")
    expect(producer).to_have_text("raw_readings")
    producer.click()
    expect(page).to_have_url(re.compile(rf"/runs/{first.id}\?.*step=raw_readings"))
    expect(page.get_by_test_id("step-panel")).to_be_visible()


def test_unknown_artifact_says_so_with_a_way_back(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/artifacts/no_such_artifact")
    missing = page.get_by_test_id("artifact-missing")
    expect(missing).to_contain_text("No such artifact")
    missing.get_by_role("link", name="Back to the artifacts").click()
    expect(page).to_have_url(re.compile(r"/artifacts$"))


def test_lineage_over_three_chained_runs_traces_back_to_the_first(page: Page, live: LiveServer) -> None:
    collect()
    clean()
    last = summary()
    raw = _api(page, live, f"artifact-versions/{RAW}")
    tidy = _api(page, live, f"artifact-versions/{TIDY}")
    final = _api(page, live, f"artifact-versions/{FINAL}")

    # From the run's output in the step panel: Trace back.
    page.goto(f"{live.url}/runs/{last.id}?step=summarize&tab=artifacts")
    outputs = page.get_by_test_id("step-outputs")
    expect(outputs.get_by_test_id("artifact-link")).to_have_text(f"{FINAL} v1")
    outputs.get_by_test_id("trace-back-link").click()
    expect(page).to_have_url(re.compile(r"tab=lineage"))
    expect(page).to_have_url(re.compile(r"[?&]down=0(&|$)"))
    lineage = page.locator(LINEAGE_READY)
    expect(lineage).to_be_visible(timeout=20_000)
    nodes = _lineage_nodes(page)
    assert nodes.get(final["id"]) == "artifact"
    assert nodes.get(tidy["id"]) == "artifact"
    assert nodes.get(raw["id"]) == "artifact", "trace back did not reach the first run's artifact"
    assert raw["producer_run_id"] != final["producer_run_id"]
    expect(page.get_by_test_id("lineage-summary")).to_contain_text("across 3 runs")
    root_node = page.locator(f'[data-testid="lineage-node"][data-id="{final["id"]}"]')
    expect(root_node).to_have_attribute("data-root", "true")
    screenshot(page, "artifact-lineage")

    # Downstream from the first artifact: a hop is one step, so one hop reaches the step that
    # read it and what that step wrote, not the last run's summary.
    page.goto(f"{live.url}/artifacts/{RAW}?tab=lineage&up=0&down=1")
    expect(page.locator(LINEAGE_READY)).to_be_visible(timeout=20_000)
    nodes = _lineage_nodes(page)
    assert nodes.get(raw["id"]) == "artifact"
    assert nodes.get(tidy["id"]) == "artifact"
    assert final["id"] not in nodes

    # An artifact node opens that artifact at that version.
    page.locator(f'[data-testid="lineage-node"][data-id="{tidy["id"]}"]').click()
    expect(page).to_have_url(re.compile(r"/artifacts/tidy_readings\?version=1"))
    expect(page.get_by_test_id("artifact-page")).to_have_attribute("data-artifact", TIDY)
