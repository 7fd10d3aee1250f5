"""A run's page in a real browser: from the runs list to the DAG, the Timeline, a step's logs; deep links.

The first test runs the example pipeline (examples/iris_training.py, about 8 s here) and
checks what the dashboard draws against the pipeline's own structure.
"""

from __future__ import annotations

import importlib
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from e2e_support import (
    DAG_READY,
    LOG_READY,
    TIMELINE_READY,
    dag_artifacts,
    dag_edges,
    dag_node,
    dag_statuses,
    runs_table,
    screenshot,
    switch_view,
    timeline_row,
    timeline_steps,
)
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.exceptions import StepFailedError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# examples/iris_training.py, written out: each step's outputs, and which outputs each step reads.
IRIS_OUTPUTS = {
    "load_data": ["iris_dataset"],
    "profile_data": ["data_profile"],
    "split_data": ["X_train", "X_test", "y_train", "y_test"],
    "train_logistic_regression": ["logistic_regression"],
    "train_random_forest": ["random_forest"],
    "evaluate_logistic_regression": ["metrics", "confusion_matrix", "confusion", "classification_report"],
    "evaluate_random_forest": ["metrics", "confusion_matrix", "confusion", "classification_report"],
    "select_best_model": ["best_model"],
}
IRIS_READS = {
    "load_data": [],
    "profile_data": [("load_data", "iris_dataset")],
    "split_data": [("load_data", "iris_dataset")],
    "train_logistic_regression": [("split_data", "X_train"), ("split_data", "y_train")],
    "train_random_forest": [("split_data", "X_train"), ("split_data", "y_train")],
    "evaluate_logistic_regression": [
        ("train_logistic_regression", "logistic_regression"),
        ("split_data", "X_test"),
        ("split_data", "y_test"),
    ],
    "evaluate_random_forest": [
        ("train_random_forest", "random_forest"),
        ("split_data", "X_test"),
        ("split_data", "y_test"),
    ],
    "select_best_model": [
        ("train_logistic_regression", "logistic_regression"),
        ("evaluate_logistic_regression", "metrics"),
        ("train_random_forest", "random_forest"),
        ("evaluate_random_forest", "metrics"),
    ],
}


def _run_iris() -> Any:
    # Imported here, not at module level: collecting the suite should not load scikit-learn.
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module("iris_training").iris_training()


def _query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def _artifact(step_name: str, output: str) -> str:
    return f"artifact:{step_name}/{output}"


# -- small pipelines of known shape -----------------------------------------------------------------
@step
def count_to(n: int) -> int:
    for i in range(n):
        print(f"counting line {i} of {n}")
    return n


@step
def prepare_labels() -> list[int]:
    return [0, 1, 2]


@step
def check_labels(labels: list[int]) -> int:
    raise ValueError(f"the labels file has {len(labels)} columns, expected 4")


@step
def report(n: int) -> int:
    return n


@step
def tick(x: int) -> int:
    return x


@step
def nap(x: int, seconds: float) -> int:
    time.sleep(seconds)  # the step's own work: it sets which branch is the critical path
    return x


@step
def join(a: int, b: int) -> int:
    return a + b


@pipeline(enable_cache=False)
def e2e_branches() -> None:
    root = tick(0)
    join(nap(root, seconds=0.8, id="slow"), nap(root, seconds=0.0, id="fast"))


@pipeline(enable_cache=False)
def e2e_chatty(n: int = 300) -> None:
    count_to(n)


@pipeline(enable_cache=False)
def e2e_bad_labels() -> None:
    report(check_labels(prepare_labels()))


@pipeline(enable_cache=False)
def e2e_wide(width: int = 101) -> None:
    root = tick(0)
    for _ in range(width - 1):
        tick(root)


# -- the tests ----------------------------------------------------------------------------------
def test_the_example_run_from_the_runs_list_to_a_step_s_log_search(page: Page, live: LiveServer) -> None:
    run = _run_iris()
    page.goto(f"{live.url}/runs")
    link = runs_table(page).get_by_role("link", name=run.name)
    expect(link).to_be_visible()
    screenshot(page, "runs-example-run")
    link.click()
    expect(page).to_have_url(re.compile(rf"/runs/{run.id}(\?|$)"))
    expect(page.get_by_test_id("run-name")).to_have_text(run.name)

    # The DAG: one node per step invocation, all completed; step -> artifact -> step edges.
    expect(page.locator(DAG_READY)).to_be_visible()
    # It opens on its start at a readable zoom (only what is on screen is drawn): fit it to count.
    page.get_by_role("button", name="fit view").click()
    expect(page.locator('[data-testid="dag-node"]')).to_have_count(len(IRIS_OUTPUTS))
    assert dag_statuses(page) == dict.fromkeys(IRIS_OUTPUTS, "completed")
    edges = dag_edges(page)
    reads = {(_artifact(*src), consumer) for consumer, sources in IRIS_READS.items() for src in sources}
    produced = {(src[0], _artifact(*src)) for sources in IRIS_READS.values() for src in sources}
    every_output = {(s, _artifact(s, o)) for s, outs in IRIS_OUTPUTS.items() for o in outs}
    assert {e for e in edges if e[0].startswith("artifact:")} == reads, "artifact -> step edges"
    step_edges = {e for e in edges if not e[0].startswith("artifact:")}
    assert produced <= step_edges <= every_output, "step -> artifact edges: each output read, only real outputs"
    assert {target for _, target in step_edges} <= dag_artifacts(page), "an edge ends at an artifact node not drawn"
    screenshot(page, "run-dag")

    # Select a step in the DAG, switch to the Timeline: the selection stays.
    dag_node(page, "evaluate_logistic_regression").click()
    expect(page).to_have_url(re.compile(r"[?&]step=evaluate_logistic_regression(&|$)"))
    expect(page.get_by_test_id("step-panel")).to_be_visible()
    switch_view(page, "Timeline")
    expect(page.locator(TIMELINE_READY)).to_be_visible()
    assert _query(page).get("view") == "timeline"
    assert _query(page).get("step") == "evaluate_logistic_regression", "switching views dropped the selection"
    expect(page.get_by_test_id("step-panel")).to_be_visible()
    assert timeline_steps(page) == set(IRIS_OUTPUTS)
    for name in IRIS_OUTPUTS:
        expect(timeline_row(page, name)).to_have_attribute("data-status", "completed")
    screenshot(page, "run-timeline")

    # Clicking a bar selects its step; back in the DAG it is still the one selected.
    timeline_row(page, "train_random_forest").click()
    expect(page).to_have_url(re.compile(r"[?&]step=train_random_forest(&|$)"))
    switch_view(page, "DAG")
    expect(page.locator(DAG_READY)).to_be_visible()
    assert _query(page).get("step") == "train_random_forest"

    # A step's logs, searched on the server for a word the step printed.
    dag_node(page, "evaluate_logistic_regression").click()
    panel = page.get_by_test_id("step-panel")
    panel.get_by_role("tab", name="Logs").click()
    expect(page).to_have_url(re.compile(r"[?&]tab=logs(&|$)"))
    expect(page.locator(LOG_READY)).to_be_visible()
    expect(page.get_by_test_id("log-line").filter(has_text="accuracy=").first).to_be_visible()
    page.get_by_label("Search logs").fill("f1_score")
    page.get_by_label("Search logs").press("Enter")
    expect(page.get_by_test_id("log-hits")).to_contain_text("1")
    expect(page.get_by_test_id("log-line").filter(has_text="f1_score").first).to_be_visible()
    screenshot(page, "step-logs")


def test_the_back_button_walks_back_through_selections_and_pages(page: Page, live: LiveServer) -> None:
    ok = e2e_chatty(n=3)
    page.goto(f"{live.url}/runs")
    runs_table(page).get_by_role("link", name=ok.name).click()
    expect(page.locator(DAG_READY)).to_be_visible()
    dag_node(page, "count_to").click()
    expect(page).to_have_url(re.compile(r"[?&]step=count_to(&|$)"))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"[?&]step="))
    expect(page).to_have_url(re.compile(rf"/runs/{ok.id}(\?|$)"))
    expect(page.get_by_test_id("step-panel")).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/runs$"))
    expect(runs_table(page).get_by_role("link", name=ok.name)).to_be_visible()
    page.go_forward()
    expect(page.get_by_test_id("run-name")).to_have_text(ok.name)


def test_a_failed_run_opens_on_its_failing_step_with_the_traceback(page: Page, live: LiveServer) -> None:
    with pytest.raises(StepFailedError):
        e2e_bad_labels()
    failed = next(r for r in live.store.runs.list().items if r.pipeline_name == "e2e_bad_labels")
    page.goto(f"{live.url}/runs")
    runs_table(page).get_by_role("link", name=failed.name).click()
    expect(page).to_have_url(re.compile(r"[?&]step=check_labels(&|$)"))
    expect(dag_node(page, "check_labels")).to_have_attribute("data-status", "failed")
    expect(dag_node(page, "prepare_labels")).to_have_attribute("data-status", "completed")
    panel = page.get_by_test_id("step-panel")
    expect(panel.get_by_text("the labels file has 3 columns, expected 4").first).to_be_visible()
    expect(panel.get_by_text("Traceback (most recent call last)").first).to_be_visible()
    screenshot(page, "failed-step")


def test_a_deep_link_to_a_log_line_lands_on_it_after_a_reload(page: Page, live: LiveServer) -> None:
    run = e2e_chatty(n=300)
    url = f"{live.url}/runs/{run.id}?step=count_to&tab=logs&line=250"
    page.goto(url)
    page.reload()
    expect(page.get_by_test_id("step-panel")).to_be_visible()
    expect(page.get_by_role("tab", name="Logs")).to_have_attribute("aria-selected", "true")
    expect(page.locator(LOG_READY)).to_be_visible()
    line = page.locator('[data-testid="log-line"][data-line="250"]')
    expect(line).to_contain_text("counting line 250 of 300")
    expect(line).to_be_in_viewport()
    screenshot(page, "log-line-deep-link")
    # The run's name works in the URL too.
    page.goto(f"{live.url}/runs/{run.name}?step=count_to&tab=logs&line=5")
    expect(page.locator('[data-testid="log-line"][data-line="5"]')).to_be_in_viewport()


def test_a_deep_link_to_a_step_reads_the_run_and_its_graph_once(page: Page, live: LiveServer) -> None:
    # early.js asks for the run and its graph while the app's code loads, and the app takes those answers
    # (or, when its code came first from the browser's cache, early.js leaves the reads to it); the step's
    # panel shares the page's graph instead of reading it again (5 MB at 10,000 steps).
    run = e2e_chatty(n=20)
    # A page of an earlier test may still listen to the live events: the server reports the run's last
    # changes at its next poll (every 0.5 s), which rightly refreshes a graph on screen. Let them pass.
    time.sleep(1.5)
    reads: list[str] = []
    page.on("request", lambda r: reads.append(urlsplit(r.url).path) if "/api/v1/runs/" in r.url else None)
    page.goto(f"{live.url}/runs/{run.id}?step=count_to&tab=logs")
    expect(page.locator(LOG_READY)).to_be_visible()
    expect(page.get_by_test_id("run-name")).to_have_text(run.name)
    page.wait_for_load_state("networkidle")
    assert reads.count(f"/api/v1/runs/{run.id}/graph") == 1, "\n".join(reads)
    assert reads.count(f"/api/v1/runs/{run.id}") == 1, reads


def test_log_search_runs_over_the_whole_log_not_only_the_lines_loaded(page: Page, live: LiveServer) -> None:
    run = e2e_chatty(n=5000)
    page.goto(f"{live.url}/runs/{run.id}?step=count_to&tab=logs")
    expect(page.locator(LOG_READY)).to_be_visible()
    expect(page.locator('[data-testid="log-line"][data-line="0"]')).to_be_visible()
    expect(page.locator('[data-testid="log-line"][data-line="4917"]')).to_have_count(0)  # far below the view
    page.get_by_label("Search logs").fill("counting line 4917 of")
    expect(page.get_by_test_id("log-hits")).to_contain_text("1")
    page.get_by_role("button", name="Next match").click()
    expect(page).to_have_url(re.compile(r"[?&]line=4917(&|$)"))
    hit = page.locator('[data-testid="log-line"][data-line="4917"]')
    expect(hit).to_be_in_viewport()
    expect(hit).to_contain_text("counting line 4917 of 5000")
    screenshot(page, "step-log-search")


def test_a_run_of_more_than_100_steps_opens_in_the_timeline(page: Page, live: LiveServer) -> None:
    wide = e2e_wide(width=101)
    narrow = e2e_wide(width=100)
    page.goto(f"{live.url}/runs/{wide.id}")
    expect(page.locator(TIMELINE_READY)).to_be_visible()
    expect(page.locator('[data-testid="timeline-row"]').first).to_be_visible()
    expect(page.get_by_test_id("dag")).to_have_count(0)
    screenshot(page, "run-timeline-101-steps")
    page.goto(f"{live.url}/runs/{narrow.id}")
    expect(page.locator(DAG_READY)).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_have_count(0)
    # The 99 calls fanned out from the first one fold into one group node.
    group = page.locator('[data-testid="dag-group"][data-step-name="tick"]')
    expect(group).to_have_attribute("data-count", "99")
    screenshot(page, "run-dag-folded")


def test_the_timeline_marks_the_critical_path(page: Page, live: LiveServer) -> None:
    run = e2e_branches()
    page.goto(f"{live.url}/runs/{run.id}?view=timeline")
    expect(page.locator(TIMELINE_READY)).to_be_visible()
    for name in ("tick", "slow", "join"):
        expect(timeline_row(page, name)).to_have_attribute("data-critical", "true")
    expect(timeline_row(page, "fast")).not_to_have_attribute("data-critical", "true")
    screenshot(page, "run-timeline-critical-path")


def test_an_unknown_run_says_so_and_leads_back_to_the_runs(page: Page, live: LiveServer) -> None:
    for missing in ("00000000-0000-4000-8000-000000000000", "no-such-run"):
        page.goto(f"{live.url}/runs/{missing}?step=anything&tab=logs")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(re.compile(r"no such run|not found|does not exist", re.IGNORECASE))
    screenshot(page, "run-unknown")
    page.get_by_role("alert").get_by_role("link", name=re.compile("runs", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/runs$"))


def test_the_pipelines_list_and_a_pipeline_s_page(page: Page, live: LiveServer) -> None:
    run = e2e_chatty(n=2)
    page.goto(f"{live.url}/pipelines")
    link = page.get_by_role("link", name="e2e_chatty", exact=True)
    expect(link).to_be_visible()
    screenshot(page, "pipelines")
    link.click()
    expect(page).to_have_url(re.compile(r"/pipelines/e2e_chatty$"))
    expect(page.get_by_role("link", name=run.name)).to_be_visible()
    screenshot(page, "pipeline")
