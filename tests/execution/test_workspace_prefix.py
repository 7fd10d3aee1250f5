"""A run's artifact files and step logs lie under its workspace's artifact prefix (issue 10).

A run recorded into a project of workspace ``research`` writes under ``<store>/research/``; runs
of the default workspace write where they always did (``<store>/artifacts``, ``<store>/logs``),
so what was stored before workspaces keeps working. The prefix is looked up once per process
and project, never per step or per artifact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import sqlalchemy as sa

from waypost import get_step_context, pipeline, step
from waypost.artifacts.store import ArtifactStore
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import ArtifactStoreError
from waypost.execution import runtime
from waypost.schemas import RunRead
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore

_uris: list[str] = []


@step
def make(n: int = 4) -> Annotated[list[int], "numbers"]:
    _uris.append(get_step_context().get_output_artifact_uri())
    print(f"making {n} numbers")
    return list(range(n))


@step
def add(numbers: list[int]) -> Annotated[int, "sum"]:
    print(f"adding {len(numbers)} numbers")
    return sum(numbers)


@pipeline
def numbers_sum(n: int = 4) -> None:
    add(make(n))


def _sql() -> SqlStore:
    store = Client().store
    assert isinstance(store, SqlStore)
    return store


def _root() -> Path:
    return Path(runtime.current().settings.artifact_store_uri)


def _files_of(run: RunRead) -> dict[str, tuple[str, str]]:
    """Each step's output folder and log folder, as recorded."""
    store = _sql()
    found = {}
    for s in store.steps.list(run.id):
        (version_id,) = s.outputs.values()
        found[s.name] = (store.artifacts.get_version(version_id).uri, s.log_uri or "")
    return found


@pytest.fixture
def research(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs record into the project ``research/vision``."""
    store = _sql()
    store.access.create_workspace("research")
    store.access.create_project("vision", workspace="research")
    monkeypatch.setenv("WAYPOST_PROJECT", "research/vision")
    runtime.reset()
    yield "research/vision"
    runtime.reset()


def test_a_run_in_a_workspace_writes_under_its_prefix_and_reads_back(research: str) -> None:
    _uris.clear()
    run = numbers_sum(n=4)

    root = _root()
    assert run.status == ExecutionStatus.COMPLETED
    files = _files_of(run)
    for name, artifact in (("make", "numbers"), ("add", "sum")):
        uri, log_uri = files[name]
        assert Path(uri).parent == root / "research" / "artifacts" / artifact
        assert Path(uri).is_dir()
        assert Path(log_uri) == root / "research" / "logs" / run.id.hex / name
        assert list(Path(log_uri).glob("*.jsonl")), f"step {name} stored no log chunk"
    assert _uris == [files["make"][0]], "the step context names the folder the output went to"
    assert not (root / "artifacts").exists(), "no artifact at the root"
    assert not (root / "logs").exists(), "no log at the root"

    # The second step loaded the first one's output from there; the client loads both back.
    client = Client()
    assert client.get_step_output(run.id, "add") == 6
    assert client.get_step_output(run.id, "make") == [0, 1, 2, 3]
    assert client.load_artifact("sum") == 6
    # Logs are read from where they were written: pages, the tail, a search.
    assert [line["m"] for line in client.get_step_logs(run.id, "make")] == ["making 4 numbers"]
    assert [line["m"] for line in client.tail_step_logs(run.id, "add", n=1)] == ["adding 4 numbers"]
    assert [hit["line"]["m"] for hit in client.search_step_logs(run.id, "add", "ADDING")] == ["adding 4 numbers"]


def test_a_cached_run_in_a_workspace_finds_its_outputs_under_the_prefix(research: str) -> None:
    first = numbers_sum(n=3)
    again = numbers_sum(n=3)
    store = _sql()
    steps = {s.name: s for s in store.steps.list(again.id)}
    assert {s.status for s in steps.values()} == {ExecutionStatus.CACHED}
    assert steps["add"].log_uri == store.steps.get(first.id, "add").log_uri
    assert Client().get_step_output(again.id, "add") == 3
    assert [line["m"] for line in Client().get_step_logs(again.id, "add")] == ["adding 3 numbers"]


def test_default_workspace_runs_write_where_they_always_did(monkeypatch: pytest.MonkeyPatch) -> None:
    store = _sql()
    store.access.create_workspace("research")  # another workspace exists; the default one is unchanged
    store.access.create_project("tabular")  # a second project of the default workspace
    runs = [numbers_sum(n=2)]
    monkeypatch.setenv("WAYPOST_PROJECT", "default/tabular")
    runtime.reset()
    runs.append(numbers_sum(n=2))

    root = _root()
    for run in runs:
        for name, (uri, log_uri) in _files_of(run).items():
            assert Path(uri).parent.parent == root / "artifacts"
            assert Path(log_uri) == root / "logs" / run.id.hex / name
        assert Client().get_step_output(run.id, "add") == 1
    assert not (root / "research").exists()


def test_the_prefix_is_looked_up_once_per_process_not_per_run_step_or_artifact(research: str) -> None:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    store = _sql()  # this process's store, before its first run
    engines = {store.engines.read, store.engines.write}
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        numbers_sum(n=2)
        first = [s for s in statements if "FROM workspaces" in s]
        statements.clear()
        run = numbers_sum.with_options(enable_cache=False)(n=5)
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", seen)
    assert len(first) == 1, "the first run looks the workspace up once (not per step or artifact)"
    assert statements, "the listener saw the second run's statements"
    assert not [s for s in statements if "workspaces" in s], "a later run looked the workspace up again"
    assert Path(_files_of(run)["add"][0]).parent.parent == _root() / "research" / "artifacts"


def test_an_unsafe_stored_prefix_fails_the_run_before_it_is_recorded(research: str) -> None:
    store = _sql()
    with store.engines.write.begin() as conn:
        conn.execute(sa.update(db.workspaces).where(db.workspaces.c.name == "research").values(artifact_prefix="../x"))
    with pytest.raises(ArtifactStoreError) as refused:
        numbers_sum(n=2)
    message = str(refused.value)
    assert "../x" in message
    assert "single safe folder name" in message
    assert "\n" not in message
    assert store.runs.list().total == 0, "no run was recorded"
    assert not (_root().parent / "x").exists()


@pytest.mark.parametrize("prefix", ["../up", "a/b", ".hidden", "..", "-x", "a b", "x" * 256])
def test_a_prefix_is_one_safe_folder_name(tmp_path: Path, prefix: str) -> None:
    files = ArtifactStore(str(tmp_path))
    run_id = uuid.uuid4()
    with pytest.raises(ArtifactStoreError, match="not a single safe folder name"):
        files.artifact_uri("numbers", run_id, prefix)
    with pytest.raises(ArtifactStoreError, match="not a single safe folder name"):
        files.log_uri(run_id, "make", prefix)
    assert files.artifact_uri("numbers", run_id, "research.v2").startswith(f"{tmp_path}/research.v2/artifacts/")
    uri = files.log_uri(run_id, "make", "research")
    assert files.contains(uri)
