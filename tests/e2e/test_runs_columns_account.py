"""In a real browser: a metadata column in the runs list (kept in the URL, exported whole), a run's header
facts, and the account menu (API keys, password, log out)."""

from __future__ import annotations

import csv
import io
import re

from e2e_support import DAG_READY, runs_table, screenshot
from playwright.sync_api import Page, expect

from live_server import ADMIN_PASSWORD, LiveServer
from waypost import log_metadata, pipeline, step


@step
def train(lr: float = 0.1, epochs: int = 3) -> float:
    accuracy = round(0.5 + lr, 3)
    per_class = {f"class_{i:02d}_f1": round(accuracy - (i + 1) / 100, 3) for i in range(24)}
    log_metadata(metadata={"accuracy": accuracy, "loss": 1 - accuracy, **per_class})
    return accuracy


@pipeline(tags=["e2e"])
def e2e_columns(lr: float = 0.1) -> None:
    train(lr=lr)


def test_a_metadata_column_is_kept_in_the_url_and_exported_whole(page: Page, live: LiveServer) -> None:
    runs = [e2e_columns(lr=lr) for lr in (0.1, 0.25, 0.4)]
    page.goto(f"{live.url}/runs")
    table = runs_table(page)
    expect(table.get_by_text(runs[0].name)).to_be_visible()

    page.get_by_role("button", name="Columns").click()
    menu = page.get_by_role("dialog", name="Columns")
    expect(menu.get_by_label("class_23_f1")).to_be_visible()
    expect(menu.get_by_text("Step parameters")).to_be_visible()
    screenshot(page, "runs-columns-menu")
    menu.get_by_label("Find a parameter or metric").fill("acc")
    menu.get_by_label("accuracy", exact=True).check()
    expect(table.get_by_role("button", name="accuracy")).to_be_visible()
    for value in ("0.6", "0.75", "0.9"):
        expect(table.get_by_role("cell", name=value, exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"cols=[^&]*metadata\.accuracy"))
    screenshot(page, "runs-metadata-column")

    page.reload()
    expect(runs_table(page).get_by_role("cell", name="0.75", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Columns (+1)")).to_be_visible()

    page.get_by_role("button", name="Export CSV").click()
    with page.expect_download() as info:
        page.get_by_role("menuitem", name=re.compile("Export all 3 matching")).click()
    download = info.value
    assert re.fullmatch(r"waypost-runs-\d{8}-\d{6}\.csv|runs\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert rows[0][0] == "id"
    assert rows[0][-1] == "metadata.accuracy"
    assert sorted(r[-1] for r in rows[1:]) == ["0.6", "0.75", "0.9"]

    # The run's header: its parameters, metadata and tags, compactly.
    page.goto(f"{live.url}/runs/{runs[1].id}")
    facts = page.get_by_test_id("run-facts")
    params = facts.get_by_role("region", name="Parameters")
    expect(params.get_by_text("lr", exact=True)).to_be_visible()
    expect(params.get_by_text("0.25", exact=True)).to_be_visible()
    metadata = facts.get_by_role("region", name="Metadata")
    expect(metadata.get_by_text("accuracy", exact=True)).to_be_visible()
    expect(metadata.get_by_text("0.75", exact=True)).to_be_visible()
    # 26 metrics fold to three lines under "Show all": the graph keeps the page.
    expect(facts.get_by_role("button", name="Show all")).to_be_visible()
    expect(facts.get_by_text("class_23_f1")).not_to_be_in_viewport()  # clipped by the fold
    # The tags have their own line under the fold, always in view (and editable by who may change the run).
    expect(page.get_by_test_id("run-tags").get_by_role("link", name="e2e")).to_be_in_viewport()
    expect(page.locator(DAG_READY)).to_be_visible()
    screenshot(page, "run-header-facts")
    facts.get_by_role("button", name="Show all").click()
    expect(facts.get_by_role("button", name="Show less")).to_be_visible()
    expect(facts.get_by_text("class_23_f1")).to_be_visible()
    screenshot(page, "run-header-facts-open")


def test_the_account_menu_manages_keys_changes_the_password_and_logs_out(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/runs")
    account = page.get_by_role("button", name="Account of admin")
    account.click()
    page.get_by_role("menuitem", name="My API keys").click()
    dialog = page.get_by_role("dialog", name="My API keys")
    expect(dialog.get_by_test_id("api-keys-table").get_by_text("tests", exact=True)).to_be_visible()
    dialog.get_by_label("New key's name").fill("e2e laptop")
    dialog.get_by_role("button", name="Create key").click()
    secret = dialog.get_by_test_id("new-api-key")
    expect(secret).to_contain_text(re.compile(r"\S{20,}"))
    key = secret.inner_text().strip()
    assert page.request.get(f"{live.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).ok
    expect(dialog.get_by_role("button", name="Copy")).to_be_visible()
    expect(dialog.get_by_test_id("api-keys-table").get_by_text("e2e laptop")).to_be_visible()
    screenshot(page, "account-api-keys")
    dialog.get_by_role("button", name="Revoke e2e laptop").click()
    dialog.get_by_role("button", name="Confirm revoking e2e laptop").click()
    expect(dialog.get_by_test_id("api-keys-table").get_by_text("e2e laptop")).to_have_count(0)
    assert page.request.get(f"{live.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status == 401
    page.keyboard.press("Escape")

    account.click()
    page.get_by_role("menuitem", name="Change password").click()
    dialog = page.get_by_role("dialog", name="Change password")
    dialog.get_by_label("Current password").fill("not the password")
    dialog.get_by_label(re.compile(r"^New password\W*$")).fill("a brand new password")
    dialog.get_by_label("New password again").fill("a brand new password")
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog.get_by_text("The current password is wrong.")).to_be_visible()
    dialog.get_by_label("Current password").fill(ADMIN_PASSWORD)
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog.get_by_text("Password changed")).to_be_visible()
    screenshot(page, "account-password-changed")
    dialog.get_by_role("button", name="Done").click()

    account.click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("dialog", name="Log in to Waypost")).to_be_visible()
    assert page.request.get(f"{live.url}/api/v1/auth/me").status == 401
    page.wait_for_timeout(400)  # the modal's fade-in, for the screenshot only
    screenshot(page, "account-logged-out")
    page.get_by_label("Username").fill("admin")
    page.get_by_role("textbox", name="Password").fill("a brand new password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Account of admin")).to_be_visible()
