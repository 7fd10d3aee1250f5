"""Model comparison benchmark (issue 13, point 9): comparing 50 versions within 1 s.

The store (SQLite, in a temp folder) holds one model of 1,000 versions; each has a run with 10
parameters (and step parameters in its snapshot), 20 numeric metrics and 5 text metadata entries,
and an artifact version. The app answers in process (no network): the figure is what the server
spends on ``GET /models/{model}/compare`` of 50 versions spread over the model's history.

    python benchmarks/bench_model_compare.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

Record = Callable[[str, float, str, "float | None"], None]

VERSIONS = 1000
COMPARED = 50
METRICS = 20
PARAMETERS = 10
REPEATS = 15
MODEL = "bench_compare"


def _seed(folder: Path) -> tuple[FastAPI, str]:
    """The app over a store holding the model; an admin API key."""
    from waypost.artifacts.store import ArtifactStore
    from waypost.enums import ExecutionStatus, MetadataType
    from waypost.schemas import ArtifactVersionCreate, MetadataCreate, RunCreate
    from waypost.server.app import create_app
    from waypost.settings import load_settings
    from waypost.store.sql.store import SqlStore
    from waypost.testing.factories import make_pipeline, make_spec

    settings = load_settings(
        store={"url": f"sqlite:///{folder / 'bench.db'}"}, artifact_store={"uri": str(folder / "artifacts")}
    )
    store = SqlStore(settings.store_url)
    pipe = make_pipeline(store, "train_bench")
    spec = make_spec(pipe.name)
    spec.steps[1].parameters = {"lr": 0.01, "depth": 6}
    snapshot = store.pipelines.snapshot(pipe.id, spec)
    for n in range(1, VERSIONS + 1):
        version = store.models.get_or_create_version(MODEL, None)
        run = RunCreate(
            name=f"train-{n}",
            pipeline_id=pipe.id,
            snapshot_id=snapshot.id,
            status=ExecutionStatus.COMPLETED,
            model_version_id=version.id,
            parameters={f"p{i}": (n + i) % 7 for i in range(PARAMETERS)},
        )
        store.runs.create(run)
        entries = [
            MetadataCreate(
                key=f"m{i:02}", value=(n * 7 + i) % 100 / 100, type=MetadataType.FLOAT, model_version_id=version.id
            )
            for i in range(METRICS)
        ]
        entries += [
            MetadataCreate(key=f"t{i}", value=f"v{n % 3}", type=MetadataType.STRING, model_version_id=version.id)
            for i in range(5)
        ]
        store.metadata.add(entries)
        vid = uuid.uuid4()
        made = store.artifacts.register(
            [
                ArtifactVersionCreate(
                    id=vid,
                    name="bench_model_weights",
                    uri=f"memory://bench/{vid.hex}",
                    data_type="builtins.bytes",
                    materializer="waypost.artifacts.materializers.builtin.BuiltinMaterializer",
                    materializer_version="1",
                    size=1000 + n,
                    content_hash=vid.hex * 2,
                )
            ]
        )
        store.models.link(version.id, artifact_version_ids=[made[0].id])
    admin = store.users.create("bench-admin", password="benchmark password", is_admin=True)
    key = store.auth.create_api_key(admin.id, "bench").key
    return create_app(settings, store, ArtifactStore(settings.artifact_store_uri)), key


def bench_model_compare(record: Record) -> None:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory(prefix="wp-bench-compare-") as tmp:
        app, key = _seed(Path(tmp))
        picked = ",".join(str(n) for n in range(VERSIONS // COMPARED, VERSIONS + 1, VERSIONS // COMPARED))
        url = f"/api/v1/models/{MODEL}/compare?versions={picked}"
        # The server answers only the hosts it is told to (127.0.0.1 by default).
        client = TestClient(app, base_url="http://127.0.0.1:8080", headers={"Authorization": f"Bearer {key}"})
        with client:
            first = client.get(url)
            assert first.status_code == 200, first.text
            body = first.json()
            assert len(body["versions"]) == COMPARED
            assert sum(r["section"] == "metrics" for r in body["rows"]) == METRICS
            assert all(r["values"][0] is not None for r in body["rows"] if r["section"] == "artifacts")

            def timed() -> float:
                t = time.perf_counter()
                r = client.get(url)
                assert r.status_code == 200, r.text
                return (time.perf_counter() - t) * 1000

            record(
                f"Compare {COMPARED} versions × {METRICS} metrics + {PARAMETERS} parameters (of {VERSIONS:,})",
                statistics.median(timed() for _ in range(REPEATS)),
                "ms",
                1000,
            )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))

    def _print(name: str, value: float, unit: str, target: float | None) -> None:
        goal = f" (target ≤ {target:g} {unit})" if target is not None else ""
        print(f"{name}: {value:.1f} {unit}{goal}")

    bench_model_compare(_print)
