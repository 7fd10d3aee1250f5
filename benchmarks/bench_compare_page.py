"""Run comparison in the browser (issue 14, point 9): headless Chromium against `waypost up`.

Two rows:

- **Compare page: 100 runs by 300 attributes** (≤ 1 s). The store of bench_run_compare (200 runs of
  a 5-step pipeline, 300 attributes each: parameters, metrics, text metadata, steps, outputs, the
  snapshot) is served by `waypost up --serve-only` over the built dashboard; a project Viewer opens
  ``/compare?runs=`` with every other run (100, by name). As bench_dashboard measures its pages:
  the median of nine fresh browser contexts (empty HTTP cache, the session cookie carried over),
  in the page from navigation start until the table has a row and its first run header, plus one
  animation frame.

- **Parallel coordinates: brush move over 10,000 runs by 10 axes** (≤ 100 ms). The comparison page
  takes at most 100 runs, so 10,000 cannot go through it; the chart is measured alone, built from
  the same code: ``ParallelRenderer`` of dashboard/src/features/compare/parallel.ts (what
  ParallelCoords draws with), bundled with the dashboard's Vite into a small benchmark-only module
  (under dashboard/node_modules/.cache, never in the product bundle). In Chromium it draws 10,000
  runs on 10 axes (8 numeric, one of them on a log scale, 2 categorical, coloured by a metric as
  "Colour by" does) into a box the size of the page's chart, then a brush is moved along the first
  axis 30 times, as a drag does: each move sets the brushes (the runs inside are found and their
  lines drawn over the faded rest) and is timed until the next animation frame. What the page does
  after a move (the URL and the table following, at most once a frame) is not in this figure; at
  100 runs that is measured by the first row's page and tests/e2e/test_run_compare.py.

    .venv/bin/python benchmarks/bench_compare_page.py    # only these rows
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

Record = Callable[[str, float, str, "float | None"], None]

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The table has its first row and its first run's header.
COMPARE_READY = '[data-testid="compare-table"]:has([data-testid="compare-run"]) [data-testid="compare-row"]'
LINES = 10_000
AXES = 10
MOVES = 30

# A module that exposes the dashboard's parallel coordinates renderer to the page.
_ENTRY = """
import { ParallelRenderer } from "../../../src/features/compare/parallel";

(window as unknown as Record<string, unknown>).__wpParallel = { ParallelRenderer };
"""

_BUILD = """
import { build } from "vite";
const dir = process.argv[2];
await build({
  configFile: false,
  logLevel: "error",
  root: dir,
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: dir + "/out",
    emptyOutDir: true,
    minify: true,
    lib: { entry: dir + "/entry.ts", formats: ["es"], fileName: () => "parallel-bench.js" },
  },
});
"""

# In the page: 10,000 runs on 10 axes (deterministic), drawn, then the brush moved and timed.
_MEASURE = """
async ({ lines, moves }) => {
  const { ParallelRenderer } = window.__wpParallel;
  let seed = 42;
  const rand = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; };
  const numeric = (id, name, f) => ({ id, name, numeric: true, log: false, values: Array.from({ length: lines }, f) });
  const axes = [
    numeric("metrics:train.accuracy", "train.accuracy", () => 0.5 + rand() * 0.5),
    numeric("metrics:train.loss", "train.loss", () => rand() * 2),
    { ...numeric("parameters:lr", "lr", () => 10 ** (-4 + rand() * 3)), log: true },
    numeric("parameters:epochs", "epochs", () => 5 + Math.floor(rand() * 96)),
    numeric("parameters:batch_size", "batch_size", () => 2 ** (4 + Math.floor(rand() * 6))),
    numeric("parameters:dropout", "dropout", () => rand() * 0.6),
    numeric("metrics:evaluate.f1", "evaluate.f1", () => rand()),
    numeric("run:duration_s", "duration_s", () => 30 + rand() * 3600),
    { id: "parameters:optimizer", name: "optimizer", numeric: false, log: false,
      values: Array.from({ length: lines }, () => ["adam", "sgd", "rmsprop"][Math.floor(rand() * 3)]) },
    { id: "parameters:augment", name: "augment", numeric: false, log: false,
      values: Array.from({ length: lines }, () => (rand() < 0.5 ? "true" : "false")) },
  ];
  const theme = { text: "#000", dimmed: "#868e96", grid: "rgba(0,0,0,0.08)", background: "#fff", accent: "#1c7ed6" };
  const el = document.getElementById("chart");
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const chart = new ParallelRenderer(el, { onBrush: () => undefined });
  const t0 = performance.now();
  chart.setData(axes, lines, axes[1], theme, undefined);
  await frame();
  const first = performance.now() - t0;
  const samples = [];
  for (let k = 0; k < moves; k += 1) {
    // A drag along the accuracy axis: the brush's lower end moves, the upper one stays.
    const low = 0.95 - (0.4 * (k + 1)) / moves;
    const t = performance.now();
    chart.setBrushes({ "metrics:train.accuracy": [[low, 0.98]] });
    await frame();
    samples.push(performance.now() - t);
  }
  const inside = axes[0].values.filter((v) => v >= 0.55 && v <= 0.98).length;
  chart.dispose();
  return { first, samples, inside };
}
"""


def _bundle(folder: Path) -> str:
    """The benchmark module's code, built by the dashboard's Vite (the renderer ParallelCoords uses)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entry.ts").write_text(_ENTRY, encoding="utf-8")
    (folder / "build.mjs").write_text(_BUILD, encoding="utf-8")
    subprocess.run(["node", str(folder / "build.mjs"), str(folder)], cwd=DASHBOARD, check=True)
    return (folder / "out" / "parallel-bench.js").read_text(encoding="utf-8")


def _brush_ms(browser: Any) -> tuple[float, float]:
    """(median ms per brush move, ms of the first full draw) over LINES runs on AXES axes."""
    code = _bundle(DASHBOARD / "node_modules" / ".cache" / "waypost-bench-parallel")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        # The box ParallelCoords fills on the comparison page: the card's width at this viewport, 360 px high.
        page.set_content('<body style="margin:0"><div id="chart" style="width:1350px;height:360px"></div></body>')
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_script_tag(content=code, type="module")
        try:
            page.wait_for_function("() => window.__wpParallel !== undefined", timeout=30_000)
        except Exception as exc:  # Playwright's TimeoutError: say what the page said
            raise RuntimeError(f"the benchmark module did not load: {errors}") from exc
        result: dict[str, Any] = page.evaluate(_MEASURE, {"lines": LINES, "moves": MOVES})
    finally:
        context.close()
    samples = [float(s) for s in result["samples"]]
    assert len(samples) == MOVES
    assert 0 < result["inside"] < LINES
    return statistics.median(samples[3:]), float(result["first"])  # the first moves warm the code paths


def _compare_ms(browser: Any) -> float:
    from bench_dashboard import _median_open, _NotReadyError
    from bench_run_compare import COMPARED, RUNS, _seed
    from bench_server import _server

    from waypost.store.sql.store import SqlStore

    with tempfile.TemporaryDirectory(prefix="wp-bench-compare-page-") as tmp:
        folder = Path(tmp)
        _seed(folder)
        store_url = f"sqlite:///{folder / 'bench.db'}"
        store = SqlStore(store_url)
        try:
            viewer = store.users.get("bench-viewer")
            token = store.auth.create_login_token(viewer.id)
        finally:
            store.close()
        saved = os.environ.get("WAYPOST_ARTIFACT_STORE__URI")
        os.environ["WAYPOST_ARTIFACT_STORE__URI"] = str(folder / "artifacts")
        try:
            with _server(folder, store_url) as (url, _pid):
                login = browser.new_context()
                login.new_page().goto(f"{url}/login?token={token}")
                state: dict[str, Any] = dict(login.storage_state())
                login.close()
                picked = ",".join(f"bench-run-{n:03}" for n in range(0, RUNS, RUNS // COMPARED))
                try:
                    # Nine loads: on two cores the server and the browser share the CPU, and one load's
                    # figure moves by a few hundred milliseconds with the scheduling.
                    return _median_open(browser, state, f"{url}/compare?runs={picked}", COMPARE_READY, 9)
                except _NotReadyError as exc:
                    print(f"compare page: {exc}")
                    return float("inf")
        finally:
            if saved is None:
                os.environ.pop("WAYPOST_ARTIFACT_STORE__URI", None)
            else:
                os.environ["WAYPOST_ARTIFACT_STORE__URI"] = saved


def bench_compare_page(record: Record) -> None:
    if not Path(CHROMIUM).exists():
        print("compare page benchmarks skipped: Chromium is not installed (apt-get install chromium)")
        return
    if not (DASHBOARD / "dist" / "index.html").is_file() or not (DASHBOARD / "node_modules" / "vite").is_dir():
        print("compare page benchmarks skipped: the dashboard is not built (make dashboard)")
        return
    from bench_dashboard import CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            record("Compare page: 100 runs × 300 attributes", _compare_ms(browser), "ms", 1000)
            move, first = _brush_ms(browser)
            print(f"  parallel coordinates: first draw of {LINES:,} lines on {AXES} axes {first:.0f} ms")
            record(f"Parallel coordinates: brush move over {LINES:,} runs × {AXES} axes", move, "ms", 100)
        finally:
            browser.close()


if __name__ == "__main__":
    rows: list[tuple[str, float, str, float | None]] = []
    bench_compare_page(lambda *row: rows.append(row))
    for name, value, unit, target in rows:
        mark = "ok" if target is None or value <= target else "OVER"
        print(f"{name:<64} {value:>10.1f} {unit:<3} target ≤ {target:g} {unit}  {mark}")
