"""A 10-step pipeline of trivial steps, run as a script: what `make bench` times as a fresh process.

    python benchmarks/pipelines/ten_steps.py [--no-cache]

Its wall time is nearly all start-up: importing Waypost, opening the store, the first queries.
Without ``--no-cache``, every run after the first finds all ten steps cached.
"""

from __future__ import annotations

import sys

from waypost import pipeline, step


@step
def source() -> int:
    return 1


@step
def add_one(x: int) -> int:
    return x + 1


@pipeline(name="ten_steps")
def ten_steps() -> None:
    value = source()
    for _ in range(9):
        value = add_one(value)


if __name__ == "__main__":
    ten_steps.with_options(enable_cache="--no-cache" not in sys.argv[1:])()
