"""Model page benchmark (issue 13, point 9): a model of 1,000 versions with 20 metrics each, usable within 1 s.

The store (SQLite, in a temp folder) holds one model whose 1,000 versions each have a run and 20
numeric metadata entries. The app answers in process (no network): the figures are what the server
spends. "Model page" is every request the dashboard's versions tab makes, one after the other (it
sends them together): the model, its project and owner, the first page of 50 versions with 20 metric
columns, and a metric across all 1,000 versions.

    python benchmarks/bench_model_page.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

Record = Callable[[str, float, str, "float | None"], None]

VERSIONS = 1000
METRICS = 20
REPEATS = 15
MODEL = "bench_model"


def _seed(folder: Path) -> tuple[FastAPI, str]:
    """The app over a store holding the model; an admin API key."""
    from waypost.artifacts.store import ArtifactStore
    from waypost.enums import ExecutionStatus, MetadataType
    from waypost.schemas import MetadataCreate, RunCreate
    from waypost.server.app import create_app
    from waypost.settings import load_settings
    from waypost.store.sql.store import SqlStore
    from waypost.testing.factories import make_pipeline, make_spec

    settings = load_settings(
        store={"url": f"sqlite:///{folder / 'bench.db'}"}, artifact_store={"uri": str(folder / "artifacts")}
    )
    store = SqlStore(settings.store_url)
    pipe = make_pipeline(store, "train_bench")
    snapshot = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    for n in range(1, VERSIONS + 1):
        version = store.models.get_or_create_version(MODEL, None)
        run = RunCreate(
            name=f"train-{n}",
            pipeline_id=pipe.id,
            snapshot_id=snapshot.id,
            status=ExecutionStatus.COMPLETED,
            model_version_id=version.id,
        )
        store.runs.create(run)
        values = [(f"m{i:02}", (n * 7 + i) % 100 / 100) for i in range(METRICS)]
        store.metadata.add(
            [MetadataCreate(key=k, value=v, type=MetadataType.FLOAT, model_version_id=version.id) for k, v in values]
        )
    store.models.set_stage(MODEL, "500", "production")
    admin = store.users.create("bench-admin", password="benchmark password", is_admin=True)
    key = store.auth.create_api_key(admin.id, "bench").key
    return create_app(settings, store, ArtifactStore(settings.artifact_store_uri)), key


def bench_model_page(record: Record) -> None:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory(prefix="wp-bench-models-") as tmp:
        app, key = _seed(Path(tmp))
        api = f"/api/v1/models/{MODEL}"
        page = [
            api,
            f"{api}/versions-table?size=1&metrics=",  # the header's project and owner
            f"{api}/versions-table?size=50",
            f"{api}/metric-series?keys=m00",
        ]
        others = {
            "sorted by a metric": f"{api}/versions-table?size=50&sort=-metadata.m07",
            "filtered by a metric": f"{api}/versions-table?size=50&q=metadata.m03%3E0.5",
            "200 per page": f"{api}/versions-table?size=200",
        }
        # The server answers only the hosts it is told to (127.0.0.1 by default).
        client = TestClient(app, base_url="http://127.0.0.1:8080", headers={"Authorization": f"Bearer {key}"})
        with client:

            def timed(urls: list[str]) -> float:
                t = time.perf_counter()
                for url in urls:
                    r = client.get(url)
                    assert r.status_code == 200, r.text
                return (time.perf_counter() - t) * 1000

            first = client.get(f"{api}/versions-table?size=50")
            assert first.status_code == 200, first.text
            body = first.json()
            assert body["total"] == VERSIONS
            assert len(body["items"][0]["metrics"]) == METRICS
            timed(page)  # warm
            record(
                f"Model page of {VERSIONS:,} versions × {METRICS} metrics: every request",
                statistics.median(timed(page) for _ in range(REPEATS)),
                "ms",
                1000,
            )
            for label, url in others.items():
                record(
                    f"… the versions table, {label}",
                    statistics.median(timed([url]) for _ in range(REPEATS)),
                    "ms",
                    None,
                )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))

    def _print(name: str, value: float, unit: str, target: float | None) -> None:
        goal = f" (target ≤ {target:g} {unit})" if target is not None else ""
        print(f"{name}: {value:.1f} {unit}{goal}")

    bench_model_page(_print)
