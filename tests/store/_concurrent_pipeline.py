"""A small three-step pipeline that test_concurrency runs from many processes at once.

Run as ``python _concurrent_pipeline.py WORKER RUNS``; the store and the artifact folder
come from ``WAYPOST_DATA_DIR``.
"""

from __future__ import annotations

import sys
from typing import Annotated

from waypost import pipeline, step

ARTIFACTS = ("concurrent_numbers", "concurrent_total", "concurrent_report")
STEPS = ("make_numbers", "total", "report")


@step
def make_numbers(worker: int, index: int) -> Annotated[list[int], "concurrent_numbers"]:
    return [worker, index, *range(10)]


@step
def total(numbers: list[int]) -> Annotated[int, "concurrent_total"]:
    return sum(numbers)


@step
def report(numbers: list[int], value: int) -> Annotated[str, "concurrent_report"]:
    return f"{len(numbers)} numbers sum to {value}"


@pipeline(enable_cache=False)
def concurrent_pipeline(worker: int = 0, index: int = 0) -> None:
    numbers = make_numbers(worker, index)
    report(numbers, total(numbers))


def main(worker: int, runs: int) -> None:
    """Run the pipeline ``runs`` times, each under a name unique to this worker."""
    for index in range(runs):
        run = concurrent_pipeline.with_options(run_name=f"concurrent-{worker}-{index}")(worker=worker, index=index)
        if run.status != "completed":
            raise SystemExit(f"run {run.name} ended {run.status}: {run.status_reason}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
