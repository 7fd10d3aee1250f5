"""A model's Settings tab in a real browser: the admin gives the model its own approval policy (production
needs 2 approvals), which the page states and the API reads back; then sets accuracy to higher-is-better
and loss to lower-is-better, which the API and the compare page's stars follow. ada, a Developer (who
changes models but approves nothing), sees the policy read-only and may still set the directions."""

from __future__ import annotations

import re

from _access_support import call, log_in, person, segment, settled
from e2e_support import screenshot
from playwright.sync_api import Browser, Page, expect

from live_server import LiveServer
from waypost import Model, get_step_context, pipeline, step

#: Per run: accuracy, loss. Version 2 has the best accuracy, version 3 the lowest loss, version 1 the highest.
RUNS = [(0.81, 0.52), (0.94, 0.31), (0.9, 0.27)]


@step
def evaluate(accuracy: float, loss: float) -> float:
    model = get_step_context().model
    assert model is not None
    model.log_metadata({"accuracy": accuracy, "loss": loss, "data_validation": "pass"})
    return accuracy


@pipeline(model=Model(name="iris_classifier"), enable_cache=False)
def training(accuracy: float, loss: float) -> None:
    evaluate(accuracy=accuracy, loss=loss)


def _best(page: Page, key: str) -> list[str | None]:
    """Per compared version, whether the compare page stars its value of metric ``key``."""
    cells = page.get_by_test_id("compare-table").locator(f'[data-section="metrics"][data-key="{key}"] td')
    expect(cells).to_have_count(4)
    return [cells.nth(i).get_attribute("data-best") for i in range(1, 4)]


def test_set_the_approval_policy_and_metric_directions(page: Page, browser: Browser, live: LiveServer) -> None:
    for accuracy, loss in RUNS:
        training(accuracy=accuracy, loss=loss)

    page.goto(f"{live.url}/models/iris_classifier")
    page.get_by_role("tab", name="Settings").click()
    expect(page).to_have_url(re.compile(r"tab=settings"))
    policy = page.get_by_test_id("approval-policy")
    expect(policy.get_by_test_id("approval-policy-source")).to_have_text("no policy")
    expect(policy.get_by_test_id("approval-policy-summary")).to_contain_text("No stage change needs approval.")
    expect(policy.get_by_test_id("project-approval-policy")).to_have_text(
        "The project has no policy: no stage change needs approval."
    )

    # The model's own policy: production needs 2 approvals.
    policy.get_by_label("Set this model's own policy").check()
    policy.get_by_label("Production", exact=True).check()
    policy.get_by_label(re.compile("^Approvals required")).fill("2")
    policy.get_by_role("button", name="Save policy").click()
    expect(policy.get_by_test_id("approval-policy-saved")).to_have_text(
        "Saved: Moving a version to production needs 2 approvals."
    )
    expect(policy.get_by_test_id("approval-policy-source")).to_have_attribute("data-source", "model")
    expect(policy.get_by_test_id("approval-policy-summary")).to_contain_text(
        "Moving a version to production needs 2 approvals."
    )
    status, saved = call(page, "GET", "/api/v1/models/iris_classifier/approval-policy")
    assert status == 200, saved
    assert saved == {"stages": ["production"], "approvals_required": 2, "source": "model"}

    # Directions: none set; data_validation has no numbers, so it has none to set.
    directions = page.get_by_test_id("metric-directions-settings")
    rows = directions.get_by_test_id("metric-direction-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-key", "accuracy")
    expect(rows.first).to_have_attribute("data-direction", "unset")
    expect(directions).to_contain_text("Not listed, having no numeric values: data_validation.")
    segment(directions, "Direction of accuracy", "Higher is better")
    segment(directions, "Direction of loss", "Lower is better")
    directions.get_by_role("button", name="Save directions (2 changes)").click()
    saved_directions = directions.get_by_test_id("metric-directions-saved")
    expect(saved_directions).to_have_text("Saved the direction of accuracy and loss.")
    expect(directions.locator('[data-key="loss"]')).to_have_attribute("data-direction", "lower")
    expect(directions.locator("[data-changed]")).to_have_count(0)
    status, model = call(page, "GET", "/api/v1/models/iris_classifier")
    assert status == 200, model
    assert model["metric_directions"] == {"accuracy": "higher", "loss": "lower"}
    page.mouse.move(0, 0)  # no hover highlight in the picture
    screenshot(page, "model-settings")

    # The compare page stars the lowest loss now (version 3), and the best accuracy (version 2).
    page.goto(f"{live.url}/models/iris_classifier/compare?versions=1,2,3")
    assert _best(page, "loss") == [None, None, "true"]
    assert _best(page, "accuracy") == [None, "true", None]

    # ada may change the model but approves nothing: the policy is read-only for her.
    person(live.store, "ada", keep_default_grants=True)
    context, ada = log_in(browser, live, "ada")
    try:
        ada.goto(f"{live.url}/models/iris_classifier?tab=settings")
        settled(ada)
        policy = ada.get_by_test_id("approval-policy")
        expect(policy.get_by_test_id("approval-policy-summary")).to_contain_text(
            "Moving a version to production needs 2 approvals."
        )
        expect(policy.get_by_test_id("approval-policy-source")).to_have_text("model's own policy")
        expect(policy.get_by_test_id("approval-policy-readonly")).to_contain_text(
            "Only users holding model:approve on this model can change its approval policy."
        )
        # Her access is known (the header settled) and the directions are editable: the policy form is not.
        expect(ada.get_by_role("radiogroup", name="Direction of loss")).to_be_visible()
        expect(policy.get_by_role("button", name="Save policy")).to_have_count(0)
        expect(policy.get_by_role("radio")).to_have_count(0)
        expect(policy.get_by_role("checkbox")).to_have_count(0)
        screenshot(ada, "model-settings-readonly")
    finally:
        context.close()
