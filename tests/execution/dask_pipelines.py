"""Pipelines for the dask orchestrator's tests: module-level steps that worker processes can import."""

from __future__ import annotations

import os
import time
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


@step(retry={"max_retries": 1, "delay": 0})
def mortal(marker: str) -> int:
    """Its first attempt writes its process id beside ``marker`` and waits there to be killed."""
    path = Path(marker)
    if not path.exists():
        path.write_text("first attempt")
        path.with_suffix(".pid").write_text(str(os.getpid()))
        time.sleep(120)
    return os.getpid()


@step
def mortal_once(marker: str) -> int:
    """As :func:`mortal`, with no retries."""
    path = Path(marker)
    if not path.exists():
        path.write_text("first attempt")
        path.with_suffix(".pid").write_text(str(os.getpid()))
        time.sleep(120)
    return os.getpid()


@pipeline(enable_cache=False)
def dies_once(marker: str) -> None:
    mortal(marker)


@pipeline(enable_cache=False)
def dies_for_good(marker: str) -> None:
    mortal_once(marker)


@step
def sleeper(seconds: float, marker: str = "") -> float:
    """Sleeps; with a marker, first writes its process id there (the test then knows it runs)."""
    if marker:
        Path(marker).write_text(str(os.getpid()))
    time.sleep(seconds)
    return seconds


@pipeline(enable_cache=False)
def slow(seconds: float = 6.0, marker: str = "") -> None:
    work(sleeper(seconds, marker), 1, id="after")


@step
def part(x: int, i: int) -> int:
    """One of twenty branches: a little CPU, a log line naming its process."""
    busy = sum(k % 7 for k in range(100_000))
    print(f"branch {i} ran in process {os.getpid()} ({busy})")
    return x * 100 + i


@step
def total(
    p0: int, p1: int, p2: int, p3: int, p4: int, p5: int, p6: int, p7: int, p8: int, p9: int,
    p10: int, p11: int, p12: int, p13: int, p14: int, p15: int, p16: int, p17: int, p18: int, p19: int,
) -> list[int]:  # fmt: skip
    values = [p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15, p16, p17, p18, p19]
    print(f"adding {len(values)} branches")
    return values


@pipeline
def wide(n: int = 7) -> None:
    x = seed(n)
    total(*[part(x, i, id=f"part_{i}") for i in range(20)])
