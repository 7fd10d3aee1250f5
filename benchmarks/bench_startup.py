"""Start-up: a fresh `python pipeline.py` process running a 10-step pipeline of trivial steps.

What a user waits for on every run of a script, nearly all of it start-up (imports, opening the
store, first queries). Timed as a whole process, wall clock, over a store that already exists
(its first run, which creates and migrates it, is a warm-up). Two rows: steps that run, and steps
found in the cache.
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

Record = Callable[[str, float, str, "float | None"], None]

PIPELINE = Path(__file__).parent / "pipelines" / "ten_steps.py"
RUNS = 15
TARGET_MS = 350


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYPOST_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["WAYPOST_DATA_DIR"] = str(home)
    env["WAYPOST_CONFIG"] = str(home / "config.yaml")  # absent: defaults only, not this user's config
    # As installed (`uv sync` and `pip install` write .pyc files): the warm-up run compiles every
    # module once, into a folder of its own, even where the environment forbids writing bytecode
    # beside the sources or the editable checkout has none.
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


def process_wall_s(args: list[str], env: dict[str, str]) -> float:
    """Wall time of one fresh process, start to exit."""
    t = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def bench_startup(record: Record, runs: int = RUNS) -> None:
    with tempfile.TemporaryDirectory(prefix="wp-bench-startup-") as tmp:
        env = _env(Path(tmp))
        process_wall_s([str(PIPELINE)], env)  # creates the store, writes the bytecode; the OS caches the files
        for label, extra in (("steps run", ["--no-cache"]), ("steps cached", [])):
            samples = sorted(process_wall_s([str(PIPELINE), *extra], env) for _ in range(runs))
            record(
                f"fresh `python pipeline.py`, 10 steps ({label})", statistics.median(samples) * 1000, "ms", TARGET_MS
            )


if __name__ == "__main__":  # `python benchmarks/bench_startup.py`: this row alone

    def _print(name: str, value: float, unit: str, target: float | None) -> None:
        print(f"{name}: {value:.0f} {unit} (target ≤ {target:g} {unit})")

    bench_startup(_print)
