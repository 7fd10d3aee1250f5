"""Tags, archive, delete and cleanup from the dashboard, on real runs of a live server: a selection's
Actions menu, a run's tags edited in place, and "Clean up…" previewing, then deleting exactly what it
showed, its artifact files gone from disk while those of tagged runs stay."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

from e2e_support import screenshot
from playwright.sync_api import Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.client import Client


@step
def produce(n: int) -> list[int]:
    return list(range(n))


@pipeline(enable_cache=False)
def bulk_demo(n: int = 3) -> None:
    produce(n=n)


def _files(client: Client, run_name: str) -> list[Path]:
    run = client.get_pipeline_run(run_name)
    versions = [v for step_ in run.steps.values() for outs in step_.outputs.values() for v in outs]
    return [Path(urlparse(v.uri).path if v.uri.startswith("file://") else v.uri) for v in versions]


def _rows(page: Page) -> list[str]:
    return page.locator('[data-testid="runs-table"] tbody tr a[href^="/runs/"]').all_inner_texts()


def test_tag_archive_delete_and_clean_up_runs_from_the_dashboard(page: Page, live: LiveServer) -> None:
    for n in (1, 2, 3, 4, 5):
        bulk_demo(n=n)
    client = Client()
    names = [r.name for r in client.list_pipeline_runs("bulk_demo", size=10).items]  # newest first
    assert len(names) == 5

    page.goto(f"{live.url}/runs")
    expect(page.get_by_test_id("runs-table")).to_be_visible()
    boxes = page.locator('input[aria-label^="Select run"]')
    boxes.nth(0).click()
    boxes.nth(1).click(modifiers=["Shift"])  # the two newest
    expect(page.get_by_test_id("selection-bar")).to_contain_text("2 runs selected")
    page.get_by_test_id("bulk-actions").click()
    page.get_by_role("menuitem", name="Add or remove tags…").click()
    page.get_by_role("combobox", name="Add tags").fill("keep")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Change the tags of 2 runs").click()
    expect(page.get_by_test_id("bulk-outcome")).to_contain_text("2 retagged")
    for name in names[:2]:
        assert "keep" in client.get_pipeline_run(name).tags

    # Archive the third: the list hides it until the filter asks.
    page.get_by_role("button", name="Clear").click()
    boxes.nth(2).click()
    page.get_by_test_id("bulk-actions").click()
    page.get_by_role("menuitem", name="Archive", exact=True).click()
    expect(page.get_by_test_id("bulk-outcome")).to_contain_text("1 archived")
    expect(page.locator('[data-testid="runs-table"] tbody tr')).to_have_count(4)
    assert names[2] not in _rows(page)
    page.goto(f"{live.url}/runs?q=archived:true")
    expect(page.locator('[data-testid="runs-table"] tbody tr')).to_have_count(1)
    assert _rows(page) == [names[2]]

    # Delete the oldest after confirming.
    page.goto(f"{live.url}/runs")
    expect(page.locator('[data-testid="runs-table"] tbody tr')).to_have_count(4)
    page.locator(f'input[aria-label="Select run {names[4]}"]').click()
    page.get_by_test_id("bulk-actions").click()
    page.get_by_role("menuitem", name="Delete…").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("bulk-outcome")).to_contain_text("1 deleted")
    expect(page.locator('[data-testid="runs-table"] tbody tr')).to_have_count(3)
    assert names[4] not in [r.name for r in client.list_pipeline_runs("bulk_demo", size=10).items]

    # A run's own tags, changed on its page.
    page.get_by_role("link", name=names[0]).click()
    tags = page.get_by_test_id("run-tags")
    expect(tags.get_by_test_id("run-tag")).to_have_text(["keep"])
    tags.get_by_role("button", name="+ Add tag").click()
    page.get_by_label("New tag").fill("reviewed")
    page.keyboard.press("Enter")
    expect(tags.get_by_test_id("run-tag")).to_have_text(["keep", "reviewed"])
    tags.get_by_role("button", name="Remove tag reviewed").click()
    expect(tags.get_by_test_id("run-tag")).to_have_text(["keep"])
    assert client.get_pipeline_run(names[0]).tags == ["keep"]

    # Cleanup: everything older than a second but what carries "keep"; previewed, then confirmed.
    kept_files = [f for name in names[:2] for f in _files(client, name)]
    doomed = [names[2], names[3]]  # the archived run too
    doomed_files = [f for name in doomed for f in _files(client, name)]
    assert kept_files
    assert doomed_files
    assert all(f.exists() for f in kept_files + doomed_files)
    time.sleep(1.2)
    page.goto(f"{live.url}/runs")
    page.get_by_test_id("cleanup").click()
    page.get_by_label("Older than").fill("1s")
    page.get_by_role("combobox", name="Keep runs and artifact versions tagged").fill("keep")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("confirm-cleanup")).to_be_disabled()  # nothing deletes before a preview
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.get_by_test_id("cleanup-preview")
    expect(preview).to_contain_text("2 runs")
    for name in doomed:
        expect(preview).to_contain_text(name)
    expect(preview).to_contain_text("2 runs with a keep tag")
    screenshot(page, "runs-cleanup-preview")
    assert all(f.exists() for f in doomed_files)  # a preview deletes nothing
    page.get_by_test_id("confirm-cleanup").click()
    expect(page.get_by_test_id("cleanup-result")).to_contain_text(re.compile(r"Deleted 2 runs and 2 artifact versions"))
    assert not any(f.exists() for f in doomed_files)
    assert all(f.exists() for f in kept_files)
    left = client.list_pipeline_runs("bulk_demo", size=10, query="archived:any").items
    assert sorted(r.name for r in left) == sorted(names[:2])
