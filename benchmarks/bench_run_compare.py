"""Run comparison benchmark (issue 14, point 9): comparing 100 runs by 300 attributes within 1 s.

The store (SQLite, in a temp folder) holds 200 runs of one pipeline of 5 steps. Each run has
10 pipeline parameters, 4 parameters per step, 120 run metrics, 10 metrics per step, 72 text
metadata entries and one output per step: with the run facts, step statuses and cache hits and
the snapshot's sources, 300 rows. Every other run is compared (100), by name, as a Viewer of
the project (so the visibility filter is part of the query). The app answers in process (no
network): the figure is what the server spends on ``GET /runs/compare``.

    python benchmarks/bench_run_compare.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

Record = Callable[[str, float, str, "float | None"], None]

RUNS = 200
COMPARED = 100
STEPS = ("load", "clean", "features", "train", "evaluate")
PIPELINE_PARAMETERS = 10
STEP_PARAMETERS = 4
RUN_METRICS = 120
STEP_METRICS = 10
TEXTS = 72
ATTRIBUTES = 300
REPEATS = 15


def _seed(folder: Path) -> tuple[FastAPI, str]:
    """The app over a store holding the runs; a project Viewer's API key."""
    from waypost.artifacts.store import ArtifactStore
    from waypost.enums import ExecutionStatus, MetadataType
    from waypost.schemas import MetadataCreate, RunCreate, StepRunCreate, StepRunFinish
    from waypost.server.app import create_app
    from waypost.settings import load_settings
    from waypost.store.sql.store import SqlStore
    from waypost.testing.factories import make_artifact_version, make_pipeline, make_spec

    settings = load_settings(
        store={"url": f"sqlite:///{folder / 'bench.db'}"}, artifact_store={"uri": str(folder / "artifacts")}
    )
    store = SqlStore(settings.store_url)
    pipe = make_pipeline(store, "bench_compare_runs")
    spec = make_spec(pipe.name, STEPS)
    snapshot = store.pipelines.snapshot(pipe.id, spec)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(RUNS):
        run = store.runs.create(
            RunCreate(
                name=f"bench-run-{n:03}",
                pipeline_id=pipe.id,
                snapshot_id=snapshot.id,
                status=ExecutionStatus.RUNNING,
                parameters={f"p{i}": (n + i) % 7 for i in range(PIPELINE_PARAMETERS)},
                tags=["bench"],
            )
        )
        entries = [
            MetadataCreate(key=f"m{i:03}", value=(n * 7 + i) % 100 / 100, type=MetadataType.FLOAT, run_id=run.id)
            for i in range(RUN_METRICS)
        ]
        entries += [
            MetadataCreate(key=f"t{i:02}", value=f"v{(n + i) % 3}", type=MetadataType.STRING, run_id=run.id)
            for i in range(TEXTS)
        ]
        for s, name in enumerate(STEPS):
            step_id = store.steps.start(
                StepRunCreate(
                    run_id=run.id,
                    name=name,
                    step_name=name,
                    status=ExecutionStatus.RUNNING,
                    parameters={f"k{i}": (n + s + i) % 5 for i in range(STEP_PARAMETERS)},
                    source_hash=spec.steps[s].source_hash,
                    started_at=start,
                )
            )
            output = {"output": make_artifact_version(f"bench_{name}", value=(n + s) % 4)}
            finished = StepRunFinish(status=ExecutionStatus.COMPLETED, ended_at=start)
            store.steps.finish(step_id, run.id, finished, output)
            entries += [
                MetadataCreate(
                    key=f"s{i}_loss", value=(n + i) / 10, type=MetadataType.FLOAT, run_id=run.id, step_run_id=step_id
                )
                for i in range(STEP_METRICS)
            ]
        store.metadata.add(entries)
        ended = start + timedelta(seconds=60 + n)
        store.runs.set_status(run.id, ExecutionStatus.COMPLETED, started_at=start, ended_at=ended)
    viewer = store.users.create("bench-viewer", password="benchmark password")
    store.access.grant("Viewer", user=viewer.id, project="default/default")
    key = store.auth.create_api_key(viewer.id, "bench").key
    return create_app(settings, store, ArtifactStore(settings.artifact_store_uri)), key


def bench_run_compare(record: Record) -> None:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory(prefix="wp-bench-run-compare-") as tmp:
        app, key = _seed(Path(tmp))
        picked = ",".join(f"bench-run-{n:03}" for n in range(0, RUNS, RUNS // COMPARED))
        url = f"/api/v1/runs/compare?runs={picked}"
        # The server answers only the hosts it is told to (127.0.0.1 by default).
        client = TestClient(app, base_url="http://127.0.0.1:8080", headers={"Authorization": f"Bearer {key}"})
        with client:
            first = client.get(url)
            assert first.status_code == 200, first.text
            body = first.json()
            assert len(body["runs"]) == COMPARED
            assert body["missing"] == []
            assert len(body["rows"]) == ATTRIBUTES, len(body["rows"])
            assert all(len(r["values"]) == COMPARED for r in body["rows"])
            assert all(r["values"][-1] is not None for r in body["rows"] if r["section"] != "run")

            def timed() -> float:
                t = time.perf_counter()
                r = client.get(url)
                assert r.status_code == 200, r.text
                return (time.perf_counter() - t) * 1000

            record(
                f"Compare {COMPARED} runs × {ATTRIBUTES} attributes (of {RUNS} runs), as a Viewer",
                statistics.median(timed() for _ in range(REPEATS)),
                "ms",
                1000,
            )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))

    def _print(name: str, value: float, unit: str, target: float | None) -> None:
        goal = f" (target ≤ {target:g} {unit})" if target is not None else ""
        print(f"{name}: {value:.1f} {unit}{goal}")

    bench_run_compare(_print)
