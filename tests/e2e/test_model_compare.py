"""Comparing model versions in a real browser: three runs of a pipeline with a model register versions with
metrics and different parameters; on the model page three versions are ticked (the third with shift), Compare
opens the comparison with a column per version, the best accuracy starred (lower loss is better), differing
cells marked, and the Differences only switch hides the rows that are the same."""

from __future__ import annotations

import re

from e2e_support import screenshot
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import Model, get_step_context, pipeline, step
from waypost.schemas.models import ModelUpdate

#: Per run: learning rate, accuracy, loss (version 2 has the best accuracy, version 3 the lowest loss).
RUNS = [(0.1, 0.81, 0.52), (0.05, 0.94, 0.31), (0.01, 0.9, 0.27)]


@step
def fit(lr: float, accuracy: float, loss: float) -> float:
    model = get_step_context().model
    assert model is not None
    model.log_metadata({"accuracy": accuracy, "loss": loss, "data_validation": "pass"})
    return lr


@pipeline(model=Model(name="iris_classifier"), enable_cache=False)
def training(lr: float, accuracy: float, loss: float) -> None:
    fit(lr=lr, accuracy=accuracy, loss=loss)


def test_compare_three_versions(page: Page, live: LiveServer) -> None:
    for lr, accuracy, loss in RUNS:
        training(lr=lr, accuracy=accuracy, loss=loss)
    live.store.models.update("iris_classifier", ModelUpdate(metric_directions={"loss": "lower"}))

    page.goto(f"{live.url}/models/iris_classifier")
    expect(page.get_by_test_id("model-version-row")).to_have_count(3)
    page.get_by_role("checkbox", name="Compare version 3").check()
    page.get_by_role("checkbox", name="Compare version 1").click(modifiers=["Shift"])
    button = page.get_by_test_id("compare-button")
    expect(button).to_have_text("Compare (3)")
    button.click()

    expect(page).to_have_url(re.compile(r"/models/iris_classifier/compare\?versions=1(%2C|,)2(%2C|,)3"))
    table = page.get_by_test_id("compare-table")
    expect(table.get_by_test_id("compare-version")).to_have_count(3)
    accuracy = table.locator('[data-section="metrics"][data-key="accuracy"] td')
    expect(accuracy).to_have_text(["accuracy", "0.81", "0.94★", "0.9"])
    loss = table.locator('[data-section="metrics"][data-key="loss"] td')
    expect(loss.nth(3)).to_have_attribute("data-best", "true")
    lr = table.locator('[data-testid="compare-row"][data-key="fit.lr"] td')
    expect(lr).to_have_text(["fit.lr", "0.1", "0.05", "0.01"])
    expect(lr.nth(2)).to_have_attribute("data-differs", "true")
    same = table.locator('[data-testid="compare-row"][data-key="data_validation"]')
    expect(same).to_have_count(1)
    screenshot(page, "model-compare")

    switch = page.get_by_role("switch", name="Differences only")
    switch.check(force=True)  # Mantine draws the switch over its hidden input
    expect(switch).to_be_checked()
    expect(same).to_have_count(0)
    expect(page).to_have_url(re.compile(r"diff=true"))
    screenshot(page, "model-compare-diff-only")
