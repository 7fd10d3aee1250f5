"""Pipelines for the dask orchestrator's tests: module-level steps that worker processes can import."""

from __future__ import annotations

import os
from pathlib import Path

from waypost import pipeline, step


@step
def seed(n: int) -> int:
    return n


@step
def work(x: int, i: int) -> int:
    busy = sum(k % 7 for k in range(50_000))  # a little CPU: the six share the two worker processes
    print(f"process {os.getpid()} ran branch {i} ({busy})")
    return x * x * i


@step
def gather(a: int, b: int, c: int, d: int, e: int, f: int) -> list[int]:
    return [a, b, c, d, e, f]


@step
def fail_on(x: int) -> int:
    raise ValueError(f"no good: {x}")


def _fan(n: int) -> None:
    x = seed(n)
    parts = [work(x, i, id=f"work_{i}") for i in range(1, 7)]
    gather(*parts)


@pipeline
def fan(n: int = 3) -> None:
    _fan(n)


@pipeline(enable_cache=False)
def fan_fresh(n: int = 3) -> None:
    _fan(n)


@pipeline(enable_cache=False)
def failing(n: int = 3) -> None:
    work(fail_on(seed(n)), 1, id="after")


@step(retry={"max_retries": 1, "delay": 0})
def flaky(marker: str) -> int:
    """Fails the first time (no marker file yet), succeeds on its retry."""
    path = Path(marker)
    if not path.exists():
        path.write_text(str(os.getpid()))
        raise RuntimeError("first attempt fails")
    return int(path.read_text())


@pipeline(enable_cache=False)
def retried(marker: str) -> None:
    flaky(marker)
