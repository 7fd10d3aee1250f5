"""The data the dashboard benchmarks open, built once with the real SDK and kept in a cache folder.

One SQLite store (plus its artifact folder) holds everything the browser measures:

- a 1,000-step run: ``source`` fanned out to 499 ``train`` calls, plus 10 chains of 50 ``stage`` calls;
- a 10,000-step run: ``source`` fanned out to 9,999 ``work`` calls, at the default parallelism;
- a step whose log holds 1,000,000 lines (over 100 MB) in the real chunk format;
- 1,000,000 bulk-inserted runs over a handful of real pipelines, for the runs list.

Building it takes a few minutes on the 2-core reference machine, so it lives under the system
temp folder, keyed by ``DATA_VERSION`` and the store's migrations (a schema change rebuilds it),
and ``ready.json`` is written last: a folder without it is a build that did not finish.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import numpy as np
from sqlalchemy import insert

from waypost import Pipeline, pipeline, step

DATA_VERSION = 2
"""Bump when what is built here changes, so older caches are not reused."""

RUNS = 1_000_000
LOG_LINES = 1_000_000
SEARCH_TERM = "checkpoint-corrupt"
"""Occurs a few times in the big log (see ``_log_message``)."""
SEARCH_EVERY = 200_000
ADMIN = "bench-admin"
PASSWORD = "benchmark password"


@dataclass(frozen=True)
class Dataset:
    folder: str
    store_url: str
    artifact_uri: str
    dag_run: str
    timeline_run: str
    logs_run: str
    logs_step: str
    log_bytes: int
    runs: int
    heatmap_artifact: str

    @property
    def env(self) -> dict[str, str]:
        """Environment that points Waypost (SDK or server) at this data."""
        return {
            "WAYPOST_DATA_DIR": self.folder,
            "WAYPOST_STORE__URL": self.store_url,
            "WAYPOST_ARTIFACT_STORE__URI": self.artifact_uri,
        }


# -- the pipelines (real steps, real runs) --------------------------------------------------------
@step
def source() -> int:
    return 1


@step
def train(x: int) -> int:
    return x + 1


@step
def stage(x: int) -> int:
    return x + 1


@step
def work(x: int) -> int:
    return x + 1


@step
def chatty() -> int:
    print("chatty: the real log follows")
    return 0


@pipeline(name="bench_dag_1000", enable_cache=False)
def dag_1000() -> None:
    """The shape the DAG view is tuned against: a 499-wide fan-out beside 10 chains of 50."""
    root = source()
    for _ in range(499):
        train(root)
    for _ in range(10):
        v = root
        for _ in range(50):
            v = stage(v)


@pipeline(name="bench_timeline_10000", enable_cache=False)
def timeline_10000() -> None:
    root = source()
    for _ in range(9_999):
        work(root)


@pipeline(name="bench_logs", enable_cache=False)
def logs_1m() -> None:
    chatty()


HEATMAP_ARTIFACT = "bench_heatmap_2000"


@step
def big_matrix() -> Annotated[np.ndarray, HEATMAP_ARTIFACT]:
    """A 2,000 x 2,000 array: its heatmap is stored downsampled, with the original shape."""
    rng = np.random.default_rng(0)
    x = np.linspace(0, 6 * np.pi, 2_000, dtype=np.float32)
    return (np.sin(x)[:, None] * np.cos(x)[None, :] + rng.normal(0, 0.1, (2_000, 2_000))).astype(np.float32)


@pipeline(name="bench_heatmap", enable_cache=False)
def heatmap_2000() -> None:
    big_matrix()


PIPELINES = (
    "nightly_etl",
    "train_resnet50",
    "feature_refresh",
    "eval_llm_judge",
    "batch_scoring",
    "hparam_sweep",
    "iris_training",
    "embeddings_backfill",
)
USERS = ("ana", "bo", "chen", "dmitri", "eve")


def _small(name: str) -> Pipeline:
    @pipeline(name=name, enable_cache=False)
    def p() -> None:
        stage(source())

    return p


# -- building ---------------------------------------------------------------------------------------
def _schema_key() -> str:
    """A short hash of the store's migrations, so a schema change invalidates the cache."""
    import waypost.store.sql.migrations as migrations

    versions = Path(migrations.__file__).parent / "versions"
    names = sorted(p.name for p in versions.glob("*.py"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:10]


def cache_folder() -> Path:
    return Path(tempfile.gettempdir()) / f"waypost-bench-dashboard-v{DATA_VERSION}-{_schema_key()}"


def load_or_build(log: bool = True) -> Dataset:
    """The cached dataset, building it first when there is none (minutes; printed as it goes)."""
    folder = cache_folder()
    ready = folder / "ready.json"
    if ready.is_file():
        return Dataset(**json.loads(ready.read_text()))
    # An interrupted build, or data of an older version or schema (close to 1 GB each).
    for old in folder.parent.glob("waypost-bench-dashboard-v*"):
        shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    data = _build(folder, log)
    ready.write_text(json.dumps(asdict(data), indent=2))
    if log:
        print(f"dashboard bench data built in {time.perf_counter() - t0:.0f} s at {folder}", flush=True)
    return data


def _build(folder: Path, log: bool) -> Dataset:
    from waypost.execution import runtime

    def say(msg: str) -> None:
        if log:
            print(f"  [dashboard data] {msg}", flush=True)

    store_url = f"sqlite:///{folder / 'waypost.db'}"
    artifact_uri = str(folder / "artifacts")
    env = {
        "WAYPOST_DATA_DIR": str(folder),
        "WAYPOST_STORE__URL": store_url,
        "WAYPOST_ARTIFACT_STORE__URI": artifact_uri,
        "WAYPOST_EXECUTION__SHOW_PROGRESS": "false",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    runtime.reset()
    try:
        say("1,000-step run")
        dag = dag_1000()
        say("10,000-step run (about a minute)")
        timeline = timeline_10000()
        say("a step with 1,000,000 log lines")
        logs_run = logs_1m()
        log_bytes = _write_big_log(logs_run.id, "chatty")
        say("a 2,000 x 2,000 array")
        heatmap_2000()
        say(f"{RUNS:,} runs")
        _insert_runs(store_url)
    finally:
        runtime.reset()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Dataset(
        folder=str(folder),
        store_url=store_url,
        artifact_uri=artifact_uri,
        dag_run=str(dag.id),
        timeline_run=str(timeline.id),
        logs_run=str(logs_run.id),
        logs_step="chatty",
        log_bytes=log_bytes,
        runs=RUNS,
        heatmap_artifact=HEATMAP_ARTIFACT,
    )


def _log_message(i: int, rng: random.Random) -> tuple[str, str, str | None]:
    """(source, text, level) of line ``i``: a training loop's chatter, warnings, a rare marker."""
    if i % SEARCH_EVERY == SEARCH_EVERY // 2:
        return "logging", f"{SEARCH_TERM}: shard {i // SEARCH_EVERY} failed its checksum, reloading", "ERROR"
    if i % 997 == 0:
        return (
            "stderr",
            f"UserWarning: batch {i} has {rng.randint(1, 9)} samples with NaN labels; they are dropped",
            None,
        )
    if i % 50 == 0:
        return (
            "logging",
            f"epoch {i // 50_000} step {i} loss={rng.random():.5f} lr=3.0e-04 grad_norm={rng.random() * 4:.3f}",
            "INFO",
        )
    return (
        "stdout",
        f"step {i:>7} | loss {rng.random():.6f} | acc {rng.random():.4f} | {rng.randint(800, 1400)} samples/s | "
        f"gpu mem {rng.randint(10_000, 40_000)} MiB",
        None,
    )


def _write_big_log(run_id: uuid.UUID, step_name: str) -> int:
    """Replace the step's log with LOG_LINES lines, written through the real sink; its size in bytes."""
    from waypost.artifacts.store import ArtifactStore
    from waypost.client import Client
    from waypost.execution.logs.sink import StepLogSink

    sr = Client().store.steps.get(run_id, step_name)
    assert sr.log_uri, "the step stored no log location"
    store = ArtifactStore(os.environ["WAYPOST_ARTIFACT_STORE__URI"])
    # The sink numbers lines from 0, so its first chunk replaces the one the step wrote.
    sink = StepLogSink(store, sr.log_uri, flush_interval=60)
    rng = random.Random(4)
    for i in range(LOG_LINES):
        src, text, level = _log_message(i, rng)
        sink.write_line(src, text, level)
    sink.close()
    folder = Path(sr.log_uri)
    return sum(p.stat().st_size for p in folder.glob("*.jsonl")) if folder.is_dir() else 0


def _insert_runs(store_url: str) -> None:
    """RUNS finished runs over real pipelines and users, one every ~40 s back from now, with Core."""
    from waypost.client import Client
    from waypost.store.sql.store import SqlStore
    from waypost.store.sql.tables import pipeline_runs

    for name in PIPELINES:
        _small(name)()
    client = Client()
    pipes = {r.pipeline_name: (r.pipeline_id, r.snapshot_id) for r in client.list_pipeline_runs(size=100).items}
    targets = [pipes[n] for n in PIPELINES]
    store = SqlStore(store_url)
    try:
        users = [store.users.create(ADMIN, password=PASSWORD, is_admin=True).id]
        users += [store.users.create(u, password=f"{u} benchmark password").id for u in USERS]
        rng = random.Random(7)
        statuses = ["completed"] * 80 + ["cached"] * 8 + ["failed"] * 9 + ["crashed", "stopped", "stopped"]
        # Older than the real runs above, so those stay on top of the newest-first list.
        start = datetime.now(UTC) - timedelta(seconds=40 * RUNS + 3600)
        for lo in range(0, RUNS, 50_000):
            rows = []
            for i in range(lo, min(RUNS, lo + 50_000)):
                p = rng.randrange(len(PIPELINES))
                created = start + timedelta(seconds=40 * i, microseconds=rng.randrange(1_000_000))
                status = rng.choice(statuses)
                duration = timedelta(seconds=rng.lognormvariate(5, 1.3))
                pipeline_id, snapshot_id = targets[p]
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "name": f"{PIPELINES[p]}-{created:%Y_%m_%d-%H_%M_%S_%f}",
                        "pipeline_id": pipeline_id,
                        "snapshot_id": snapshot_id,
                        "status": status,
                        "status_reason": "step 'train' failed: CUDA out of memory" if status == "failed" else None,
                        "config": {"enable_cache": True},
                        "parameters": {"lr": round(10 ** rng.uniform(-5, -2), 6), "epochs": rng.choice((3, 10, 30))},
                        "orchestrator": "local",
                        "user_id": rng.choice(users),
                        "created_at": created,
                        "started_at": created,
                        "ended_at": created + duration,
                        "heartbeat_at": created + duration,
                    }
                )
            with store.sessions.write() as s:
                s.execute(insert(pipeline_runs), rows)
    finally:
        store.close()
