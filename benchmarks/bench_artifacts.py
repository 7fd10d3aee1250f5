"""Artifact table benchmarks: a real server paging and sorting 1,000,000-row DataFrame artifacts.

The frames are saved by a real pipeline (the pandas materializer, parquet) into a store kept in
a temp cache folder (``ready.json`` is written last; ``DATA_VERSION`` and the migrations key it).
The server caches a table's sort order and whole table after the first sort, so the cold sort is
measured once per version, over ``VERSIONS`` identical versions.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

Record = Callable[[str, float, str, "float | None"], None]

DATA_VERSION = 1
ROWS = 1_000_000
VERSIONS = 5
PASSWORD = "benchmark password"


def _frame() -> Any:
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]  # pandas-stubs is not a dependency

    rng = np.random.default_rng(11)
    ids = rng.permutation(ROWS)
    score = rng.normal(size=ROWS)
    score[ids % 500 == 0] = np.nan
    return pd.DataFrame(
        {
            "id": ids,
            "score": score,
            "label": [f"customer-{i % 50_021:05d}" for i in ids],
            "when": pd.Timestamp("2026-01-01") + pd.to_timedelta(ids, unit="s"),
            "even": ids % 2 == 0,
        }
    )


def _folder() -> Path:
    from _dashboard_data import _schema_key  # the same key: a schema change rebuilds both caches

    return Path(tempfile.gettempdir()) / f"waypost-bench-artifacts-v{DATA_VERSION}-{_schema_key()}"


def _build(folder: Path) -> dict[str, Any]:
    """Save ``VERSIONS`` versions of the frame with a real pipeline; return their ids and an API key."""
    from waypost import pipeline, step
    from waypost.execution import runtime
    from waypost.store.sql.store import SqlStore

    ready = folder / "ready.json"
    if ready.exists():
        data: dict[str, Any] = json.loads(ready.read_text())
        return data
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = _env(folder)
    os.environ.update(env)
    runtime.reset()

    @step
    def make_frame() -> Annotated[Any, "bench_frame"]:
        return _frame()

    @pipeline(name="bench_artifacts", enable_cache=False)
    def frames() -> None:
        make_frame()

    runs = [frames() for _ in range(VERSIONS)]
    store = SqlStore(env["WAYPOST_STORE__URL"])
    try:
        ids = [str(store.artifacts.list_versions(f"run:{r.id} name:bench_frame").items[0].id) for r in runs]
        admin = store.users.create("bench-admin", password=PASSWORD, is_admin=True)
        key = store.auth.create_api_key(admin.id, "bench").key
    finally:
        store.close()
    data = {"versions": ids, "key": key}
    ready.write_text(json.dumps(data))
    return data


def _env(folder: Path) -> dict[str, str]:
    return {
        "WAYPOST_DATA_DIR": str(folder),
        "WAYPOST_STORE__URL": f"sqlite:///{folder / 'waypost.db'}",
        "WAYPOST_ARTIFACT_STORE__URI": str(folder / "artifacts"),
    }


def bench_artifacts(record: Record) -> None:
    """The first page and a cold sort of a 1,000,000-row table through a real server's API."""
    import httpx
    from bench_server import _server

    folder = _folder()
    env = _env(folder)
    saved = {k: os.environ.get(k) for k in env}
    try:
        data = _build(folder)
        os.environ.update(env)
        with (
            _server(folder, env["WAYPOST_STORE__URL"]) as (url, _),
            httpx.Client(base_url=url, headers={"Authorization": f"Bearer {data['key']}"}, timeout=60) as client,
        ):
            versions = data["versions"]

            def get(version: str, **params: Any) -> float:
                t = time.perf_counter()
                r = client.get(f"/api/v1/artifact-versions/{version}/table", params=params)
                elapsed = (time.perf_counter() - t) * 1000
                r.raise_for_status()
                assert r.json()["total"] == ROWS
                return elapsed

            for _ in range(3):  # warm the connection and the server's imports (pyarrow)
                get(versions[0], limit=1)
            first = [get(versions[i % VERSIONS]) for i in range(30)]
            record(f"Table API: first page of {ROWS:,} rows", statistics.median(first), "ms", 300)
            deep = [get(versions[i % VERSIONS], offset=(i * 97_331) % ROWS) for i in range(30)]
            record(f"Table API: a page deep in {ROWS:,} rows", statistics.median(deep), "ms", None)
            cold = [get(v, sort="label") for v in versions]
            record(f"Table API: sort {ROWS:,} rows by a text column (cold)", statistics.median(cold), "ms", 1500)
            numeric = [get(v, sort="score", descending=True) for v in versions]
            record("Table API: sort by a float column (table in memory)", statistics.median(numeric), "ms", 1500)
            pages = [get(versions[i % VERSIONS], sort="label", offset=i * 1000) for i in range(30)]
            record("Table API: next page of a sorted table", statistics.median(pages), "ms", 300)
    finally:
        from waypost.execution import runtime

        runtime.reset()  # later benchmarks must not write into this cache folder
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    rows: list[tuple[str, float, str, float | None]] = []
    bench_artifacts(lambda *row: rows.append(row))
    for name, value, unit, target in rows:
        print(f"{name:60s} {value:10.2f} {unit}  (target {target})")
