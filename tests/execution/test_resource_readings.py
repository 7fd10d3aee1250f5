"""The sampler's readings: taken from /proc on Linux, they match psutil's; psutil is the fallback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from waypost.execution.resources import ResourceSampler, _Readings

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc readings are Linux's")


@linux_only
def test_proc_readings_match_psutil() -> None:
    readings = _Readings()
    rss = readings.rss_bytes()
    assert abs(rss - psutil.Process().memory_info().rss) < 8 * 2**20  # the two reads are moments apart
    assert abs(readings.system_mem_percent() - psutil.virtual_memory().percent) < 2
    assert readings.start_time() == pytest.approx(psutil.Process().create_time(), abs=0.02)
    assert readings._proc  # /proc answered: psutil was not needed


def test_psutil_answers_where_proc_cannot() -> None:
    readings = _Readings()
    readings._proc = False  # as on macOS and Windows
    assert readings.rss_bytes() > 0
    assert 0 < readings.system_mem_percent() <= 100
    assert readings.start_time() == pytest.approx(psutil.Process().create_time(), abs=0.02)


def test_process_start_time_gives_a_plausible_first_cpu_percent() -> None:
    # The first sample averages CPU time over the process's life: a wrong start time shows here.
    sample = ResourceSampler(60.0).track().stop()[0]
    age = time.time() - psutil.Process().create_time()
    assert 0 <= sample["cpu_percent"] <= 100 * (os.cpu_count() or 1) * 1.1
    assert sample["cpu_percent"] == pytest.approx(100 * time.process_time() / age, rel=0.5, abs=5)


PROBE = """
import json, sys
from waypost import pipeline, step

@step
def one() -> int:
    return 1

@pipeline(name="probe")
def probe() -> None:
    one()

probe.with_options(enable_cache=False)()
print(json.dumps("psutil" in sys.modules))
"""


@linux_only
@pytest.mark.slow
def test_running_a_step_on_linux_does_not_import_psutil(waypost_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=dict(os.environ), capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) is False
