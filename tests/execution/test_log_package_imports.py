"""The logs package loads each part on first use: a run writes logs but never reads or searches them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

READERS = ["waypost.execution.logs.reading", "waypost.execution.logs.searching"]

PROBE = """
import json, sys
from waypost import pipeline, step

@step
def one() -> int:
    print("hello")
    return 1

@pipeline(name="probe")
def probe() -> None:
    one()

probe.with_options(enable_cache=False)()
print(json.dumps([m for m in %r if m in sys.modules]))
"""


@pytest.mark.slow
def test_a_run_does_not_import_the_log_readers(waypost_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % READERS], env=dict(os.environ), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []


@pytest.mark.parametrize("first", ["searching", "reading", "sink", "routing", "patterns"])
def test_every_part_imports_first_and_every_name_resolves(first: str) -> None:
    code = (
        f"import waypost.execution.logs.{first}\n"
        "from waypost.execution import logs\n"
        "from waypost.execution.logs import reading\n"
        "names = [getattr(logs, n) for n in logs.__all__]\n"
        "assert reading.search is logs.search and reading.COUNT_CAP > 0\n"
        "print(len(names))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [str(14)]
