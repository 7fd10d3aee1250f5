"""Metadata explorer benchmark (issue 14, point 9): the key list over 1,000,000 metadata rows within 500 ms.

The store (SQLite, in a temp folder) holds 1,000 runs in two projects, each with 10 steps; every run
logs 200 run-level keys and each of its steps 80 step-level keys (numbers, and text for one key in
ten): 1,000,000 entries over 280 distinct keys, written through the metadata repository, so the
per-project key summary is kept as it is in real use. The app answers in process (no network).

    python benchmarks/bench_metadata_keys.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

Record = Callable[[str, float, str, "float | None"], None]

RUNS = 1000
STEPS = 10
RUN_KEYS = 200
STEP_KEYS = 80
REPEATS = 15


def _seed(folder: Path) -> tuple[FastAPI, str, str, Any]:
    """The app over the seeded store; an admin's API key, a project member's API key, and the store."""
    from waypost.artifacts.store import ArtifactStore
    from waypost.enums import ExecutionStatus, MetadataType
    from waypost.schemas import MetadataCreate, RunCreate, StepRunCreate
    from waypost.server.app import create_app
    from waypost.settings import load_settings
    from waypost.store.sql.store import SqlStore
    from waypost.testing.factories import make_spec

    settings = load_settings(
        store={"url": f"sqlite:///{folder / 'bench.db'}"}, artifact_store={"uri": str(folder / "artifacts")}
    )
    store = SqlStore(settings.store_url)
    other = store.access.create_project("other", workspace="default")
    pipes = [
        store.pipelines.get_or_create("bench_explore"),
        store.pipelines.get_or_create("bench_explore_other", project_id=other.id),
    ]
    snapshots = [store.pipelines.snapshot(p.id, make_spec(p.name)) for p in pipes]

    def value(key: int, n: int) -> tuple[Any, MetadataType]:
        if key % 10 == 9:
            return f"v{n % 7}", MetadataType.STRING
        return (n * 31 + key) % 1000 / 10, MetadataType.FLOAT

    for n in range(RUNS):
        which = n % 2
        run = store.runs.create(
            RunCreate(
                name=f"explore-{n:04}",
                pipeline_id=pipes[which].id,
                snapshot_id=snapshots[which].id,
                status=ExecutionStatus.COMPLETED,
            )
        )
        entries = []
        for k in range(RUN_KEYS):
            v, t = value(k, n)
            entries.append(MetadataCreate(key=f"run_metric_{k:03}", value=v, type=t, run_id=run.id))
        for s in range(STEPS):
            step_id = store.steps.start(
                StepRunCreate(run_id=run.id, name=f"step_{s}", step_name=f"step_{s}", status=ExecutionStatus.RUNNING)
            )
            for k in range(STEP_KEYS):
                v, t = value(k, n + s)
                entries.append(
                    MetadataCreate(key=f"step_metric_{k:02}", value=v, type=t, run_id=run.id, step_run_id=step_id)
                )
        store.metadata.add(entries)
    admin = store.users.create("bench-admin", password="benchmark password", is_admin=True)
    member = store.users.create("bench-member", password="benchmark password", is_admin=False)
    for grant in store.access.list_grants(user=member.id):
        if grant.scope_type.value != "organization":
            store.access.revoke(grant.id)
    store.access.grant("Viewer", user="bench-member", project="default/other")
    keys = [store.auth.create_api_key(u.id, "bench").key for u in (admin, member)]
    return create_app(settings, store, ArtifactStore(settings.artifact_store_uri)), keys[0], keys[1], store


def bench_metadata_keys(record: Record) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import func, insert, select

    from waypost.enums import MetadataType
    from waypost.schemas import MetadataCreate
    from waypost.store.sql import tables as db
    from waypost.store.sql.repositories.metadata import _row

    with tempfile.TemporaryDirectory(prefix="wp-bench-metadata-") as tmp:
        t0 = time.perf_counter()
        app, admin_key, member_key, store = _seed(Path(tmp))
        seeded_s = time.perf_counter() - t0
        with store.sessions.read() as c:
            rows = c.execute(select(func.count()).select_from(db.metadata_entries)).scalar_one()
        assert rows == RUNS * (RUN_KEYS + STEPS * STEP_KEYS), rows
        base = "http://127.0.0.1:8080"
        admin = TestClient(app, base_url=base, headers={"Authorization": f"Bearer {admin_key}"})
        member = TestClient(app, base_url=base, headers={"Authorization": f"Bearer {member_key}"})
        with admin, member:

            def timed(client: TestClient, url: str) -> float:
                t = time.perf_counter()
                r = client.get(url)
                assert r.status_code == 200, r.text
                return (time.perf_counter() - t) * 1000

            first = admin.get("/api/v1/metadata/keys?size=100").json()
            assert first["total"] == RUN_KEYS + STEP_KEYS, first["total"]
            assert sum(i["count"] for i in admin.get("/api/v1/metadata/keys?size=1000").json()["items"]) == rows
            cases: list[tuple[str, TestClient, str, float | None]] = [
                (f"Metadata keys over {rows:,} rows: first page", admin, "/api/v1/metadata/keys?size=100", 500),
                ("… all 280 keys, by name", admin, "/api/v1/metadata/keys?size=1000&sort=key", 500),
                ("… a project viewer's keys", member, "/api/v1/metadata/keys?size=100", 500),
                ("… keys beginning 'step'", admin, "/api/v1/metadata/keys?prefix=step&size=100", 500),
                ("… keys of runs matching q= (100 runs, from the entries)", admin,
                 "/api/v1/metadata/keys?q=name:explore-00*&size=100", None),
                ("… keys of every run via q= (1,000,000 entries, no summary)", admin,
                 "/api/v1/metadata/keys?q=archived:any&size=100", None),
                ("… one key's history (1,000 points)", admin, "/api/v1/metadata/history?key=run_metric_001", None),
            ]  # fmt: skip
            for label, client, url, target in cases:
                timed(client, url)  # warm
                repeats = REPEATS if target is not None else 5
                record(label, statistics.median(timed(client, url) for _ in range(repeats)), "ms", target)

        # What keeping the summary costs a write: a step's log_metadata of 10 keys, with and without it.
        run_id = store.runs.list("", page=1, size=1).items[0].id
        batch = [
            MetadataCreate(key=f"extra_{i}", value=i / 3, type=MetadataType.FLOAT, run_id=run_id) for i in range(10)
        ]

        def add_with() -> float:
            t = time.perf_counter()
            store.metadata.add(batch)
            return (time.perf_counter() - t) * 1000

        def add_without() -> float:
            t = time.perf_counter()
            with store.sessions.write() as c:
                c.execute(insert(db.metadata_entries), [_row(m) for m in batch])
            return (time.perf_counter() - t) * 1000

        add_with(), add_without()
        record("… logging 10 keys, summary kept", statistics.median(add_with() for _ in range(REPEATS)), "ms", None)
        record("… logging 10 keys, entries alone", statistics.median(add_without() for _ in range(REPEATS)), "ms", None)
        record("… seeding 1,000,000 rows (through the repository)", seeded_s, "s", None)
        store.close()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))

    def _print(name: str, value: float, unit: str, target: float | None) -> None:
        goal = f" (target ≤ {target:g} {unit})" if target is not None else ""
        print(f"{name}: {value:.1f} {unit}{goal}", flush=True)

    bench_metadata_keys(_print)
