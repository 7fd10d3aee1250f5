"""Parameter and metadata columns of the runs list (GET /runs?columns=, GET /runs/columns) and CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, store_databases
from sqlalchemy import event, insert

from waypost.artifacts.store import ArtifactStore
from waypost.enums import ExecutionStatus
from waypost.schemas import RunRead, StepRunCreate
from waypost.server.app import create_app
from waypost.server.services import run_columns
from waypost.server.services.run_columns import csv_field
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import metadata_entries, pipeline_runs
from waypost.testing import make_metadata, make_pipeline, make_run

RUNS = "/api/v1/runs"


def add_step(store: SqlStore, run: RunRead, name: str, **parameters: Any) -> uuid.UUID:
    """A running step run of ``run`` with these parameters."""
    return store.steps.start(
        StepRunCreate(
            run_id=run.id,
            name=name,
            step_name=name,
            status=ExecutionStatus.RUNNING,
            parameters=parameters,
            started_at=datetime.now(UTC),
        )
    )


@pytest.fixture
def three(server_store: SqlStore) -> dict[str, RunRead]:
    """Three runs: pipeline and step parameters, metadata on the run and on its steps."""
    pipe = make_pipeline(server_store, "train")
    a = make_run(server_store, pipe, name="a", parameters={"lr": 0.1, "layers": [64, 32]})
    b = make_run(server_store, pipe, name="b", parameters={"lr": 0.01})
    c = make_run(server_store, pipe, name="c")
    a_train = add_step(server_store, a, "train", epochs=3)
    b_train = add_step(server_store, b, "train", epochs=5)
    add_step(server_store, b, "evaluate", threshold=0.5)
    # What log_metadata in a step writes: the step's id and its run's.
    make_metadata(server_store, run_id=a.id, step_run_id=a_train, accuracy=0.95)
    make_metadata(server_store, run_id=a.id, note="=HYPERLINK(1)")
    make_metadata(server_store, run_id=b.id, step_run_id=b_train, accuracy=0.5)
    make_metadata(server_store, run_id=b.id, accuracy=0.7)  # logged later: this one shows
    return {"a": a, "b": b, "c": c}


def listed(client: TestClient, **params: object) -> dict[str, dict[str, Any] | None]:
    r = client.get(RUNS, params=params)
    assert r.status_code == 200, r.text
    return {item["name"]: item["columns"] for item in r.json()["items"]}


def test_values_of_a_page(client: TestClient, three: dict[str, RunRead]) -> None:
    cols = "param.lr,param.layers,step.train.epochs,step.evaluate.threshold,metadata.accuracy,metadata.note"
    got = listed(client, columns=cols)
    assert got["a"] == {
        "param.lr": 0.1,
        "param.layers": [64, 32],
        "step.train.epochs": 3,
        "metadata.accuracy": 0.95,
        "metadata.note": "=HYPERLINK(1)",
    }
    assert got["b"] == {
        "param.lr": 0.01,
        "step.train.epochs": 5,
        "step.evaluate.threshold": 0.5,
        "metadata.accuracy": 0.7,
    }
    assert got["c"] == {}
    assert listed(client)["a"] is None  # nothing asked, nothing added


def test_metadata_columns_read_what_the_filter_matches(client: TestClient, three: dict[str, RunRead]) -> None:
    # metadata.accuracy>0.9 finds step metadata through its run: the column shows that value.
    assert listed(client, q="metadata.accuracy>0.9", columns="metadata.accuracy") == {"a": {"metadata.accuracy": 0.95}}


def test_column_keys_of_the_matching_runs(
    client: TestClient, three: dict[str, RunRead], server_store: SqlStore
) -> None:
    make_run(server_store, make_pipeline(server_store, "other"), parameters={"seed": 1})
    r = client.get(f"{RUNS}/columns", params={"q": "pipeline:train"})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "params": ["param.layers", "param.lr"],
        "step_params": ["step.evaluate.threshold", "step.train.epochs"],
        "metadata": ["metadata.accuracy", "metadata.note"],
    }
    assert client.get(f"{RUNS}/columns").json()["params"] == ["param.layers", "param.lr", "param.seed"]
    assert client.get(f"{RUNS}/columns", params={"q": "status:failed"}).json() == {
        "params": [],
        "step_params": [],
        "metadata": [],
    }


@pytest.mark.parametrize(
    "bad", ["lr", "param.", "step.train", "step..x", "colour.x", ",".join(f"param.p{i}" for i in range(51))]
)
def test_a_bad_column_key_is_a_one_line_400(client: TestClient, bad: str) -> None:
    for url in (RUNS, f"{RUNS}/export"):
        r = client.get(url, params={"columns": bad})
        assert r.status_code == 400, (url, r.text)
        detail = r.json()["detail"]
        assert "\n" not in detail
        assert "param.NAME" in detail or "at most 50" in detail


def test_the_server_sorts_by_metadata_across_pages(client: TestClient, server_store: SqlStore) -> None:
    pipe = make_pipeline(server_store, "sorted")
    names = {}
    for name, value in [("mid", 0.5), ("none", None), ("high", 0.9), ("text", "n/a"), ("low", 0.1), ("later", 0.9)]:
        run = make_run(server_store, pipe, name=name)
        names[name] = run
        if value is not None:
            make_metadata(server_store, run_id=run.id, score=value)
    make_metadata(server_store, run_id=names["low"].id, score=0.05)  # logged later: the latest counts

    def order(sort: str, size: int = 50) -> list[str]:
        out: list[str] = []
        for page in (1, 2, 3):
            r = client.get(RUNS, params={"q": "pipeline:sorted", "sort": sort, "size": size, "page": page})
            assert r.status_code == 200, r.text
            assert r.json()["total"] == 6
            out += [i["name"] for i in r.json()["items"]]
        return out

    # Numbers before text, runs without it last; ties newest first; pages do not overlap.
    assert order("metadata.score") == ["low", "mid", "later", "high", "text", "none"]
    assert order("-metadata.score", size=2) == ["later", "high", "mid", "low", "text", "none"]
    r = client.get(RUNS, params={"sort": "metadata."})
    assert r.status_code == 400
    assert "metadata.KEY" in r.json()["detail"]


def test_run_summary_lists_metadata_latest_per_key_and_the_model_version(
    client: TestClient, three: dict[str, RunRead], server_store: SqlStore
) -> None:
    r = client.get(f"{RUNS}/b/summary")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model_version"] is None
    assert body["metadata"] == [{"key": "accuracy", "value": 0.7, "type": "float", "step": None, "count": 2}]
    a = client.get(f"{RUNS}/{three['a'].id}/summary").json()
    assert [(m["key"], m["value"], m["step"]) for m in a["metadata"]] == [
        ("accuracy", 0.95, "train"),
        ("note", "=HYPERLINK(1)", None),
    ]
    mv = server_store.models.get_or_create_version("iris", "v1")
    with_model = make_run(server_store, make_pipeline(server_store, "m"), model_version_id=mv.id)
    make_metadata(server_store, run_id=with_model.id, loss=float("nan"))
    body = client.get(f"{RUNS}/{with_model.id}/summary").json()
    assert body["model_version"] == {"id": str(mv.id), "model_name": "iris", "name": "v1", "number": 1, "stage": "none"}
    assert body["metadata"][0]["value"] == "NaN"  # JSON has no NaN: text, never a 500
    assert client.get(RUNS, params={"columns": "metadata.loss", "q": "pipeline:m"}).json()["items"][0]["columns"] == {
        "metadata.loss": "NaN"
    }
    missing = client.get(f"{RUNS}/no-such-run/summary")
    assert missing.status_code == 404
    assert "\n" not in missing.json()["detail"]


def bulk_runs(store: SqlStore, n: int, *, pipeline: str = "bulk") -> list[uuid.UUID]:
    """``n`` runs (and an accuracy each) in two statements, oldest first."""
    pipe = make_pipeline(store, pipeline)
    template = make_run(store, make_pipeline(store, f"{pipeline}-template"))  # for its snapshot
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "name": f"{pipeline}-{i:05d}",
            "pipeline_id": pipe.id,
            "snapshot_id": template.snapshot_id,
            "status": "completed",
            "config": {},
            "parameters": {"lr": i / 1000, "note": f'say "{i}", ok' if i % 7 == 0 else "-x"},
            "orchestrator": "local",
            "created_at": start + timedelta(seconds=i),
            "started_at": start + timedelta(seconds=i),
            "ended_at": start + timedelta(seconds=i + 1.5),
        }
        for i in range(n)
    ]
    entries = [
        {
            "id": uuid.uuid4(),
            "key": "accuracy",
            "type": "float",
            "value_json": i / n,
            "value_num": i / n,
            "run_id": r["id"],
        }
        for i, r in enumerate(rows)
    ]
    with store.sessions.write_conn() as c:
        c.execute(insert(pipeline_runs), rows)
        c.execute(insert(metadata_entries), entries)
    return [r["id"] for r in rows]


@contextmanager
def counting(store: SqlStore) -> Iterator[list[str]]:
    """The SQL statements run on the store's read engine meanwhile."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = store.engines.read
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_page_of_50_takes_as_many_queries_as_a_page_of_5(client: TestClient, server_store: SqlStore) -> None:
    ids = bulk_runs(server_store, 60)
    for rid in ids[-50:]:
        server_store.steps.start(
            StepRunCreate(
                run_id=rid, name="train", step_name="train", status=ExecutionStatus.RUNNING, parameters={"k": 1}
            )
        )
    cols = "param.lr,step.train.k,metadata.accuracy"
    counts = {}
    for size in (5, 50):
        client.get(RUNS, params={"size": size, "q": "pipeline:bulk"})  # warm whatever is cached per process
        with counting(server_store) as plain:
            assert client.get(RUNS, params={"size": size, "q": "pipeline:bulk"}).status_code == 200
        with counting(server_store) as with_cols:
            r = client.get(RUNS, params={"size": size, "q": "pipeline:bulk", "columns": cols})
        assert r.status_code == 200
        items = r.json()["items"]
        assert len(items) == size
        assert all(set(i["columns"]) == {"param.lr", "step.train.k", "metadata.accuracy"} for i in items)
        counts[size] = tuple(len([q for q in seen if q != "BEGIN"]) for seen in (plain, with_cols))
    assert counts[5] == counts[50], counts
    # param.* comes with the run; step parameters and metadata take one query each.
    assert counts[50][1] - counts[50][0] == 2, counts


def test_export_streams_every_matching_run_quoted_safely(client: TestClient, server_store: SqlStore) -> None:
    ids = bulk_runs(server_store, 2500)
    make_run(server_store, make_pipeline(server_store, "elsewhere"))  # not matched
    cols = "status,name,pipeline,started,duration,tags,param.lr,param.note,metadata.accuracy"
    with client.stream(
        "GET", f"{RUNS}/export", params={"q": "pipeline:bulk name~bulk-0", "sort": "-created", "columns": cols}
    ) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/csv")
        assert r.headers["content-disposition"].startswith('attachment; filename="waypost-runs-')
        assert r.headers["x-total-count"] == "2500"
        body = r.read().decode()
    assert body.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "id",
        "status",
        "name",
        "pipeline",
        "started",
        "duration_s",
        "tags",
        "param.lr",
        "param.note",
        "metadata.accuracy",
    ]
    assert len(rows) == 2501
    assert [uuid.UUID(r[0]) for r in rows[1:]] == ids[::-1]  # newest first, none missing or repeated
    first = rows[-1]  # the oldest: i = 0
    assert first[1:6] == ["completed", "bulk-00000", "bulk", "2026-01-01T00:00:00Z", "1.5"]
    assert first[7:] == ["0", 'say "0", ok', "0"]
    assert rows[-2][8] == "'-x"  # would be a formula in a spreadsheet
    assert rows[-2][7] == "0.001"
    assert f'"say ""{7}"", ok"' in body  # quotes doubled inside a quoted field
    by_accuracy = client.get(f"{RUNS}/export", params={"q": "pipeline:bulk", "sort": "metadata.accuracy"})
    assert by_accuracy.status_code == 200, by_accuracy.text
    assert [uuid.UUID(r[0]) for r in list(csv.reader(io.StringIO(by_accuracy.text)))[1:]] == ids  # lowest first


def test_export_checks_before_streaming(
    client: TestClient, server_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    bulk_runs(server_store, 12)
    r = client.get(f"{RUNS}/export", params={"q": "status:nope"})
    assert r.status_code == 400
    assert "Unknown status" in r.json()["detail"]
    r = client.get(f"{RUNS}/export", params={"sort": "colour"})
    assert r.status_code == 400
    assert "Cannot sort by 'colour'" in r.json()["detail"]
    monkeypatch.setattr(run_columns, "MAX_EXPORT_ROWS", 10)
    r = client.get(f"{RUNS}/export")
    assert r.status_code == 400
    assert (
        r.json()["detail"]
        == "13 runs match; an export holds at most 10. Narrow the filter (e.g. created>30d) and export in parts."
    )
    # Default columns, and the routes do not take a run's name.
    r = client.get(f"{RUNS}/export", params={"q": "name:bulk-00003"})
    assert r.text.splitlines()[0] == "id,status,name,pipeline,started,duration_s,user,stack,tags"
    assert len(r.text.splitlines()) == 2


def test_export_needs_credentials(anon_client: TestClient) -> None:
    assert anon_client.get(f"{RUNS}/export").status_code == 401
    assert anon_client.get(f"{RUNS}/columns").status_code == 401


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (1.5, "1.5"),
        (-1.5, "-1.5"),
        (2.0, "2"),
        (True, "true"),
        ("-1.5", "-1.5"),
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+x", "'+x"),
        ("\tx", "'\tx"),
        ("a,b", '"a,b"'),
        ('say "hi"', '"say ""hi"""'),
        (" pad", '" pad"'),
        ({"a": [1, 2]}, '"{""a"":[1,2]}"'),
    ],
)
def test_csv_field_as_the_dashboard_writes_it(value: object, text: str) -> None:
    assert csv_field(value) == text


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)]
)
def test_columns_and_export_on_server_databases(backend: str, tmp_path: Path) -> None:
    # The export walks one streamed cursor while a second session reads each chunk's details:
    # MySQL refuses a query on a connection whose streamed result is still open.
    db = store_databases()
    url = db.create_postgres_database() if backend == "postgres" else db.create_mysql_database()
    settings = load_settings(store={"url": url}, artifact_store={"uri": str(tmp_path / "artifacts")})
    store = SqlStore(settings.store_url)
    try:
        admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        key = store.auth.create_api_key(admin.id, "tests").key
        ids = bulk_runs(store, 2500)
        app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))
        with TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}) as client:
            page = client.get(
                RUNS, params={"q": "metadata.accuracy>=0.5", "size": 3, "columns": "metadata.accuracy,param.lr"}
            )
            assert page.status_code == 200, page.text
            assert [i["columns"] for i in page.json()["items"]] == [
                {"metadata.accuracy": 2499 / 2500, "param.lr": 2.499},
                {"metadata.accuracy": 2498 / 2500, "param.lr": 2.498},
                {"metadata.accuracy": 2497 / 2500, "param.lr": 2.497},
            ]
            r = client.get(
                f"{RUNS}/export", params={"q": "pipeline:bulk", "sort": "name", "columns": "name,metadata.accuracy"}
            )
            assert r.status_code == 200, r.text
            rows = list(csv.reader(io.StringIO(r.text)))
            assert len(rows) == 2501
            assert [uuid.UUID(row[0]) for row in rows[1:]] == ids
            assert rows[2] == [str(ids[1]), "bulk-00001", "0.0004"]
            top = client.get(RUNS, params={"sort": "-metadata.accuracy", "size": 2}).json()["items"]
            assert [i["name"] for i in top] == ["bulk-02499", "bulk-02498"]
    finally:
        store.close()
        (db.drop_postgres_database if backend == "postgres" else db.drop_mysql_database)(url)
