"""`make bench`: measure Waypost's performance targets and print one table.

Run on the project's 2-core reference machine; every figure is a median of repeats.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

ROWS: list[tuple[str, float, str, float | None]] = []


def record(name: str, value: float, unit: str, target: float | None) -> None:
    ROWS.append((name, value, unit, target))


def bench_import() -> None:
    code = "import time; t = time.perf_counter(); import waypost; print(time.perf_counter() - t)"
    samples = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(9)]
    record("import waypost", statistics.median(samples) * 1000, "ms", 150)


def _fresh_home() -> Path:
    from waypost.execution import runtime

    home = Path(tempfile.mkdtemp(prefix="wp-bench-"))
    os.environ["WAYPOST_DATA_DIR"] = str(home)
    os.environ["WAYPOST_EXECUTION__SHOW_PROGRESS"] = "false"
    runtime.reset()
    return home


def _per_step(make: Callable[[int, bool], object], steps: int, repeats: int) -> tuple[float, float]:
    """Median ms per step for an uncached run and an all-cached run."""
    _fresh_home()
    make(10_000, False)()  # warm imports, store and materializers
    uncached, cached = [], []
    for i in range(repeats):
        p = make(i, False)
        t = time.perf_counter()
        p()
        uncached.append((time.perf_counter() - t) / steps * 1000)
    p = make(-1, True)
    p()
    p()  # the first all-cached run still warms SQLite's page cache after the writes above
    for _ in range(repeats):
        t = time.perf_counter()
        run = p()
        cached.append((time.perf_counter() - t) / steps * 1000)
        assert run.step_counts == {"cached": steps}, run.step_counts
    return statistics.median(uncached), statistics.median(cached)


def bench_steps() -> None:
    from _pipelines import chain, fan

    for label, make, steps, repeats in (
        ("10-step chain", lambda salt, c: chain(10, salt, c), 10, 15),
        ("100-step chain", lambda salt, c: chain(100, salt, c), 100, 5),
        ("1→50→1 fan-out/in", lambda salt, c: fan(50, salt, c), 52, 5),
    ):
        unc, cac = _per_step(make, steps, repeats)
        record(f"{label}: per step, uncached", unc, "ms", 5)
        record(f"{label}: per step, all cached", cac, "ms", 1)


def bench_list_runs(n: int = 10_000) -> None:

    from waypost.client import Client

    _fresh_home()
    from _pipelines import chain, insert_runs

    chain(2, 0, False)()  # one real run gives a pipeline and a snapshot to hang runs on
    client = Client()
    real = client.list_pipeline_runs().items[0]
    insert_runs(client.store, n, real.pipeline_id, real.snapshot_id)  # type: ignore[arg-type]
    for query, label in (("", "newest 50"), ("status:failed", "status:failed, 50")):
        samples = []
        for _ in range(30):
            t = time.perf_counter()
            page = client.list_pipeline_runs(query=query, size=50)
            samples.append((time.perf_counter() - t) * 1000)
            assert len(page.items) == 50
        record(f"Client list runs of {n:,} ({label})", statistics.median(samples), "ms", 20)


def main() -> None:
    from bench_access import bench_access
    from bench_artifacts import bench_artifacts
    from bench_compare_page import bench_compare_page
    from bench_dashboard import bench_dashboard
    from bench_dask import bench_dask
    from bench_metadata_keys import bench_metadata_keys
    from bench_model_compare import bench_model_compare
    from bench_model_page import bench_model_page
    from bench_run_compare import bench_run_compare
    from bench_server import bench_server
    from bench_startup import bench_startup

    bench_import()
    bench_startup(record)
    bench_steps()
    bench_list_runs()
    bench_server(record, _fresh_home)
    bench_access(record, _fresh_home)
    bench_dask(record, _fresh_home)
    bench_model_page(record)
    bench_model_compare(record)
    bench_metadata_keys(record)
    bench_run_compare(record)
    bench_artifacts(record)
    bench_dashboard(record)
    bench_compare_page(record)
    table = Table(title="Waypost benchmarks (medians)")
    table.add_column("benchmark")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")
    failed = 0
    for name, value, unit, target in ROWS:
        ok = target is None or value <= target
        failed += not ok
        table.add_row(
            name,
            f"{value:.2f} {unit}",
            f"≤ {target:g} {unit}" if target is not None else "",
            "[green]ok[/]" if ok else "[red]over[/]",
        )
    Console().print(table)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
