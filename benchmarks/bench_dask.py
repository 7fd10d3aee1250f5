"""The dask orchestrator: its per-step overhead, and what two worker processes buy CPU-bound steps.

Both rows run on a LocalCluster of 2 worker processes that the process has already started (a
process's runs share it), against a SQLite store and a local artifact store:

- 1 → 50 → 1 trivial steps: (dask wall - local wall) / 52, median of 5 (target ≤ 20 ms per step);
- 1 → 8 → 1 with 2-second pure-Python steps: dask wall / local wall, where local threads share
  one GIL (target ≤ 0.6 on the 2-core reference machine).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Record = Callable[[str, float, str, "float | None"], None]


def _stacks() -> None:
    from waypost.client import Client
    from waypost.schemas.stacks import ComponentCreate, ComponentType, StackCreate

    stacks = Client().store.stacks  # type: ignore[attr-defined]
    config = {"n_workers": 2, "threads_per_worker": 1}
    stacks.create_component(
        ComponentCreate(name="bench", type=ComponentType.ORCHESTRATOR, flavor="dask", config=config)
    )
    stacks.create_stack(
        StackCreate(
            name="bench",
            components={ComponentType.ORCHESTRATOR: "bench", ComponentType.ARTIFACT_STORE: "default"},
        )
    )


def _wall(run: Callable[[], Any], stack: str) -> float:
    os.environ["WAYPOST_STACK"] = stack
    try:
        t = time.perf_counter()
        run()
        return time.perf_counter() - t
    finally:
        os.environ.pop("WAYPOST_STACK", None)


def bench_dask(record: Record, fresh_home: Callable[[], Path]) -> None:
    from _dask_steps import cpu_bound, wide

    from waypost.execution.orchestrators.dask import close_local_clusters

    fresh_home()
    _stacks()
    try:
        _wall(wide, "bench")  # starts the process's LocalCluster; workers import the steps
        _wall(wide, "default")
        overheads = [(_wall(wide, "bench") - _wall(wide, "default")) / 52 * 1000 for _ in range(5)]
        record("dask orchestrator overhead per step, 1 → 50 → 1", statistics.median(overheads), "ms", 20)
        local = _wall(lambda: cpu_bound(seconds=2.0), "default")
        dask = _wall(lambda: cpu_bound(seconds=2.0), "bench")
        record("1 → 8 → 1 of 2 s CPU steps, dask (2 processes) / local wall", dask / local, "×", 0.6)
    finally:
        close_local_clusters()
