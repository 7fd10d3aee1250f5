"""The SQLite database, step logs and artifact files are private (0600, folders 0700), whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest

from waypost import pipeline, step
from waypost.artifacts.store import ArtifactStore
from waypost.execution import runtime
from waypost.settings import config_path, write_config
from waypost.store.sql.store import SqlStore
from waypost.testing import make_run


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The most permissive umask: anything not made private on purpose would be world-readable."""
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_and_its_wal_files_are_0600(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "waypost.db"
    store = SqlStore(f"sqlite:///{db}")
    try:
        make_run(store)  # writes: the -wal and -shm files exist now
        assert mode(db) == 0o600
        for suffix in ("-wal", "-shm"):
            assert mode(f"{db}{suffix}") == 0o600, suffix
        assert mode(db.parent) == 0o700
    finally:
        store.close()


def test_an_existing_database_left_readable_is_narrowed(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    SqlStore(f"sqlite:///{db}").close()
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            path.chmod(0o644)
    SqlStore(f"sqlite:///{db}").close()
    assert mode(db) == 0o600


def test_artifact_store_files_and_folders_are_private(tmp_path: Path) -> None:
    files = ArtifactStore(str(tmp_path / "artifacts"))
    uri = files.join("logs", "run", "step", "000000000000.jsonl")
    files.write_bytes(uri, b'{"n": 0}\n')
    assert mode(uri) == 0o600
    for folder in (files.root, files.join("logs"), files.join("logs", "run"), files.join("logs", "run", "step")):
        assert mode(folder) == 0o700, folder
    with files.staging_dir() as staging:
        (staging / "sub").mkdir()
        (staging / "sub" / "data.bin").write_bytes(b"x")  # as a materializer writes: with the umask's mode
        (staging / "meta.json").write_text("{}")
        target = files.join("artifacts", "thing", "v1")
        files.commit_dir(staging, target)
    for path in (Path(target, "sub", "data.bin"), Path(target, "meta.json")):
        assert mode(path) == 0o600, path
    for folder in (target, Path(target, "sub"), files.join("artifacts", "thing")):
        assert mode(folder) == 0o700, folder


@step
def produce() -> Annotated[dict[str, int], "counts"]:
    print("a line for the log")
    return {"a": 1}


@pipeline
def private_pipeline() -> None:
    produce()


def test_a_local_run_leaves_nothing_readable_by_others(waypost_home: Path) -> None:
    runtime.reset()
    private_pipeline()
    runtime.reset()
    found = list(waypost_home.rglob("*"))
    assert any(p.suffix == ".jsonl" for p in found), "the run stored no log chunk"
    assert any(p.name.endswith(".db") for p in found)
    for path in found:
        assert mode(path) & 0o077 == 0, f"{path} is {oct(mode(path))}"


def test_the_config_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    path = write_config({"store.url": "http://127.0.0.1:1", "store.api_key": "wpk_secret"})
    assert path == config_path()
    assert mode(path) == 0o600
    assert not path.with_suffix(".tmp").exists()
