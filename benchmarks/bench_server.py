"""Server benchmarks: a real uvicorn on loopback over a SQLite store holding 100,000 runs.

- listing 50 of 100,000 runs over HTTP with a keep-alive client (p50, p99 of ~300 requests);
- 100 concurrent clients for 20 s (asyncio + httpx.AsyncClient): errors and throughput;
- the server's resident memory right after start, before any load.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

Record = Callable[[str, float, str, "float | None"], None]

RUNS = 100_000
LIST_URL = "/api/v1/runs?size=50"
CLIENTS = 100
LOAD_S = 20.0
PASSWORD = "benchmark password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _seed(store_url: str, n: int) -> str:
    """Fill the store with one real run and ``n`` bulk-inserted ones; return an admin API key."""
    from _pipelines import chain, insert_runs

    from waypost.client import Client
    from waypost.store.sql.store import SqlStore

    chain(2, 0, False)()  # one real run gives a pipeline and a snapshot to hang runs on
    real = Client().list_pipeline_runs().items[0]
    store = SqlStore(store_url)
    try:
        insert_runs(store, n, real.pipeline_id, real.snapshot_id)
        admin = store.users.create("bench-admin", password=PASSWORD, is_admin=True)
        return store.auth.create_api_key(admin.id, "bench").key
    finally:
        store.close()


@contextmanager
def _server(home: Path, store_url: str) -> Iterator[tuple[str, int]]:
    """`waypost up --serve-only` in a child process; yields its base URL and pid."""
    import httpx

    port = _free_port()
    env = {
        **os.environ,
        "WAYPOST_DATA_DIR": str(home),
        "WAYPOST_STORE__URL": store_url,
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
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited at start with code {proc.returncode}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _latency(url: str, key: str, record: Record) -> None:
    import httpx

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        for _ in range(20):  # warm the connection, SQLite's page cache and the server's code paths
            client.get(LIST_URL).raise_for_status()
        samples = []
        for _ in range(300):
            t = time.perf_counter()
            r = client.get(LIST_URL)
            samples.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
            assert len(r.json()["items"]) == 50
    samples.sort()
    record(f"HTTP list 50 of {RUNS:,} runs, p50", statistics.median(samples), "ms", 15)
    record(f"HTTP list 50 of {RUNS:,} runs, p99", samples[int(len(samples) * 0.99) - 1], "ms", 50)


async def _load(url: str, key: str) -> tuple[int, Counter[str], float]:
    """(requests answered 200, errors by kind, seconds) for CLIENTS clients looping for LOAD_S seconds."""
    import httpx

    ok = 0
    errors: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60, limits=limits
    ) as client:
        start = time.perf_counter()
        stop = start + LOAD_S

        async def one_client() -> None:
            nonlocal ok
            while time.perf_counter() < stop:
                try:
                    r = await client.get(LIST_URL)
                    if r.status_code == 200:
                        ok += 1
                    else:
                        errors[f"HTTP {r.status_code}: {r.text[:100]}"] += 1
                except httpx.HTTPError as exc:
                    errors[f"{type(exc).__name__}: {exc}"] += 1

        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
        return ok, errors, time.perf_counter() - start


def bench_server(record: Record, fresh_home: Callable[[], Path]) -> None:
    """Seed 100,000 runs, start the server, and record its latency, load and memory rows."""
    import psutil

    home = fresh_home()
    store_url = f"sqlite:///{home / 'waypost.db'}"
    os.environ["WAYPOST_STORE__URL"] = store_url
    try:
        key = _seed(store_url, RUNS)
        with _server(home, store_url) as (url, pid):
            time.sleep(1.0)  # let start-up allocations settle
            record("Server idle RSS after start", psutil.Process(pid).memory_info().rss / 2**20, "MiB", 150)
            _latency(url, key, record)
            ok, errors, seconds = asyncio.run(_load(url, key))
            for kind, n in errors.most_common(3):
                print(f"load error x{n}: {kind}")
            record(f"{CLIENTS} concurrent clients, {LOAD_S:.0f} s: errors", errors.total(), "", 0)
            record(f"{CLIENTS} concurrent clients: throughput", ok / seconds, "req/s", None)
    finally:
        os.environ.pop("WAYPOST_STORE__URL", None)
