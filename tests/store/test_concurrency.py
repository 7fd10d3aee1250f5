"""Eight processes run a real pipeline against one SQLite store and one artifact folder at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from _concurrent_pipeline import ARTIFACTS, STEPS

from waypost.enums import ExecutionStatus
from waypost.store.sql.store import SqlStore

WORKERS, RUNS = 8, 5
HELPER = Path(__file__).with_name("_concurrent_pipeline.py")


@pytest.mark.slow
def test_eight_processes_record_every_run_step_and_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    env = {
        **os.environ,
        "WAYPOST_DATA_DIR": str(data_dir),
        "WAYPOST_CONFIG": str(tmp_path / "config.yaml"),
        "WAYPOST_EXECUTION__SHOW_PROGRESS": "false",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPER), str(worker), str(RUNS)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for worker in range(WORKERS)
    ]
    deadline = time.monotonic() + 300
    failures = []
    for worker, proc in enumerate(procs):
        try:
            out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        if proc.returncode != 0:
            failures.append(f"worker {worker} exited {proc.returncode}:\n{out[-3000:]}")
    assert not failures, "\n".join(failures)

    store = SqlStore(f"sqlite:///{data_dir / 'waypost.db'}")
    try:
        runs = store.runs.list("pipeline:concurrent_pipeline", size=WORKERS * RUNS + 10)
        assert runs.total == WORKERS * RUNS
        assert sorted(r.name for r in runs.items) == sorted(
            f"concurrent-{w}-{i}" for w in range(WORKERS) for i in range(RUNS)
        )
        assert {r.status for r in runs.items} == {ExecutionStatus.COMPLETED}

        produced: dict[str, set[object]] = {name: set() for name in ARTIFACTS}
        for run in runs.items:
            assert run.step_counts == {"completed": len(STEPS)}, run.name
            steps = store.steps.list(run.id)
            assert sorted(s.name for s in steps) == sorted(STEPS), run.name
            for s in steps:
                assert s.status == ExecutionStatus.COMPLETED
                assert len(s.outputs) == 1, f"{run.name}/{s.name} outputs {s.outputs}"
                version = store.artifacts.get_version(next(iter(s.outputs.values())))
                assert version.producer_run_id == run.id
                produced[version.name].add(version.id)

        expected = list(range(1, WORKERS * RUNS + 1))
        for name in ARTIFACTS:
            versions = store.artifacts.list_versions(f"name:{name}", sort="version", size=1000).items
            numbers = [v.version for v in versions]
            duplicates = [n for n, c in Counter(numbers).items() if c > 1]
            assert not duplicates, f"{name} has duplicate version numbers {duplicates}"
            assert numbers == expected, f"{name} versions have gaps: {sorted(set(expected) - set(numbers))}"
            assert {v.id for v in versions} == produced[name], f"{name}: versions not linked to their steps"
            assert store.artifacts.get(name).latest_version == WORKERS * RUNS
            missing = [v.uri for v in versions if not Path(v.uri).exists()]
            assert not missing, f"{name}: versions without files: {missing[:3]}"
    finally:
        store.close()
