"""Dashboard benchmarks: headless Chromium against `waypost up` over the cached data of _dashboard_data.

Each page figure is the median of a few fresh browser contexts (an empty HTTP cache, as on a
first visit; the session cookie is carried over), measured in the page from navigation start
until the view's readiness marker is in the DOM, plus one animation frame:

- a 1,000-step run's DAG (``[data-testid=dag][data-state=ready]``) ≤ 2 s;
- a 10,000-step run's Timeline (``[data-testid=timeline][data-state=ready]``) ≤ 1 s;
- a step with 1,000,000 log lines opening on its Logs tab (``[data-testid=log-view][data-state=ready]``) ≤ 1 s;
- the runs list over 1,000,000 runs showing its first page of rows ≤ 1 s.

Also timed from Python: the server-side log search over those 1,000,000 lines (≤ 300 ms), and
the JavaScript the first page (the runs list) loads, gzipped at level 9 as the size budget
counts it (≤ 400 KB).

    .venv/bin/python benchmarks/bench_dashboard.py    # only these rows
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _dashboard_data import ADMIN, LOG_LINES, SEARCH_EVERY, SEARCH_TERM, Dataset, load_or_build

Record = Callable[[str, float, str, "float | None"], None]

SAMPLES = 5
SEARCH_SAMPLES = 9
READY_TIMEOUT_MS = 30_000
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DIST = Path(__file__).resolve().parents[1] / "dashboard" / "dist"

# Runs before the page's own scripts: notes performance.now() one frame after the first time
# SELECTOR matches, so the figure does not depend on how often Playwright polls.
_READY_PROBE = """
(selector) => {
  const found = () => {
    if (!document.querySelector(selector)) return false;
    observer.disconnect();
    requestAnimationFrame(() => { window.__wpReadyAt = performance.now(); });
    return true;
  };
  const observer = new MutationObserver(found);
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
}
"""

_API_TIMINGS = """
() => performance.getEntriesByType("resource")
  .filter((e) => new URL(e.name).pathname.startsWith("/api/"))
  .map((e) => [e.name.replace(location.origin, ""), e.startTime, e.responseEnd])
"""

DAG_READY = '[data-testid="dag"][data-state="ready"]'
TIMELINE_READY = '[data-testid="timeline"][data-state="ready"]'
LOGS_READY = '[data-testid="log-view"][data-state="ready"]'
HEATMAP_READY = '[data-testid="viz"][data-type="heatmap"][data-state="ready"]'
# A first page of real rows: a row whose run name links to the run (not a skeleton row).
RUNS_READY = 'table tbody tr a[href^="/runs/"]'


class _NotReadyError(Exception):
    pass


@contextmanager
def _serving(data: Dataset) -> Iterator[str]:
    """`waypost up --serve-only` over the dataset, in a child process; yields its base URL."""
    from bench_server import _server

    saved = os.environ.get("WAYPOST_ARTIFACT_STORE__URI")
    os.environ["WAYPOST_ARTIFACT_STORE__URI"] = data.artifact_uri  # _server passes os.environ on
    try:
        with _server(Path(data.folder), data.store_url) as (url, _pid):
            yield url
    finally:
        if saved is None:
            os.environ.pop("WAYPOST_ARTIFACT_STORE__URI", None)
        else:
            os.environ["WAYPOST_ARTIFACT_STORE__URI"] = saved


def _credentials(data: Dataset) -> tuple[str, str]:
    """(a one-time login token, an API key) for the dataset's admin."""
    from waypost.store.sql.store import SqlStore

    store = SqlStore(data.store_url)
    try:
        admin = next(u for u in store.users.list() if u.name == ADMIN)
        return store.auth.create_login_token(admin.id), store.auth.create_api_key(admin.id, "dashboard bench").key
    finally:
        store.close()


def _open_ms(
    browser: Any, state: dict[str, Any], url: str, selector: str, on_response: Any = None
) -> tuple[float, list[tuple[str, float, float]]]:
    """Milliseconds from navigation start to SELECTOR matching plus one frame, in a fresh context.

    Also returns the page's API requests as (path, start ms, end ms), to tell where the time went.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900}, storage_state=state)
    try:
        page = context.new_page()
        if on_response is not None:
            page.on("response", on_response)
        page.add_init_script(script=f"({_READY_PROBE})({json.dumps(selector)})")
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_function("() => window.__wpReadyAt !== undefined", timeout=READY_TIMEOUT_MS)
        except Exception as exc:  # Playwright's TimeoutError, or a page that crashed
            raise _NotReadyError(f"{url}: {selector} did not appear within {READY_TIMEOUT_MS / 1000:.0f} s") from exc
        if on_response is not None:
            page.wait_for_load_state("networkidle")
        value: float = page.evaluate("() => window.__wpReadyAt")
        api: list[list[Any]] = page.evaluate(_API_TIMINGS)
        return value, [(str(path), float(start), float(end)) for path, start, end in api if start <= value]
    finally:
        context.close()


def _median_open(browser: Any, state: dict[str, Any], url: str, selector: str, samples_n: int = SAMPLES) -> float:
    _open_ms(browser, state, url, selector)  # warms the server's caches and the OS page cache
    samples = sorted((_open_ms(browser, state, url, selector) for _ in range(samples_n)), key=lambda s: s[0])
    value, api = samples[len(samples) // 2]
    calls = ", ".join(f"{path} {start:.0f}→{end:.0f}" for path, start, end in api)
    print(f"  {url.split('/', 3)[-1][:60]}: ready at {value:.0f} ms; API ms from navigation start: {calls}")
    return value


def _first_page_js_kb(browser: Any, state: dict[str, Any], url: str) -> float:
    """The scripts a first visit to the runs list loads, gzipped at level 9, in KB."""
    sizes: dict[str, int] = {}

    def on_response(response: Any) -> None:
        if response.request.resource_type == "script" and response.ok:
            sizes[response.url] = len(gzip.compress(response.body(), compresslevel=9))

    _open_ms(browser, state, url, RUNS_READY, on_response)
    return sum(sizes.values()) / 1024


def _search_ms(url: str, key: str, data: Dataset) -> float:
    import httpx

    path = f"/api/v1/runs/{data.logs_run}/steps/{data.logs_step}/logs/search"
    expected = LOG_LINES // SEARCH_EVERY
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        samples = []
        for i in range(SEARCH_SAMPLES + 1):
            t = time.perf_counter()
            r = client.get(path, params={"q": SEARCH_TERM})
            elapsed = (time.perf_counter() - t) * 1000
            r.raise_for_status()
            hits = r.json()
            assert len(hits) == expected, f"search for {SEARCH_TERM!r} found {len(hits)} lines, expected {expected}"
            if i:  # the first one warms the connection and the server's code paths
                samples.append(elapsed)
    return statistics.median(samples)


def bench_dashboard(record: Record) -> None:
    """Build or load the data, serve it, and record the dashboard rows."""
    if not Path(CHROMIUM).exists():
        print("dashboard benchmarks skipped: Chromium is not installed (apt-get install chromium)")
        return
    if not (DIST / "index.html").is_file():
        print("dashboard benchmarks skipped: the dashboard is not built (make dashboard)")
        return
    from playwright.sync_api import sync_playwright

    data = load_or_build()
    mb = data.log_bytes / 1e6
    with _serving(data) as url, sync_playwright() as p:
        token, key = _credentials(data)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            login = browser.new_context()
            login.new_page().goto(f"{url}/login?token={token}")
            state: dict[str, Any] = dict(login.storage_state())
            login.close()
            pages = (
                ("1,000-step DAG painted", f"/runs/{data.dag_run}?view=dag", DAG_READY, 2000),
                ("10,000-step Timeline painted", f"/runs/{data.timeline_run}?view=timeline", TIMELINE_READY, 1000),
                (
                    f"{LOG_LINES:,}-line log ({mb:.0f} MB) opens",
                    f"/runs/{data.logs_run}?step={data.logs_step}&tab=logs",
                    LOGS_READY,
                    1000,
                ),
                (f"runs list of {data.runs:,}: page 1", "/runs", RUNS_READY, 1000),
                (
                    "2,000 x 2,000 array heatmap painted",
                    f"/artifacts/{data.heatmap_artifact}?version=1",
                    HEATMAP_READY,
                    1000,
                ),
            )
            for label, path, selector, target in pages:
                try:
                    value = _median_open(browser, state, f"{url}{path}", selector)
                except _NotReadyError as exc:
                    print(f"dashboard: {exc}")
                    value = float("inf")
                record(f"Dashboard: {label}", value, "ms", target)
            record(f"HTTP log search, {LOG_LINES:,} lines", _search_ms(url, key, data), "ms", 300)
            try:
                record(
                    "Dashboard: first-page JS, gzipped",
                    _first_page_js_kb(browser, state, f"{url}/runs"),
                    "KB",
                    400,
                )
            except _NotReadyError as exc:
                print(f"dashboard: {exc}")
        finally:
            browser.close()


if __name__ == "__main__":
    rows: list[tuple[str, float, str, float | None]] = []
    bench_dashboard(lambda *row: rows.append(row))
    for name, value, unit, target in rows:
        mark = "ok" if target is None or value <= target else "OVER"
        print(f"{name:<60} {value:>10.1f} {unit:<3} target ≤ {target:g} {unit}  {mark}")
