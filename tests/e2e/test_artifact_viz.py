"""Artifact visualizations in a real browser: each kind drawn from a real pipeline's artifacts.

One pipeline saves a DataFrame, 1-D and 2-D numpy arrays, a PIL image, markdown, plain text,
CSV text and HTML strings, a dict and scikit-learn's evaluation views; each artifact page must
paint its views (``data-state="ready"``). A 2,000 x 2,000 heatmap must paint within a second of
its data arriving. A deleted or corrupt view shows a message in its place while the rest of the
page works, and an HTML artifact's scripts can't reach the dashboard's session.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from e2e_support import screenshot
from playwright.sync_api import Page, Request, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.artifacts import visualizations as viz
from waypost.artifacts.materializers import Materializer, type_name
from waypost.integrations.sklearn import (
    ClassificationReport,
    ConfusionMatrix,
    classification_report,
    confusion_matrix,
)
from waypost.schemas.artifacts import VisualizationRef

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
Image = pytest.importorskip("PIL.Image")

READY = '[data-testid="viz"][data-state="ready"]'
VIZ_TIMEOUT = 20_000

MARKDOWN = (
    "# Model notes\n\nTrained with **early stopping**.\n\n- lr = 0.01\n- epochs = 12\n\n"
    "<script>window.__md_xss = 1</script>\n"
)
HTML_REPORT = "<!doctype html><html><body><h1>Drift report</h1><div id='out'>static</div></body></html>"
CSV_TEXT = 'name,score\nalpha,1.5\nbeta,2.5\ngamma,"3,5"\n'
ROWS = 5_000


@step
def make_frame() -> Annotated[Any, "viz_frame"]:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(ROWS),
            "score": rng.normal(size=ROWS),
            "label": rng.choice(["cat", "dog", "bird"], size=ROWS),
        }
    )


@step
def make_arrays() -> tuple[Annotated[Any, "viz_series"], Annotated[Any, "viz_matrix"]]:
    series = np.sin(np.linspace(0, 60, 20_000))
    grid = np.add.outer(np.arange(2_000), np.arange(2_000)).astype(np.float32)
    return series, grid


@step
def make_image() -> Annotated[Any, "viz_image"]:
    img = Image.new("RGB", (320, 200), (30, 120, 200))
    for x in range(0, 320, 20):
        for y in range(200):
            img.putpixel((x, y), (255, 255, 255))
    return img


@step
def make_texts() -> tuple[
    Annotated[str, "viz_markdown"], Annotated[str, "viz_text"], Annotated[str, "viz_csv"], Annotated[str, "viz_html"]
]:
    text = "\n".join(f"line {i}: nothing to see" for i in range(4_500))
    return MARKDOWN, text, CSV_TEXT, HTML_REPORT


@step
def make_dict() -> Annotated[dict[str, Any], "viz_dict"]:
    return {"model": {"name": "resnet", "layers": list(range(250))}, "lr": 0.01, "tags": ["a", "b"]}


@pipeline(enable_cache=False)
def viz_kinds() -> None:
    make_frame()
    make_arrays()
    make_image()
    make_texts()
    make_dict()


TRUTH = ["cat", "cat", "dog", "dog", "bird", "bird", "cat", "dog"]
GUESS = ["cat", "dog", "dog", "dog", "bird", "cat", "cat", "dog"]


@step
def evaluate() -> tuple[Annotated[ConfusionMatrix, "viz_cm"], Annotated[ClassificationReport, "viz_report"]]:
    return confusion_matrix(TRUTH, GUESS), classification_report(TRUTH, GUESS)


@pipeline(enable_cache=False)
def sklearn_views() -> None:
    evaluate()


class QualityReport:
    """A data-quality result as Great Expectations and whylogs integrations would return it."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc


class QualityReportMaterializer(Materializer):
    ASSOCIATED_TYPES = (type_name(QualityReport),)
    VERSION = "1"

    def save(self, data: QualityReport, path: Path) -> None:
        (path / "data.json").write_text(json.dumps(data.doc))

    def load(self, path: Path, data_type: str) -> QualityReport:
        return QualityReport(json.loads((path / "data.json").read_text()))

    def visualize(self, data: QualityReport, path: Path) -> list[VisualizationRef]:
        return [
            viz.validation(path, data.doc["results"], success=data.doc["success"]),
            viz.profile(path, data.doc["columns"]),
        ]


QUALITY = {
    "success": False,
    "results": [
        {
            "expectation": "expect_column_values_to_not_be_null",
            "column": "age",
            "kwargs": {"column": "age"},
            "success": False,
            "observed_value": None,
            "unexpected_count": 2,
            "unexpected_percent": 20.0,
            "unexpected_sample": [None, None],
        },
        {
            "expectation": "expect_column_values_to_be_between",
            "column": "age",
            "kwargs": {"column": "age", "min_value": 0, "max_value": 120},
            "success": True,
            "observed_value": None,
            "unexpected_count": 0,
            "unexpected_sample": [],
        },
    ],
    "columns": [
        {
            "name": "age",
            "type": "fractional",
            "count": 10,
            "null_count": 2,
            "min": 3,
            "max": 71,
            "mean": 35.5,
            "stddev": 20.1,
            "unique_est": 8,
            "histogram": {"bins": [0, 25, 50, 75], "counts": [3, 3, 2]},
        },
        {"name": "city", "type": "string", "count": 10, "null_count": 0, "unique_est": 4, "histogram": None},
    ],
}


@step(output_materializers=QualityReportMaterializer)  # not registered: other tests see the default registry
def check_quality() -> Annotated[QualityReport, "viz_quality"]:
    return QualityReport(QUALITY)


@pipeline(enable_cache=False)
def quality() -> None:
    check_quality()


def _open(page: Page, live: LiveServer, artifact: str, version: int = 1) -> None:
    page.goto(f"{live.url}/artifacts/{quote(artifact, safe='')}?version={version}")
    expect(page.get_by_test_id("artifact-page")).to_be_visible(timeout=VIZ_TIMEOUT)


def _viz(page: Page, kind: str) -> Any:
    return page.locator(f'[data-testid="viz"][data-type="{kind}"]').first


def _ready(page: Page, kind: str) -> Any:
    viz = _viz(page, kind)
    expect(viz).to_have_attribute("data-state", "ready", timeout=VIZ_TIMEOUT)
    return viz


def _files_of(live: LiveServer, artifact: str) -> Path:
    uri = live.store.artifacts.get_version(f"{artifact}:1").uri
    return Path(unquote(urlsplit(uri).path) if uri.startswith("file:") else uri)


def test_every_kind_paints(page: Page, live: LiveServer) -> None:
    viz_kinds()

    # DataFrame: the whole frame, paged and sorted by the server, virtualized in the page
    _open(page, live, "viz_frame")
    table = _ready(page, "table")
    expect(table.get_by_test_id("viz-table-total")).to_contain_text(f"{ROWS:,} rows")
    headers = table.get_by_test_id("viz-table-header")
    expect(headers.nth(1)).to_contain_text("float64")  # as pandas names it, like the stats
    rendered = table.get_by_test_id("viz-table-row").count()
    assert 0 < rendered < 100, f"{rendered} rows in the DOM: the table is not virtualized"
    headers.nth(0).click()  # id ascending
    headers.nth(0).click()  # id descending, over all 5,000 rows, not the 100-row preview
    expect(table.locator('[data-testid="viz-table-row"][data-index="0"] span').nth(1)).to_have_text(f"{ROWS - 1:,}")
    grid = table.get_by_test_id("viz-table")
    grid.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(table.locator(f'[data-testid="viz-table-row"][data-index="{ROWS - 1}"] span').nth(1)).to_have_text("0")
    stats = _ready(page, "stats")
    expect(stats.get_by_test_id("viz-stats-row")).to_have_count(3)
    expect(stats.get_by_test_id("viz-histogram").first).to_be_visible()
    screenshot(page, "viz-frame")

    # 1-D array: a line chart that toggles to bars
    _open(page, live, "viz_series")
    chart = _ready(page, "chart")
    expect(chart).to_contain_text("20,000 values")
    chart.get_by_text("Bar").click()
    expect(chart.locator("canvas").first).to_be_visible()
    screenshot(page, "viz-chart")

    # 2-D array: a heatmap of the averaged 200 x 200 cells, original shape shown, painted fast
    started = time.monotonic()
    _open(page, live, "viz_matrix")
    heat = _ready(page, "heatmap")
    load_ms = (time.monotonic() - started) * 1000
    expect(heat.get_by_test_id("viz-shape")).to_contain_text("2,000 × 2,000, shown as 200 × 200")
    paint_ms = int(heat.get_attribute("data-paint-ms") or "-1")
    print(f"heatmap 2000x2000 (200x200 cells): painted in {paint_ms} ms; {load_ms:.0f} ms from navigation")
    assert 0 <= paint_ms <= 1_000, f"the heatmap took {paint_ms} ms to paint"
    cells = heat.get_by_test_id("viz-matrix-canvas")
    cells.scroll_into_view_if_needed()
    box = cells.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] - 2)
    # the bottom-right block averages rows and columns 1,990-1,999 (or the block above it)
    expect(heat).to_contain_text(re.compile(r"row 1,9[89]0–19[89]9, column 1,990–1999: mean 3,9[78]9"))
    screenshot(page, "viz-heatmap")

    # PIL image: its pixel size and bytes, zoom to 100% and back to fit
    _open(page, live, "viz_image")
    image = _ready(page, "image")
    expect(image.get_by_test_id("viz-image-size")).to_contain_text("320 × 200 px")
    image.get_by_role("button", name="100%").click()
    expect(image.locator("img")).to_have_js_property("width", 320)
    image.get_by_role("button", name="Zoom in").click()
    expect(image.locator("img")).to_have_js_property("width", 480)
    for _ in range(4):
        image.get_by_role("button", name="Zoom in").click()  # 2x, 3x, 4x, 6x: 1,920 px, wider than the box
    frame = image.locator("img").locator("..")
    frame.scroll_into_view_if_needed()
    frame_box = frame.bounding_box()
    assert frame_box is not None
    page.mouse.move(frame_box["x"] + 300, frame_box["y"] + 100)
    page.mouse.down()
    page.mouse.move(frame_box["x"] + 100, frame_box["y"] + 50, steps=5)
    page.mouse.up()
    assert frame.evaluate("el => [el.scrollLeft, el.scrollTop]") == [200, 50], "dragging did not pan the image"
    screenshot(page, "viz-image")

    # markdown: rendered as elements, its raw <script> kept as text
    _open(page, live, "viz_markdown")
    md = _ready(page, "markdown")
    expect(md.get_by_role("heading", name="Model notes")).to_be_visible()
    expect(md.locator("strong")).to_have_text("early stopping")
    expect(md).to_contain_text("<script>window.__md_xss = 1</script>")
    assert page.evaluate("() => window.__md_xss") is None
    screenshot(page, "viz-markdown")

    # long text: paged by 2,000 lines
    _open(page, live, "viz_text")
    text = _ready(page, "text")
    expect(text).to_contain_text("page 1 of 3")
    expect(text.get_by_test_id("viz-text")).to_contain_text("line 1999: nothing")
    expect(text.get_by_test_id("viz-text")).not_to_contain_text("line 2000:")
    screenshot(page, "viz-text")

    # CSV text: a table
    _open(page, live, "viz_csv")
    csv = _ready(page, "text")
    expect(csv.get_by_test_id("viz-table-row")).to_have_count(3)
    expect(csv.locator('[data-testid="viz-table-row"][data-index="2"]')).to_contain_text("3,5")

    # dict: a collapsible tree that builds children on demand
    _open(page, live, "viz_dict")
    tree = _ready(page, "json")
    expect(tree.get_by_test_id("viz-json-leaf").filter(has_text="lr")).to_be_visible()
    assert tree.get_by_text("resnet").count() == 0  # "model" is still closed
    tree.get_by_test_id("viz-json-toggle").filter(has_text="model").click()
    expect(tree.get_by_text('"resnet"')).to_be_visible()
    screenshot(page, "viz-json")

    # HTML: in a sandboxed frame
    _open(page, live, "viz_html")
    html = _ready(page, "html")
    frame = html.get_by_test_id("viz-iframe")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    expect(page.frame_locator('[data-testid="viz-iframe"]').get_by_role("heading")).to_have_text("Drift report")


def test_sklearn_views(page: Page, live: LiveServer) -> None:
    pytest.importorskip("sklearn")
    sklearn_views()
    _open(page, live, "viz_cm")
    cm = _ready(page, "confusion_matrix")
    expect(cm).to_contain_text("3 classes · 8 samples · 75.0% on the diagonal")
    cm.get_by_text("Normalized").click()
    expect(cm).to_have_attribute("data-state", "ready")
    _open(page, live, "viz_report")
    report = _ready(page, "classification_report")
    expect(report.get_by_test_id("viz-report-row")).to_have_count(5)  # 3 classes + 2 averages
    expect(report).to_contain_text("macro avg")
    _open(page, live, "viz_cm")
    _ready(page, "confusion_matrix")
    screenshot(page, "viz-confusion-matrix")


def test_validation_and_profile(page: Page, live: LiveServer) -> None:
    quality()
    _open(page, live, "viz_quality")
    checks = _ready(page, "validation")
    expect(checks.get_by_test_id("viz-validation-result")).to_have_text("Failed")
    expect(checks).to_contain_text("1 of 2 expectations passed")
    failed = checks.locator('[data-testid="viz-expectation"][data-success="false"]')
    expect(failed).to_contain_text("expect_column_values_to_not_be_null")
    failed.click()
    expect(checks).to_contain_text("Sample of failing values")
    profile = _ready(page, "profile")
    expect(profile.get_by_test_id("viz-profile-row")).to_have_count(2)
    expect(profile.get_by_test_id("viz-histogram")).to_have_count(1)
    screenshot(page, "viz-quality")
    page.emulate_media(color_scheme="dark")
    _open(page, live, "viz_quality")
    _ready(page, "profile")
    screenshot(page, "viz-quality-dark")


def test_broken_views_show_a_message_and_the_rest_works(page: Page, live: LiveServer) -> None:
    viz_kinds()
    folder = _files_of(live, "viz_frame")
    (folder / "_viz" / "stats.json").write_text('{"columns": "not a list"}')
    _open(page, live, "viz_frame")
    expect(_viz(page, "stats")).to_have_attribute("data-state", "error", timeout=VIZ_TIMEOUT)
    expect(_viz(page, "stats").get_by_test_id("viz-error")).to_contain_text("malformed")
    _ready(page, "table")

    image = _files_of(live, "viz_image") / "_viz" / "image.png"
    image.write_bytes(b"not a png")
    _open(page, live, "viz_image")
    expect(_viz(page, "image")).to_have_attribute("data-state", "error", timeout=VIZ_TIMEOUT)
    expect(_viz(page, "image")).to_contain_text("could not be loaded or decoded")

    (_files_of(live, "viz_dict") / "_viz" / "tree.json").unlink()
    _open(page, live, "viz_dict")
    expect(_viz(page, "json")).to_have_attribute("data-state", "error", timeout=VIZ_TIMEOUT)
    expect(_viz(page, "json")).to_contain_text("gone")
    expect(page.get_by_test_id("artifact-page")).to_be_visible()
    screenshot(page, "viz-errors")


ATTACK = """<!doctype html><html><body><pre id="out">running</pre><script>
const out = [];
const note = (k, v) => {
  out.push(k + "=" + v);
  document.getElementById("out").textContent = out.join("\\n");
  console.log("attack " + k + "=" + v);
};
try { note("cookie", JSON.stringify(document.cookie)); } catch (e) { note("cookie", "blocked:" + e.name); }
try { note("storage", String(window.localStorage.length)); } catch (e) { note("storage", "blocked:" + e.name); }
try { note("parent", String(window.parent.document.cookie)); } catch (e) { note("parent", "blocked:" + e.name); }
fetch("/api/v1/runs", { credentials: "include" })
  .then(r => r.text().then(t => note("fetch", r.status + ":" + t.slice(0, 40))))
  .catch(e => note("fetch", "blocked:" + e.name))
  .finally(() => {
    try { top.location = "https://example.invalid/stolen"; note("top", "tried"); }
    catch (e) { note("top", "blocked:" + e.name); }
    note("done", "1");
  });
</script></body></html>"""


def test_html_scripts_cannot_reach_the_dashboard(page: Page, live: LiveServer) -> None:
    @step
    def report() -> Annotated[str, "viz_attack"]:
        return ATTACK

    @pipeline(enable_cache=False)
    def attack() -> None:
        report()

    attack()
    page.goto(f"{live.url}/runs")  # logged in: the session cookie is set for this origin
    cookies = {c["name"] for c in page.context.cookies()}
    assert cookies, "the login left no cookies to steal; the test would prove nothing"
    page.evaluate("() => localStorage.setItem('waypost-secret', 'x')")

    api_calls: list[Request] = []
    # only what the frame's script asks for: the dashboard calls the API with the session, rightly,
    # and loads the frame's document with it
    page.on(
        "request",
        lambda r: (
            api_calls.append(r)
            if r.frame.parent_frame is not None and not r.is_navigation_request() and "/api/" in r.url
            else None
        ),
    )
    logged: list[str] = []
    page.on("console", lambda m: logged.append(m.text) if m.text.startswith("attack ") else None)

    _open(page, live, "viz_attack")
    url = page.url
    _ready(page, "html")
    out = page.frame_locator('[data-testid="viz-iframe"]').locator("#out")
    expect(out).to_contain_text("done=1", timeout=VIZ_TIMEOUT)
    result = dict(line.split("=", 1) for line in out.inner_text().splitlines())
    time.sleep(0.5)  # let a navigation of the top window, had it been allowed, start

    assert result["cookie"] in ('""', "blocked:SecurityError"), result
    assert result["storage"].startswith("blocked:"), result
    assert result["parent"].startswith("blocked:"), result
    assert result["fetch"].startswith("blocked:") or not result["fetch"].startswith("200"), result
    assert result["top"].startswith("blocked:"), result
    assert page.url == url, "the report navigated the dashboard"
    assert page.evaluate("() => localStorage.getItem('waypost-secret')") == "x"
    for request in api_calls:
        # the frame's fetch may leave the browser, but never with the user's session
        assert "cookie" not in request.all_headers(), f"{request.url} carried the session cookie"
    print("html sandbox:", json.dumps(result), f"{len(api_calls)} API requests from the frame, none with a cookie")
