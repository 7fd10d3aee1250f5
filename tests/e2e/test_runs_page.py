"""The runs page in a real browser: a run made by a pipeline shows up, filters live in the URL."""

from __future__ import annotations

import pytest
from e2e_support import screenshot
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.exceptions import StepFailedError


@step
def make_number() -> int:
    return 41


@step
def add_one(x: int) -> int:
    if x < 0:
        raise ValueError("negative input")
    return x + 1


@pipeline
def e2e_numbers(start: int = 41) -> None:
    add_one(make_number())


@pipeline
def e2e_failing() -> None:
    add_one(-1)


def test_a_run_appears_on_the_runs_page(page: Page, live: LiveServer) -> None:
    run = e2e_numbers()
    page.goto(f"{live.url}/runs")
    expect(page.get_by_text(run.name)).to_be_visible()
    expect(page.get_by_text("completed", exact=False).first).to_be_visible()
    screenshot(page, "runs")


def test_the_filter_is_kept_in_the_url_and_a_bad_one_is_explained(page: Page, live: LiveServer) -> None:
    ok = e2e_numbers()
    with pytest.raises(StepFailedError):
        e2e_failing()
    page.goto(f"{live.url}/runs?q=status%3Afailed")
    expect(page.get_by_text("e2e_failing-", exact=False)).to_be_visible()
    expect(page.get_by_text(ok.name)).to_have_count(0)
    screenshot(page, "runs-filtered")
    page.goto(f"{live.url}/runs?q=status%3Anope")
    expect(page.get_by_text("Unknown status 'nope'", exact=False)).to_be_visible()
    screenshot(page, "runs-bad-filter")
