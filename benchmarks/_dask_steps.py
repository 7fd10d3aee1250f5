"""Steps and pipelines of the Dask rows of `make bench`: module level, so worker processes import them."""

from __future__ import annotations

import time

from waypost import pipeline, step


@step
def start() -> int:
    return 1


@step
def leaf(x: int, i: int) -> int:
    return x + i


@step
def finish() -> int:
    return 0


@pipeline(enable_cache=False)
def wide() -> None:
    """1 → 50 → 1 trivial steps (the last one ordered after the fifty, without data)."""
    x = start()
    leaves = [leaf(x, i, id=f"leaf_{i}") for i in range(50)]
    finish(after=leaves)


@step
def burn(x: int, seconds: float = 2.0) -> int:
    """Pure-Python CPU work for ``seconds`` of this thread's CPU time (it holds the GIL, as such code does)."""
    n, until = 0, time.thread_time() + seconds
    while time.thread_time() < until:
        n += 1
    return x + n % 2


@pipeline(enable_cache=False)
def cpu_bound(seconds: float = 2.0) -> None:
    """1 → 8 → 1 with CPU-bound middle steps."""
    x = start()
    burners = [burn(x, seconds=seconds, id=f"burn_{i}") for i in range(8)]
    finish(after=burners)
