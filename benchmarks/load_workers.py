"""Load test: N simulated Dask workers driving 1,000 concurrent steps through a live Waypost server.

A standalone tool, not a `make bench` row (a run takes minutes and needs PostgreSQL):

    .venv/bin/python benchmarks/load_workers.py --workers 100 --steps 1000 \\
        --db postgresql://postgres@127.0.0.1:5432/waypost_load

It creates the database named in ``--db`` (it must not exist) and drops it at the end, seeds
it with an admin, a service account with an API key, and one run of a pipeline of independent
steps, then starts ``--servers`` server processes (``waypost up --serve-only``, each with its own
pool of ``--pool-size`` connections) on loopback ports; workers are spread over them
round-robin, as a load balancer would. Every worker is one ``httpx.AsyncClient`` with the
RestStore's connection limits and the service account's key, and drives ``steps / workers``
step slots at once; each slot runs ``--rounds`` steps one after the other. A step makes the
requests a step of the dask orchestrator makes through the RestStore, with the same bodies:

- the launcher's cache look-up (``GET /step-runs/cached``), one at a time from one client, as
  the orchestrator's submit loop makes them (``--launcher off``: none, every slot starts at once);
- step start (``POST /step-runs``), the worker's host and pid (``POST /metadata``);
- one ``log_metadata`` call (``POST /metadata``) in the middle of the step;
- while it runs, a heartbeat of the run every ``--heartbeat-s`` (``POST /runs/{id}/heartbeat``),
  as a worker beats for each step it runs (``--heartbeat worker``: one beat per worker instead);
- step finish with one output artifact version and a resource sample a second
  (``POST /step-runs/{id}/finish``);
- with ``--log-through-server``, a log chunk a second (``PUT /runs/{id}/log-chunks/...``), as
  with ``store.artifact_transfer: upload``; by default logs go to the artifact store directly.

Steps last ``--step-s`` seconds times a random factor in [0.5, 1.5]. Requests are never
retried: any non-2xx answer or transport error counts as an error. At the end the database must
hold every step run completed and every metadata entry.

Printed: requests/s (mean, and over the busiest 5 s), p50/p95/p99 latency per route, errors,
each step's overhead (end to end less its simulated work), the server processes' CPU (100 % is
one core) and peak RSS, the database's connections (peak open and active, sessions opened, what
active ones waited on), the time PostgreSQL spent executing statements
(``pg_stat_database.active_time``, lock waits included), its commits and its backends' CPU, the
load generator's own CPU, and how late its event loop ran (when it lags, the client limits the
figures). ``--json PATH`` writes the same as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
from sqlalchemy.engine import make_url

from waypost.enums import ExecutionStatus, MetadataType
from waypost.schemas import (
    ArtifactVersionCreate,
    MetadataCreate,
    PipelineSpec,
    RunCreate,
    StepRunCreate,
    StepRunFinish,
    StepSpec,
)
from waypost.schemas.spec import OutputSpec
from waypost.schemas.store_api import StepFinishRequest

API = "/api/v1"
SOURCE = "def simulated(x: int = 0) -> int:\n" + "".join(
    f"    x += {i}  # a line of the step's body\n" for i in range(30)
)
SOURCE_HASH = hashlib.sha256(SOURCE.encode()).hexdigest()
MATERIALIZER = "waypost.artifacts.materializers.builtin.BuiltinMaterializer"


@dataclass
class Stats:
    """What the load phase measured."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    loop_lag_ms: list[float] = field(default_factory=list)
    overhead_ms: list[float] = field(default_factory=list)  # a step's end to end time less its simulated work
    done_at: list[float] = field(default_factory=list)  # when each request was answered (perf_counter)


# -- the database -------------------------------------------------------------------------------


def _connect(db_url: str, database: str | None = None) -> psycopg.Connection[Any]:
    """A connection to the server of ``db_url``: to ``database``, else to the URL's own."""
    url = make_url(db_url)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname=database or url.database,
        autocommit=True,
    )


def _admin_connection(db_url: str) -> psycopg.Connection[Any]:
    return _connect(db_url, "postgres")


@contextmanager
def fresh_database(db_url: str, keep: bool) -> Iterator[str]:
    """Create the database of ``db_url``; drop it afterwards unless ``keep``."""
    name = make_url(db_url).database
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"--db must name a database of letters, digits and _ (got {name!r}).")
    with _admin_connection(db_url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            raise SystemExit(f"Database {name} exists already; name a fresh one in --db (it is dropped at the end).")
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        if not keep:
            with _admin_connection(db_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(db_url: str, steps: int, rounds: int) -> tuple[str, str, uuid.UUID]:
    """Schema, an admin and a service account with keys, one running run; return (admin key, worker key, run id)."""
    from waypost.store.sql.store import SqlStore

    store = SqlStore(db_url)
    try:
        admin = store.users.create("load-admin", is_admin=True, is_service_account=True)
        workers = store.users.create("dask-workers", is_service_account=True)  # Developer of the default workspace
        admin_key = store.auth.create_api_key(admin.id, "launcher").key
        worker_key = store.auth.create_api_key(workers.id, "workers").key
        spec = PipelineSpec(
            name="load",
            steps=[
                StepSpec(
                    name=step_name(i, r),
                    step_name="simulated",
                    source="load_pipeline.simulated",
                    source_hash=SOURCE_HASH,
                    source_code=SOURCE,
                    outputs=[OutputSpec(name="output", data_type="builtins.int")],
                )
                for r in range(rounds)
                for i in range(steps)
            ],
        )
        pipeline = store.pipelines.get_or_create("load")
        snapshot = store.pipelines.snapshot(pipeline.id, spec)
        run = store.runs.create(
            RunCreate(
                name=f"load-{uuid.uuid4().hex[:8]}",
                pipeline_id=pipeline.id,
                snapshot_id=snapshot.id,
                status=ExecutionStatus.RUNNING,
                orchestrator="dask",
                user_id=admin.id,
                started_at=datetime.now(UTC),
            )
        )
        return admin_key, worker_key, run.id
    finally:
        store.close()


def step_name(i: int, r: int) -> str:
    return f"simulated_{r}_{i:04d}"


def verify(db_url: str, run_id: uuid.UUID, expected_steps: int) -> list[str]:
    """What the database lacks after the load (empty when every step and entry was recorded)."""
    with _connect(db_url) as conn:
        done = conn.execute(
            "SELECT count(*) FROM step_runs WHERE run_id = %s AND status = 'completed'", (run_id,)
        ).fetchone()
        entries = conn.execute("SELECT count(*) FROM metadata_entries WHERE run_id = %s", (run_id,)).fetchone()
    problems = []
    if done is None or done[0] != expected_steps:
        problems.append(f"{done[0] if done else 0} of {expected_steps} step runs recorded completed")
    if entries is None or entries[0] != 4 * expected_steps:
        problems.append(f"{entries[0] if entries else 0} of {4 * expected_steps} metadata entries recorded")
    return problems


# -- the servers --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def servers(db_url: str, count: int, pool_size: int, artifacts: Path) -> Iterator[list[tuple[str, psutil.Process]]]:
    """``count`` processes of ``waypost up --serve-only`` on one database; yields (URL, process) of each."""
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        for _ in range(count):
            port = _free_port()
            env = {
                **os.environ,
                "WAYPOST_DATA_DIR": tempfile.mkdtemp(prefix="wp-load-server-"),
                "WAYPOST_STORE__URL": db_url,
                "WAYPOST_STORE__POOL_SIZE": str(pool_size),
                "WAYPOST_ARTIFACT_STORE__URI": str(artifacts),
                "WAYPOST_SERVER__HOST": "127.0.0.1",
                "WAYPOST_SERVER__PORT": str(port),
            }
            code = "from waypost.cli.main import main; main()"
            proc = subprocess.Popen(
                [sys.executable, "-c", code, "up", "--serve-only"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append((f"http://127.0.0.1:{port}", proc))
        for url, proc in procs:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"The server at {url} exited at start with code {proc.returncode}.")
                try:
                    if httpx.get(f"{url}{API}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(f"The server at {url} did not start within 60 s.")
                time.sleep(0.1)
        yield [(url, psutil.Process(proc.pid)) for url, proc in procs]
    finally:
        for _, proc in procs:
            proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Monitor(threading.Thread):
    """Every half second: the servers' CPU and RSS; the database's connections, what its active ones wait on,
    and the CPU time of its backends (a backend that lives less than half a second is missed)."""

    def __init__(self, procs: list[psutil.Process], db_url: str, database: str) -> None:
        super().__init__(daemon=True)
        self.procs = procs
        self.database = database
        self.conn = _admin_connection(db_url)
        self.stop = threading.Event()
        self.cpu: list[float] = []
        self.rss: list[int] = []
        self.connections: list[tuple[int, int]] = []  # (open, active)
        self.waits: Counter[str] = Counter()  # active backends by what they wait on, summed over samples
        self.backend_cpu: dict[int, float] = {}

    def run(self) -> None:
        for p in self.procs:
            p.cpu_percent(None)
        while not self.stop.wait(0.5):
            self.cpu.append(sum(p.cpu_percent(None) for p in self.procs))
            self.rss.append(sum(p.memory_info().rss for p in self.procs))
            rows = self.conn.execute(
                "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity WHERE datname = %s",
                (self.database,),
            ).fetchall()
            active = [r for r in rows if r[1] == "active"]
            self.connections.append((len(rows), len(active)))
            for _, _, kind, event in active:
                self.waits["running (CPU)" if kind is None else f"{kind}:{event}"] += 1
            for pid, *_ in rows:
                try:
                    t = psutil.Process(pid).cpu_times()
                except psutil.Error:
                    continue
                self.backend_cpu[pid] = t.user + t.system

    def db_counters(self) -> dict[str, float]:
        """PostgreSQL's counters for the database so far: statement time (ms), commits, sessions opened."""
        row = self.conn.execute(
            "SELECT active_time, xact_commit, sessions FROM pg_stat_database WHERE datname = %s", (self.database,)
        ).fetchone()
        names = ("active_ms", "commits", "sessions")
        return {n: float(v or 0) for n, v in zip(names, row or (0, 0, 0), strict=True)}


# -- the workers --------------------------------------------------------------------------------


def _client(url: str, key: str) -> httpx.AsyncClient:
    """A client as the RestStore's: keep-alive, 32 connections at most, 30 s timeout."""
    return httpx.AsyncClient(
        base_url=url + API,
        headers={"Authorization": f"Bearer {key}", "Accept": "application/json", "User-Agent": "waypost-reststore"},
        timeout=httpx.Timeout(30.0, connect=5.0),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


async def _call(
    stats: Stats, route: str, client: httpx.AsyncClient, method: str, path: str, **kwargs: Any
) -> httpx.Response | None:
    t = time.perf_counter()
    try:
        r = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        stats.errors[f"{route}: {type(exc).__name__}"] += 1
        return None
    now = time.perf_counter()
    stats.latencies[route].append((now - t) * 1000)
    stats.done_at.append(now)
    if r.is_error:
        stats.errors[f"{route}: HTTP {r.status_code} {r.text[:120]}"] += 1
        return None
    return r


def _json(model: Any) -> dict[str, Any]:
    body = (
        b"[" + b",".join(m.model_dump_json().encode() for m in model) + b"]"
        if isinstance(model, list)
        else model.model_dump_json().encode()
    )
    return {"content": body, "headers": {"Content-Type": "application/json"}}


@dataclass
class Load:
    run_id: uuid.UUID
    artifacts: Path
    step_s: float
    heartbeat_s: float
    rounds: int
    logs_through_server: bool
    sequential_launcher: bool
    beat_per_worker: bool
    stats: Stats = field(default_factory=Stats)
    ready: asyncio.Queue[tuple[str, asyncio.Future[None]]] = field(default_factory=asyncio.Queue)

    async def launcher(self, client: httpx.AsyncClient) -> None:
        """The launching process: one cache look-up at a time, as the dask orchestrator's submit loop does them."""
        while True:
            key, submitted = await self.ready.get()
            params = {"cache_key": key}
            await _call(self.stats, "cache look-up (launcher)", client, "GET", "/step-runs/cached", params=params)
            submitted.set_result(None)

    async def step(self, worker: httpx.AsyncClient, host: str, i: int, r: int) -> None:
        name, s = step_name(i, r), self.stats
        ready = time.perf_counter()
        key = hashlib.sha256(f"{self.run_id}/{name}".encode()).hexdigest()
        if self.sequential_launcher:
            submitted = asyncio.get_running_loop().create_future()
            await self.ready.put((key, submitted))
            await submitted
        log_uri = f"{self.artifacts}/logs/{self.run_id.hex}/{name}"
        start = StepRunCreate(
            run_id=self.run_id,
            name=name,
            step_name="simulated",
            status=ExecutionStatus.RUNNING,
            cache_key=key,
            cache_components={"source": SOURCE_HASH, "parameters": {"x": i}, "inputs": {}},
            cache_miss_reason="No earlier run of this step with the same code, parameters and inputs.",
            parameters={"x": i},
            config={"enable_cache": None, "retry": None, "resources": None},
            source_code=SOURCE,
            source_hash=SOURCE_HASH,
            log_uri=log_uri,
            started_at=datetime.now(UTC),
        )
        ended = asyncio.Event()
        if not self.beat_per_worker:  # a Dask worker beats the run while each of its steps runs
            beating = asyncio.create_task(self.heartbeats(worker, ended))
        r_start = await _call(s, "step start", worker, "POST", "/step-runs", **_json([start]))
        if r_start is None:
            ended.set()
            return
        step_run_id = uuid.UUID(r_start.json()["ids"][0])
        where = {"worker.host": host, "worker.pid": 40_000 + i % 1000}
        entries = [
            MetadataCreate(
                key=k,
                value=v,
                type=MetadataType.STRING if isinstance(v, str) else MetadataType.INT,
                run_id=self.run_id,
                step_run_id=step_run_id,
            )
            for k, v in where.items()
        ]
        await _call(s, "metadata", worker, "POST", "/metadata", **_json(entries))
        duration = self.step_s * random.uniform(0.5, 1.5)
        began = time.monotonic()
        samples: list[dict[str, Any]] = []
        lines: list[bytes] = []
        logged = False
        while (left := duration - (time.monotonic() - began)) > 0:
            await asyncio.sleep(min(1.0, left))
            samples.append(
                {"t": time.time(), "cpu_percent": 99.0, "rss_bytes": 250_000_000, "system_mem_percent": 40.0}
            )
            if not logged and time.monotonic() - began >= duration / 2:
                logged = True
                metrics = [
                    MetadataCreate(key=k, value=v, type=MetadataType.FLOAT, run_id=self.run_id, step_run_id=step_run_id)
                    for k, v in {"accuracy": random.random(), "loss": random.random()}.items()
                ]
                await _call(s, "metadata", worker, "POST", "/metadata", **_json(metrics))
            if self.logs_through_server:
                n = len(lines)
                lines.append(
                    f'{{"n":{n},"t":{time.time()},"s":"stdout","l":null,"m":"epoch {n}: loss 0.1"}}\n'.encode()
                )
                path = f"/runs/{self.run_id}/log-chunks/{name}/{0:012d}.jsonl"
                headers = {"Content-Type": "application/octet-stream"}
                await _call(s, "log chunk (upload mode)", worker, "PUT", path, content=b"".join(lines), headers=headers)
        version_id = uuid.uuid4()
        payload = f"{i}".encode()
        output = ArtifactVersionCreate(
            id=version_id,
            name=f"load::{name}::output",
            uri=f"{self.artifacts}/artifacts/load::{name}::output/{version_id.hex}",
            data_type="builtins.int",
            materializer=MATERIALIZER,
            materializer_version="1",
            size=len(payload),
            content_hash=hashlib.sha256(payload).hexdigest(),
        )
        finish = StepFinishRequest(
            run_id=self.run_id,
            result=StepRunFinish(
                status=ExecutionStatus.COMPLETED, ended_at=datetime.now(UTC), resource_samples=samples
            ),
            outputs={"output": output},
        )
        if await _call(s, "step finish", worker, "POST", f"/step-runs/{step_run_id}/finish", **_json(finish)):
            s.overhead_ms.append((time.perf_counter() - ready - duration) * 1000)
        ended.set()
        if not self.beat_per_worker:
            await beating

    async def heartbeats(self, worker: httpx.AsyncClient, done: asyncio.Event) -> None:
        """Beat the run every ``heartbeat_s`` until ``done`` (the first beat after one interval, as Heartbeats)."""
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), self.heartbeat_s)
            if done.is_set():
                return
            await _call(self.stats, "heartbeat", worker, "POST", f"/runs/{self.run_id}/heartbeat")

    async def worker(self, url: str, key: str, w: int, slots: list[int]) -> None:
        host = f"dask-worker-{w:03d}"
        async with _client(url, key) as client:
            await client.post(f"/runs/{self.run_id}/heartbeat")  # the first connection, not measured
            done = asyncio.Event()
            beats = asyncio.create_task(self.heartbeats(client, done) if self.beat_per_worker else done.wait())

            async def slot(i: int) -> None:
                for r in range(self.rounds):
                    await self.step(client, host, i, r)

            await asyncio.gather(*(slot(i) for i in slots))
            done.set()
            await beats

    async def loop_lag(self, done: asyncio.Event) -> None:
        while not done.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.1)
            self.stats.loop_lag_ms.append(max(0.0, (time.perf_counter() - t - 0.1) * 1000))

    async def run(self, urls: list[str], admin_key: str, worker_key: str, workers: int, steps: int) -> float:
        """Drive every worker to the end; return the wall time of the load in seconds."""
        async with _client(urls[0], admin_key) as launcher:
            done = asyncio.Event()
            lag = asyncio.create_task(self.loop_lag(done))
            submitting = asyncio.create_task(self.launcher(launcher))
            t = time.perf_counter()
            await asyncio.gather(
                *(
                    self.worker(urls[w % len(urls)], worker_key, w, list(range(w, steps, workers)))
                    for w in range(workers)
                )
            )
            wall = time.perf_counter() - t
            done.set()
            submitting.cancel()
            await lag
            change = {"status": "completed", "ended_at": datetime.now(UTC).isoformat()}
            await _call(
                self.stats, "run status (launcher)", launcher, "PUT", f"/runs/{self.run_id}/status", json=change
            )
            return wall


# -- the report ---------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=100, help="simulated Dask workers (default 100)")
    parser.add_argument("--steps", type=int, default=1000, help="concurrent steps over all workers (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="steps each step slot runs in a row (default 3)")
    parser.add_argument("--step-s", type=float, default=5.0, help="mean length of a step in seconds (default 5)")
    parser.add_argument(
        "--heartbeat",
        choices=("step", "worker"),
        default="step",
        help="who beats the run's heartbeat: every running step (as the dask orchestrator's workers do) or\n"
        "each worker once",
    )
    parser.add_argument(
        "--heartbeat-s", type=float, default=5.0, help="the heartbeat interval (default 5, the setting's)"
    )
    parser.add_argument("--servers", type=int, default=1, help="server processes, workers spread round-robin")
    parser.add_argument("--pool-size", type=int, default=5, help="store.pool_size of each server (default 5)")
    parser.add_argument(
        "--launcher",
        choices=("sequential", "off"),
        default="sequential",
        help="the launcher's cache look-ups: one at a time, as the dask orchestrator makes them, or none (so that\n"
        "every step slot starts at once and only the workers' routes are loaded)",
    )
    parser.add_argument("--log-through-server", action="store_true", help="log chunks through the server (upload)")
    parser.add_argument(
        "--db",
        default=f"postgresql://postgres@127.0.0.1:5432/waypost_load_{uuid.uuid4().hex[:8]}",
        help="a PostgreSQL URL naming a database that does not exist yet (created, then dropped)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database at the end")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.workers < 1 or args.steps < args.workers or args.rounds < 1 or args.servers < 1:
        raise SystemExit("Need --workers ≥ 1, --steps ≥ --workers, --rounds ≥ 1 and --servers ≥ 1.")

    figures = measure(args)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if figures["errors"] or figures["missing"]:
        raise SystemExit(1)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Seed, serve, load, and collect the figures."""
    artifacts = Path(tempfile.mkdtemp(prefix="wp-load-artifacts-"))
    load_avg = os.getloadavg()[0]
    with fresh_database(args.db, args.keep_db) as database:
        admin_key, worker_key, run_id = seed(args.db, args.steps, args.rounds)
        with servers(args.db, args.servers, args.pool_size, artifacts) as running:
            monitor = Monitor([p for _, p in running], args.db, database)
            db0 = monitor.db_counters()
            me = psutil.Process()
            me_cpu0 = sum(me.cpu_times()[:2])
            monitor.start()
            load = Load(
                run_id,
                artifacts,
                args.step_s,
                args.heartbeat_s,
                args.rounds,
                args.log_through_server,
                args.launcher == "sequential",
                args.heartbeat == "worker",
            )
            wall = asyncio.run(load.run([u for u, _ in running], admin_key, worker_key, args.workers, args.steps))
            me_cpu = sum(me.cpu_times()[:2]) - me_cpu0
            monitor.stop.set()
            monitor.join()
            time.sleep(1.5)  # backends report their statistics at most once a second
            db = {k: v - db0[k] for k, v in monitor.db_counters().items()}
        missing = verify(args.db, run_id, args.steps * args.rounds)
    s = load.stats
    total = sum(len(v) for v in s.latencies.values())
    done = sorted(s.done_at)
    # The busiest 5 s: requests answered in the window that starts at each answer.
    j, peak = 0, 0
    for i, t in enumerate(done):
        while done[j] < t - 5:
            j += 1
        peak = max(peak, i - j + 1)
    samples = sum(monitor.waits.values()) or 1
    return {
        **{
            k: getattr(args, k) for k in ("workers", "steps", "rounds", "step_s", "heartbeat", "heartbeat_s", "servers")
        },
        **{k: getattr(args, k) for k in ("pool_size", "launcher", "log_through_server")},
        "cpus": os.cpu_count(),
        "load_average_before": round(load_avg, 2),
        "wall_s": round(wall, 1),
        "requests": total,
        "requests_per_s": round(total / wall, 1),
        "requests_per_s_peak_5s": round(peak / 5, 1),
        "errors": sum(s.errors.values()),
        "error_kinds": dict(s.errors.most_common(5)),
        "routes": {
            route: {
                "count": len(v),
                "per_s": round(len(v) / wall, 1),
                "p50_ms": round(statistics.median(v), 1),
                "p95_ms": round(pct(v, 95), 1),
                "p99_ms": round(pct(v, 99), 1),
            }
            for route, v in sorted(s.latencies.items())
        },
        "step_overhead_ms": {"p50": round(pct(s.overhead_ms, 50)), "p95": round(pct(s.overhead_ms, 95))},
        "server_cpu_percent_mean": round(statistics.fmean(monitor.cpu)) if monitor.cpu else 0,
        "server_cpu_percent_max": round(max(monitor.cpu, default=0)),
        "server_rss_mib_max": round(max(monitor.rss, default=0) / 2**20),
        "db_connections_max": max((c for c, _ in monitor.connections), default=0),
        "db_connections_active_max": max((a for _, a in monitor.connections), default=0),
        "db_active_waiting_on": {k: round(v / samples, 2) for k, v in monitor.waits.most_common(4)},
        "db_statement_time_s": round(db["active_ms"] / 1000, 1),
        "db_commits": int(db["commits"]),
        "db_sessions_opened": int(db["sessions"]),
        "db_backend_cpu_s": round(sum(monitor.backend_cpu.values()), 1),
        "load_generator_cpu_s": round(me_cpu, 1),
        "loop_lag_ms_p99": round(pct(s.loop_lag_ms, 99), 1),
        "missing": missing,
    }


def report(f: dict[str, Any]) -> None:
    """The figures as a table and a few lines."""
    from rich.console import Console
    from rich.table import Table

    title = (
        f"{f['workers']} workers × {f['steps'] // f['workers']} concurrent steps = {f['steps']}, "
        f"{f['rounds']} rounds of ~{f['step_s']:g} s steps, a heartbeat every {f['heartbeat_s']:g} s per "
        f"{f['heartbeat']}, "
        f"{f['servers']} server process(es), pool_size {f['pool_size']}, launcher {f['launcher']}"
        + (", logs through the server" if f["log_through_server"] else "")
    )
    table = Table(title=title, title_justify="left")
    for col in ("route", "requests", "per s", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(col, justify="left" if col == "route" else "right")
    for route, r in f["routes"].items():
        cells = (f"{r['per_s']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", f"{r['p99_ms']:.1f}")
        table.add_row(route, str(r["count"]), *cells)
    table.add_row("all", str(f["requests"]), f"{f['requests_per_s']:.0f}", "", "", "", style="bold")
    console = Console(width=130)
    console.print(table)
    waits = ", ".join(f"{k} {v:.0%}" for k, v in f["db_active_waiting_on"].items())
    console.print(
        f"wall {f['wall_s']} s · busiest 5 s: {f['requests_per_s_peak_5s']:.0f} requests/s · errors {f['errors']} · "
        f"step overhead p50 {f['step_overhead_ms']['p50']} ms, p95 {f['step_overhead_ms']['p95']} ms\n"
        f"server CPU mean {f['server_cpu_percent_mean']} %, max {f['server_cpu_percent_max']} % (100 % = one core "
        f"of {f['cpus']}) · server RSS max {f['server_rss_mib_max']} MiB\n"
        f"PostgreSQL: {f['db_connections_max']} connections at most ({f['db_connections_active_max']} active at once; "
        f"active ones: {waits}), {f['db_sessions_opened']} opened, {f['db_statement_time_s']} s executing "
        f"statements, {f['db_commits']} commits, backends' CPU {f['db_backend_cpu_s']} s\n"
        f"load generator CPU {f['load_generator_cpu_s']} s, event loop lag p99 {f['loop_lag_ms_p99']} ms · "
        f"load average before {f['load_average_before']}"
    )
    for kind, n in f["error_kinds"].items():
        console.print(f"[red]{n} × {kind}[/red]")
    for problem in f["missing"]:
        console.print(f"[red]The database has {problem}.[/red]")


if __name__ == "__main__":
    main()
