"""The metadata explorer in a real browser: runs of two pipelines log metadata on their steps; the key list shows
them with counts, types and ranges, narrows by name and by the run filter (a bad filter answers in one line), a
key's history is drawn per pipeline and narrows to one, a point's tooltip names its run and a click opens it, and
a saved view reopens by its link alone."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.store.sql.repositories.saved_views import SavedViewsRepository

#: Accuracy per run: three of `training`, two of `nightly`.
TRAINING = [0.81, 0.9, 0.94]
NIGHTLY = [0.7, 0.75]


@step
def prepare() -> int:
    log_metadata(metadata={"rows_loaded": 150})
    return 150


@step
def evaluate(rows: int, accuracy: float, note: str) -> float:
    log_metadata(metadata={"accuracy": accuracy, "eval_note": note})
    return accuracy


@pipeline(enable_cache=False)
def training(accuracy: float, note: str) -> None:
    evaluate(prepare(), accuracy=accuracy, note=note)


@pipeline(enable_cache=False)
def nightly(accuracy: float, note: str) -> None:
    evaluate(150, accuracy=accuracy, note=note)


def _shot(page: Page, folder: Path, name: str) -> None:
    """Screenshots in the light and the dark colour scheme, into the test's folder."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(200)  # Mantine follows the media query; ECharts redraws with the theme
        page.screenshot(path=str(folder / f"{name}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")


def _keys(page: Page) -> list[str]:
    rows = page.get_by_test_id("metadata-key-row")
    return list(rows.evaluate_all("els => els.map(e => e.dataset.key)"))


def _find_point(chart: Locator) -> tuple[float, float]:
    """Where on the page a point of the chart is: synthetic moves over the canvas until ECharts shows a tooltip."""
    found = chart.evaluate(
        """el => {
          const canvas = el.querySelector("canvas");
          const box = el.getBoundingClientRect();
          for (let y = box.top + 4; y < box.bottom - 4; y += 3) {
            for (let x = box.left + 4; x < box.right - 4; x += 3) {
              canvas.dispatchEvent(new MouseEvent("mousemove", { clientX: x, clientY: y, bubbles: true }));
              const tip = [...el.querySelectorAll("div")].find(d => d.textContent.includes("click to open the run")
                && getComputedStyle(d).display !== "none" && getComputedStyle(d).opacity !== "0");
              if (tip) return [x, y];
            }
          }
          return null;
        }"""
    )
    assert found is not None, "no point of the chart answered a hover"
    return float(found[0]), float(found[1])


def test_metadata_explorer(page: Page, live: LiveServer, tmp_path: Path) -> None:
    for i, accuracy in enumerate(TRAINING):
        training(accuracy=accuracy, note=f"training run {i}")
    for i, accuracy in enumerate(NIGHTLY):
        nightly(accuracy=accuracy, note=f"nightly run {i}")

    # Every key, with its count, owners, types and range.
    page.goto(f"{live.url}/runs")
    page.get_by_role("link", name="Metadata").click()
    expect(page).to_have_url(re.compile(r"/metadata"))
    table = page.get_by_test_id("metadata-keys-table")
    accuracy_row = table.locator('[data-testid="metadata-key-row"][data-key="accuracy"]')
    expect(accuracy_row).to_have_count(1)
    assert {"accuracy", "eval_note", "rows_loaded"} <= set(_keys(page))
    cells = accuracy_row.locator("td")
    expect(cells.nth(1)).to_have_text("5")
    expect(cells.nth(2)).to_have_text("step 5")
    expect(cells.nth(3)).to_have_text("float 5")
    expect(cells.nth(4)).to_have_text("0.7 – 0.94")
    note_cells = table.locator('[data-testid="metadata-key-row"][data-key="eval_note"] td')
    expect(note_cells.nth(3)).to_have_text("str 5")
    expect(note_cells.nth(4)).to_have_text("—")
    _shot(page, tmp_path, "metadata-keys")

    # By name, then by the run filter; a filter the server refuses says why in one line.
    page.get_by_label("Keys containing").fill("ACC")
    expect(page).to_have_url(re.compile(r"contains=ACC"))
    expect(page.get_by_test_id("metadata-key-row")).to_have_count(1)
    assert _keys(page) == ["accuracy"]
    runs_filter = page.get_by_label("Filter runs")
    runs_filter.fill("pipeline:nightly")
    runs_filter.press("Enter")
    expect(page).to_have_url(re.compile(r"q=pipeline"))
    expect(accuracy_row.locator("td").nth(1)).to_have_text("2")
    expect(accuracy_row.locator("td").nth(4)).to_have_text("0.7 – 0.75")
    runs_filter.fill("bogus:1")
    runs_filter.press("Enter")
    error = page.locator(".mantine-TextInput-error")
    expect(error).to_contain_text("bogus")
    assert "\n" not in error.inner_text().strip()
    runs_filter.fill("")
    runs_filter.press("Enter")
    expect(error).to_have_count(0)
    expect(accuracy_row.locator("td").nth(1)).to_have_text("5")

    # A key's history: a line per pipeline, then one pipeline.
    accuracy_row.get_by_role("button", name="accuracy").click()
    expect(page).to_have_url(re.compile(r"key=accuracy"))
    chart = page.get_by_test_id("metadata-history-chart")
    expect(chart).to_have_attribute("data-state", "drawn")
    expect(chart).to_have_attribute("data-series", "2")
    expect(chart).to_have_attribute("data-points", "5")
    expect(chart.locator("canvas").first).to_be_visible()
    _shot(page, tmp_path, "metadata-history")

    pipeline_select = page.get_by_test_id("metadata-history").get_by_role("combobox", name="Pipeline")
    pipeline_select.click()
    page.get_by_role("option", name="training", exact=True).click()
    expect(page).to_have_url(re.compile(r"pipeline=training"))
    expect(chart).to_have_attribute("data-series", "1")
    expect(chart).to_have_attribute("data-points", "3")
    expect(chart).to_have_attribute("data-state", "drawn")

    # The text values of the key are listed, not charted.
    page.get_by_label("Keys containing").fill("note")
    expect(page.get_by_test_id("metadata-key-row")).to_have_count(1)
    page.get_by_role("button", name="eval_note").click()
    text_values = page.get_by_test_id("metadata-text-values")
    expect(text_values.locator("tbody tr")).to_have_count(3)
    expect(text_values).to_contain_text("training run 2")
    page.get_by_label("Keys containing").fill("acc")
    expect(page.get_by_test_id("metadata-key-row")).to_have_count(1)
    page.get_by_role("button", name="accuracy").click()
    expect(chart).to_have_attribute("data-points", "3")
    expect(chart).to_have_attribute("data-state", "drawn")

    # Hovering a point names its run; clicking it opens the run.
    x, y = _find_point(chart)
    page.mouse.move(x, y)
    tooltip = chart.get_by_text("click to open the run")
    expect(tooltip).to_be_visible()
    tooltip_text = chart.locator("div", has_text="click to open the run").last.inner_text()
    run_names = {r.name for r in live.store.runs.list("pipeline:training").items}
    named = [n for n in run_names if n in tooltip_text]
    assert len(named) == 1, (tooltip_text, run_names)
    assert "accuracy:" in tooltip_text
    page.screenshot(path=str(tmp_path / "metadata-tooltip.png"))
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}"))
    expect(page.get_by_text(named[0]).first).to_be_visible()
    page.go_back()
    expect(chart).to_have_attribute("data-state", "drawn")

    # Save the view, shared with the project; its link alone opens it.
    page.get_by_role("button", name="Save view").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Training accuracy")
    dialog.get_by_role("switch", name="Shared with the project").check(force=True)
    dialog.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"view=[0-9a-f-]{36}"))
    expect(page.get_by_test_id("current-view")).to_have_text("Training accuracy")
    view_id = re.search(r"view=([0-9a-f-]{36})", page.url)
    assert view_id is not None
    saved = SavedViewsRepository(live.store.sessions).get(uuid.UUID(view_id.group(1)))
    assert saved["shared"]
    assert saved["kind"] == "metadata"
    assert saved["state"] == {"contains": "acc", "key": "accuracy", "pipeline": "training"}

    # The same name again is refused in one line.
    page.get_by_role("button", name="Save view").click()
    dialog.get_by_label("Name").fill("Training accuracy")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("save-view-error")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()

    fresh = page.context.new_page()
    fresh.goto(f"{live.url}/metadata?view={view_id.group(1)}")
    expect(fresh).to_have_url(re.compile(r"key=accuracy"))
    expect(fresh).to_have_url(re.compile(r"pipeline=training"))
    expect(fresh.get_by_test_id("current-view")).to_have_text("Training accuracy")
    fresh_chart = fresh.get_by_test_id("metadata-history-chart")
    expect(fresh_chart).to_have_attribute("data-state", "drawn")
    expect(fresh_chart).to_have_attribute("data-points", "3")
    expect(fresh.get_by_test_id("metadata-key-row")).to_have_count(1)

    # The Views menu lists it; renaming it there shows the new name.
    fresh.get_by_role("button", name="Views").click()
    listed = fresh.get_by_test_id("saved-view")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("yours · shared")
    _shot(fresh, tmp_path, "metadata-view")
    fresh.get_by_label("Rename the view Training accuracy").click()
    fresh.get_by_label("New name").fill("Accuracy of training")
    fresh.get_by_role("button", name="Rename").click()
    expect(fresh.get_by_test_id("saved-view")).to_have_attribute("data-view", "Accuracy of training")
    print(f"screenshots in {tmp_path}")
