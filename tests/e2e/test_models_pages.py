"""Models in a real browser: a pipeline with ``model=Model(name="iris_classifier")`` run three times registers
three versions with metrics; the models list shows the model, its page shows the versions with a column per
metric and a chart, version 2 is promoted to production from its stage menu, version 3 then replaces it
(the dialog confirms the replacement), and the History tab lists both; the model card is written and
rendered as Markdown."""

from __future__ import annotations

import re

from e2e_support import screenshot
from playwright.sync_api import Locator, Page, expect

from live_server import LiveServer
from waypost import Model, get_step_context, log_metadata, pipeline, step

#: Per run: accuracy and f1 (version 2 is the best).
SCORES = [(0.81, 0.78), (0.94, 0.92), (0.9, 0.87)]


@step
def train(lr: float) -> float:
    return lr * 10


@step
def evaluate(weights: float, accuracy: float, f1: float) -> float:
    model = get_step_context().model
    assert model is not None
    model.log_metadata({"accuracy": accuracy, "f1_score": f1})
    log_metadata(metadata={"data_validation": "pass"}, infer_model=True)
    return accuracy


@pipeline(model=Model(name="iris_classifier"), enable_cache=False)
def training(lr: float, accuracy: float, f1: float) -> None:
    evaluate(train(lr), accuracy=accuracy, f1=f1)


def _row(page: Page, version: str) -> Locator:
    return page.locator(f'[data-testid="model-version-row"][data-version="{version}"]')


def _stage(page: Page, version: str) -> Locator:
    return _row(page, version).get_by_test_id("stage-badge")


def _settled(page: Page) -> None:
    """Wait for Mantine's dialog to finish fading in (for a screenshot that shows it)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.mantine-Modal-content')].every(e => getComputedStyle(e).opacity === '1')"
    )


def _move(page: Page, version: str, stage: str) -> Locator:
    """Open version ``version``'s stage menu and pick ``stage``; returns the dialog."""
    _row(page, version).get_by_role("button", name=f"Change the stage of version {version}").click()
    page.get_by_role("menuitem", name=re.compile(f"^{stage}")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_models_list_model_page_promotion_and_history(page: Page, live: LiveServer) -> None:
    for i, (accuracy, f1) in enumerate(SCORES):
        training(lr=0.01 * (i + 1), accuracy=accuracy, f1=f1)

    page.goto(f"{live.url}/models")
    row = page.locator('[data-testid="model-row"][data-model="iris_classifier"]')
    expect(row).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text("3")  # the latest version
    expect(row.locator("td").nth(4)).to_have_text("3")  # three versions
    expect(page.get_by_role("link", name="Models", exact=True)).to_be_visible()
    screenshot(page, "models-list")

    row.get_by_role("link", name="iris_classifier").click()
    expect(page).to_have_url(re.compile(r"/models/iris_classifier"))
    table = page.get_by_test_id("model-versions-table")
    expect(table.get_by_test_id("model-version-row")).to_have_count(3)
    headers = table.locator("thead th")
    for name in ("accuracy", "data_validation", "f1_score"):
        expect(headers.filter(has_text=name)).to_have_count(1)
    expect(_row(page, "2").locator('[data-metric="accuracy"]')).to_have_text("0.94")
    expect(_row(page, "2").locator('[data-metric="f1_score"]')).to_have_text("0.92")
    expect(_row(page, "1").locator('[data-metric="data_validation"]')).to_have_text("pass")
    expect(_row(page, "3").get_by_role("link", name=re.compile("^training-"))).to_be_visible()
    chart = page.get_by_test_id("model-metric-chart")
    expect(chart).to_have_attribute("data-points", "3")
    expect(chart.locator("canvas")).to_have_count(1)
    screenshot(page, "model-page")

    dialog = _move(page, "2", "Production")
    expect(dialog).to_contain_text("Version 2 moves from none to production.")
    dialog.get_by_label("Reason (optional)").fill("best accuracy on the holdout set")
    dialog.get_by_role("button", name="Move to production").click()
    expect(dialog).to_be_hidden()
    expect(_stage(page, "2")).to_have_attribute("data-stage", "production")
    expect(page.get_by_test_id("model-production")).to_contain_text("2")
    screenshot(page, "model-promoted")

    dialog = _move(page, "3", "Production")
    expect(dialog).to_contain_text("Version 2 holds production now; it moves to archived")
    _settled(page)
    screenshot(page, "model-stage-replace")
    dialog.get_by_role("button", name="Replace version 2").click()
    expect(dialog).to_be_hidden()
    expect(_stage(page, "3")).to_have_attribute("data-stage", "production")
    expect(_stage(page, "2")).to_have_attribute("data-stage", "archived")

    page.get_by_role("tab", name="History").click()
    history = page.get_by_test_id("transition-row")
    expect(history).to_have_count(3)  # 3 into production, 2 archived to make room, 2 into production
    first = history.last
    expect(first).to_have_attribute("data-version", "2")
    expect(first).to_have_attribute("data-to", "production")
    expect(first).to_contain_text("best accuracy on the holdout set")
    expect(first).to_contain_text("admin")
    expect(history.first).to_have_attribute("data-version", "3")
    screenshot(page, "model-history")

    page.get_by_role("tab", name="Model card").click()
    expect(page.get_by_test_id("model-card-empty")).to_be_visible()
    page.get_by_role("button", name="Edit card").click()
    card = page.get_by_role("dialog")
    card.get_by_label("Description").fill("Classifies **iris** flowers from four measurements.")
    card.get_by_label("Limitations").fill("- Three species only\n- Trained on 150 samples")
    card.get_by_role("button", name="Save card").click()
    expect(card).to_be_hidden()
    rendered = page.get_by_test_id("model-card")
    expect(rendered.locator("strong", has_text="iris")).to_be_visible()
    expect(rendered.locator('[data-section="limitations"] li')).to_have_count(2)
    expect(page.get_by_test_id("model-page")).to_contain_text("Classifies iris flowers")  # the header, marks dropped
    screenshot(page, "model-card")
