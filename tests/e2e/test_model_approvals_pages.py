"""Approvals in a real browser: the model's policy wants one approval for production; ada (a Developer,
who may promote but not approve) picks Production in a version's stage menu, which asks for approval
instead of moving it; the request is pending on the model page with no Approve for her; the admin sees it
counted in the header and listed under Needs my approval, approves it with a comment, and the version
moves (History says by approval). A rule whose filter does not parse shows the server's one line; a
dry run lists the versions a rule would promote."""

from __future__ import annotations

import re

from _access_support import call, log_in, person
from e2e_support import screenshot
from playwright.sync_api import Browser, Locator, Page, expect

from live_server import LiveServer
from waypost import Model, get_step_context, pipeline, step


@step
def evaluate(accuracy: float) -> float:
    model = get_step_context().model
    assert model is not None
    model.log_metadata({"accuracy": accuracy})
    return accuracy


@pipeline(model=Model(name="iris_classifier"), enable_cache=False)
def training(accuracy: float) -> None:
    evaluate(accuracy=accuracy)


def _row(page: Page, version: str) -> Locator:
    return page.locator(f'[data-testid="model-version-row"][data-version="{version}"]')


def _settled(page: Page) -> None:
    """Wait for Mantine's dialog to finish fading in (for a screenshot that shows it)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.mantine-Modal-content')].every(e => getComputedStyle(e).opacity === '1')"
    )


def test_request_production_as_one_user_and_approve_as_another(page: Page, browser: Browser, live: LiveServer) -> None:
    for accuracy in (0.81, 0.94):
        training(accuracy=accuracy)
    page.goto(f"{live.url}/models/iris_classifier")
    expect(_row(page, "2")).to_be_visible()
    policy = {"stages": ["production"], "approvals_required": 1}
    status, answer = call(page, "PATCH", "/api/v1/models/iris_classifier/approval-policy", policy)
    assert status == 200, answer
    person(live.store, "ada", keep_default_grants=True)
    context, ada = log_in(browser, live, "ada")
    try:
        ada.goto(f"{live.url}/models/iris_classifier")
        _row(ada, "2").get_by_role("button", name="Change the stage of version 2").click()
        ada.get_by_role("menuitem", name=re.compile("^Production")).click()
        dialog = ada.get_by_role("dialog", name="Request approval: version 2 to production")
        expect(dialog).to_contain_text("Production needs 1 approval from users holding model:approve")
        dialog.get_by_label(re.compile("^Reason")).fill("best accuracy on the holdout set")
        _settled(ada)
        screenshot(ada, "model-approval-request")
        dialog.get_by_role("button", name="Request production").click()
        expect(dialog.get_by_test_id("stage-requested")).to_have_text("Requested: waiting for 1 approval.")
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_be_hidden()
        pending = ada.get_by_test_id("pending-requests")
        row = pending.get_by_test_id("request-row")
        expect(row).to_contain_text("ada")
        expect(row.get_by_test_id("request-votes")).to_have_text("0 / 1")
        expect(row.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
        expect(_row(ada, "2").get_by_test_id("stage-badge")).to_have_attribute("data-stage", "none")
        expect(ada.locator(".mantine-Modal-content")).to_have_count(0)  # faded out
        screenshot(ada, "model-approval-pending")
    finally:
        context.close()

    page.goto(f"{live.url}/runs")
    approvals = page.get_by_test_id("nav-approvals")
    expect(approvals.get_by_test_id("nav-approvals-count")).to_have_text("1")
    approvals.click()
    expect(page).to_have_url(re.compile(r"/approvals"))
    row = page.get_by_test_id("request-row")
    expect(row).to_contain_text("iris_classifier")
    expect(row).to_contain_text("best accuracy on the holdout set")
    screenshot(page, "approvals-needs-mine")
    row.get_by_role("button", name="Approve version 2 of iris_classifier to production").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Your approval completes the request")
    dialog.get_by_label("Comment (optional)").fill("checked the evaluation report")
    _settled(page)
    screenshot(page, "approvals-approve-dialog")
    dialog.get_by_role("button", name="Approve", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("request-row")).to_have_count(0)
    expect(page.get_by_test_id("nav-approvals-count")).to_have_count(0)

    page.goto(f"{live.url}/models/iris_classifier")
    expect(page.get_by_test_id("model-production")).to_contain_text("2")
    expect(page.get_by_test_id("pending-requests")).to_have_count(0)
    page.get_by_role("tab", name="History").click()
    entry = page.get_by_test_id("transition-row").first
    expect(entry).to_have_attribute("data-to", "production")
    expect(entry).to_contain_text("by approval")
    expect(entry).to_contain_text("approved by admin")
    screenshot(page, "model-approval-history")

    page.get_by_role("tab", name="Rules").click()
    page.get_by_role("button", name="Add rule").click()
    form = page.get_by_role("dialog", name="Add a promotion rule")
    form.get_by_label("Name").fill("accurate")
    form.get_by_label("Filter").fill("metadata.accuracy>>0.9")
    form.get_by_role("button", name="Add rule").click()
    expect(form.get_by_test_id("rule-error")).to_contain_text("accuracy")
    form.get_by_label("Filter").fill("metadata.accuracy>=0.8")
    form.get_by_role("button", name="Add rule").click()
    expect(form).to_be_hidden()
    rule = page.locator('[data-testid="rule-row"][data-rule="accurate"]')
    expect(rule).to_contain_text("metadata.accuracy>=0.8")
    rule.get_by_role("button", name="Dry run accurate").click()
    summary = page.get_by_test_id("dry-run-summary")
    expect(summary).to_contain_text("Nothing changed.")
    _settled(page)
    screenshot(page, "model-rule-dry-run")
