"""What a fresh `python pipeline.py` process imports: only what running a pipeline of plain values needs.

Start-up is most of such a process's time (`make bench` times it), and each library below costs
10 to 100 ms to import; a module that imports one at its top brings it back on every run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = ROOT / "benchmarks" / "pipelines" / "ten_steps.py"

#: Libraries a pipeline of ints must not load: the display library, data libraries (materializers
#: import theirs when they meet such a value), other databases' dialects, the migration tool (the
#: store is at head after the first run), password hashing (the server's), remote filesystems,
#: the server and CLI libraries, PyYAML (no config file here), SQLAlchemy's ORM (the store is Core only).
NOT_ON_THE_PATH = [
    "rich",
    "pandas",
    "numpy",
    "pyarrow",
    "polars",
    "PIL",
    "cloudpickle",
    "fsspec",
    "alembic",
    "argon2",
    "httpx",
    "fastapi",
    "uvicorn",
    "typer",
    "yaml",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.mysql",
    "sqlalchemy.orm",
    # Ours, which a run without a model or a server never needs.
    "waypost.store.sql.tables_deferred",
    "waypost.schemas.users",
    "waypost.schemas.models",
    # A run on the default stack: no flavor models, no stack repository, no secrets, no locator.
    "waypost.schemas.stacks",
    "waypost.stacks.flavors",
    "waypost.store.sql.repositories.stacks",
    "waypost.artifacts.locate",
    "cryptography",
    # The API's write bodies (the REST store's), and the Docker and resource settings models (a run
    # that names no such settings does not validate them): ~20 ms together.
    "waypost.schemas.store_api",
    "waypost.config",
    "getpass",
]

PROBE = """
import json, runpy, sys
runpy.run_path(sys.argv[1], run_name="__main__")
print(json.dumps(sorted(sys.modules)))
"""


def _after_a_run(env: dict[str, str]) -> set[str]:
    """The modules a pipeline run imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(PIPELINE)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.slow
def test_a_pipeline_run_imports_no_library_it_does_not_use(waypost_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "WAYPOST_EXECUTION__SHOW_PROGRESS"}  # the default display
    first = _after_a_run(env)  # creates and migrates the store, the pipeline and its snapshot
    again = _after_a_run(env)  # the store is at head, the pipeline known: the common case
    migrating = {
        "alembic",
        "sqlalchemy.dialects.postgresql",
        "sqlalchemy.dialects.mysql",
        "waypost.store.sql.tables_deferred",
    }  # the first run's
    for loaded, allowed in ((first, migrating), (again, set())):
        unwanted = sorted(m for m in NOT_ON_THE_PATH if m in loaded and m not in allowed)
        assert not unwanted, f"a pipeline of ints imported {unwanted}"
    assert "waypost.store.sql.store" in again  # the probe did run a pipeline on the SQL store
    if not any(os.path.exists(p) for p in ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/dxg")):
        assert "pynvml" not in again  # no NVIDIA driver: GPU sampling does not load NVML's bindings
