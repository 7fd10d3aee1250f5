"""Artifacts in a real browser: the visualization first, pipeline/type filters, HTML in dark mode.

Two pipelines have the same step and output names without Annotated names: their outputs
are two artifacts (one per pipeline), which the list's pipeline filter tells apart.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Annotated, Any

import pandas as pd
import pytest
from e2e_support import screenshot
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from live_server import LiveServer
from waypost import pipeline, step

VIZ_TIMEOUT = 20_000
# A document that declares it can be dark, with no background or colors of its own: drawn
# on a white iframe background (as before) its light text vanished in dark mode.
DARK_CAPABLE = (
    '<!doctype html><html><head><meta name="color-scheme" content="light dark"></head>'
    "<body><h1>Drift report</h1><p>Both color schemes declared.</p></body></html>"
)
PLAIN = "<!doctype html><html><body><h1>Plain report</h1><p>No colors of its own.</p></body></html>"


@step
def load() -> pd.DataFrame:
    return pd.DataFrame({"city": ["Oslo", "Lima", "Pune"], "rain_mm": [76.1, 0.8, 72.4]})


@step
def report() -> tuple[Annotated[str, "dark_capable_report"], Annotated[str, "plain_report"]]:
    return DARK_CAPABLE, PLAIN


@pipeline
def weather() -> None:
    load()


@pipeline
def climate() -> None:
    load()


@pipeline
def reports() -> None:
    report()


def _login(browser: Browser, live: LiveServer, scheme: str) -> tuple[Any, Page]:
    admin = next(u for u in live.store.users.list() if u.name == "admin")
    token = live.store.auth.create_login_token(admin.id)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"{live.url}/login?token={token}")
    return context, page


@pytest.fixture
def dark_page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    """A logged-in page whose browser prefers dark (the dashboard follows the system)."""
    context, page = _login(browser, live, "dark")
    yield page
    context.close()


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_visualization_comes_before_the_facts(page: Page, live: LiveServer) -> None:
    weather()
    page.goto(f"{live.url}/artifacts/weather::load::output")
    viz = page.get_by_test_id("primary-visualization")
    details = page.get_by_test_id("artifact-details")
    expect(viz.locator('[data-testid="viz"]')).to_have_attribute("data-state", "ready", timeout=VIZ_TIMEOUT)
    expect(details).to_be_visible()
    viz_box, details_box = viz.bounding_box(), details.bounding_box()
    assert viz_box is not None
    assert details_box is not None
    assert viz_box["y"] + viz_box["height"] <= details_box["y"], (viz_box, details_box)
    assert viz_box["y"] < 400, "the visualization should be near the top of the page"
    expect(details).to_contain_text("pandas.core.frame.DataFrame")  # the facts are still all there
    expect(page.get_by_test_id("content-hash")).to_be_visible()
    screenshot(page, "artifact-page-viz-first")


def test_same_named_outputs_of_two_pipelines_are_two_artifacts_filtered_by_pipeline_and_type(
    page: Page, live: LiveServer
) -> None:
    weather()
    climate()
    reports()
    page.goto(f"{live.url}/artifacts")
    rows = page.get_by_test_id("artifact-row")
    expect(rows).to_have_count(4)
    expect(rows.filter(has_text="weather::load::output")).to_have_count(1)
    expect(rows.filter(has_text="climate::load::output")).to_have_count(1)

    # The quick pipeline select writes pipeline:NAME into the query (and the URL).
    page.get_by_test_id("quick-filter-pipeline").click()
    page.get_by_role("option", name="climate", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]q=pipeline(%3A|:)climate"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("climate::load::output")
    expect(page.get_by_role("textbox", name="Filter artifacts")).to_have_value("pipeline:climate")

    # The box completes types from the server; a class name matches its full dotted name.
    box = page.get_by_role("textbox", name="Filter artifacts")
    box.fill("type:Data")
    expect(page.get_by_role("option", name="type:pandas.core.frame.DataFrame")).to_be_visible()
    box.fill("type:DataFrame")
    box.press("Escape")
    box.press("Enter")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("quick-filter-type")).to_have_value("DataFrame")
    box.fill("type:str")
    box.press("Escape")
    box.press("Enter")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="report")).to_have_count(2)
    screenshot(page, "artifacts-list-filtered")

    box.fill("type>3")
    box.press("Escape")
    box.press("Enter")
    expect(page.get_by_text("compares numbers and times, not 'type'")).to_be_visible()


def test_html_views_follow_dark_mode(dark_page: Page, live: LiveServer) -> None:
    page = dark_page
    reports()
    weather()
    page.goto(f"{live.url}/artifacts")
    expect(page.get_by_test_id("artifacts-table")).to_be_visible()
    screenshot(page, "artifacts-list-dark")

    page.goto(f"{live.url}/artifacts/dark_capable_report")
    viz = page.get_by_test_id("primary-visualization").locator('[data-testid="viz"]')
    expect(viz).to_have_attribute("data-state", "ready", timeout=VIZ_TIMEOUT)
    frame_box = page.get_by_test_id("viz-html-frame")
    iframe = page.get_by_test_id("viz-iframe")
    expect(iframe).to_have_attribute("data-color-scheme", "dark")
    # The frame around the document has the dark surface, not white.
    assert _luminance(frame_box.evaluate("e => getComputedStyle(e).backgroundColor")) < 80
    # The dark-capable document is drawn dark, its text light: readable.
    heading = page.frame_locator('[data-testid="viz-iframe"]').get_by_role("heading")
    expect(heading).to_have_text("Drift report")
    text = heading.evaluate("e => getComputedStyle(e).color")
    assert _luminance(text) > 180, text
    shot = iframe.screenshot()
    assert _dark_pixels(shot) > 0.8, "the dark-capable report should be drawn on the dark surface"
    screenshot(page, "artifact-html-dark")

    # A document that says nothing about colors keeps its own white page and black text.
    page.goto(f"{live.url}/artifacts/plain_report")
    expect(page.get_by_test_id("primary-visualization").locator('[data-testid="viz"]')).to_have_attribute(
        "data-state", "ready", timeout=VIZ_TIMEOUT
    )
    plain = page.frame_locator('[data-testid="viz-iframe"]').get_by_role("heading")
    expect(plain).to_have_text("Plain report")
    assert _luminance(plain.evaluate("e => getComputedStyle(e).color")) < 60
    assert _dark_pixels(page.get_by_test_id("viz-iframe").screenshot()) < 0.2, "its page should be white"
    assert _luminance(page.get_by_test_id("viz-html-frame").evaluate("e => getComputedStyle(e).backgroundColor")) < 80
    screenshot(page, "artifact-html-plain-dark")

    page.goto(f"{live.url}/artifacts/weather::load::output")
    expect(page.get_by_test_id("primary-visualization").locator('[data-testid="viz"]')).to_have_attribute(
        "data-state", "ready", timeout=VIZ_TIMEOUT
    )
    screenshot(page, "artifact-page-dark")


def _dark_pixels(png: bytes) -> float:
    """The share of pixels darker than mid-grey in a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return sum(histogram[:128]) / max(1, sum(histogram))
