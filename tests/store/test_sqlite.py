"""SQLite specifics: WAL mode, busy timeout, and one-line errors for corrupt, locked and bad stores."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost.exceptions import ConfigurationError, StoreCorruptError, StoreLockedError
from waypost.store.sql.store import SqlStore
from waypost.testing import assert_one_line, make_pipeline, make_run


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "waypost.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{db_path}", busy_timeout_s=2.5)
    yield store
    store.close()


def test_file_is_created_in_wal_mode_with_a_busy_timeout(store: SqlStore, db_path: Path) -> None:
    make_run(store)
    assert db_path.exists(), "the store creates the file and its folder"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    for engine in (store.engines.read, store.engines.write):
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_readers_are_not_blocked_by_a_writer(store: SqlStore, db_path: Path) -> None:
    run = make_run(store)
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE pipeline_runs SET status = 'failed'")
        assert store.runs.get(run.id).status == "running", "WAL readers see the last commit"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_corrupt_file_raises_one_line_store_corrupt_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a SQLite database\x00\xff" * 200)
    with pytest.raises(StoreCorruptError) as err:
        SqlStore(f"sqlite:///{db_path}")
    assert_one_line(err.value, str(db_path), "move the file aside")


def test_store_locked_past_the_busy_timeout_raises_one_line_store_locked_error(db_path: Path) -> None:
    SqlStore(f"sqlite:///{db_path}").close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        store = SqlStore(f"sqlite:///{db_path}", busy_timeout_s=0.2)
        try:
            started = time.monotonic()
            with pytest.raises(StoreLockedError) as err:
                make_pipeline(store)
            waited = time.monotonic() - started
        finally:
            store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_one_line(err.value, str(db_path), "WAYPOST_STORE__BUSY_TIMEOUT_S")
    assert 0.15 <= waited < 5, f"waited {waited:.2f}s for a 0.2s busy timeout"


def test_lock_released_within_the_busy_timeout_is_waited_for(db_path: Path) -> None:
    SqlStore(f"sqlite:///{db_path}").close()
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    store = SqlStore(f"sqlite:///{db_path}", busy_timeout_s=10)
    try:
        release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        release.start()
        pipe = make_pipeline(store)
        release.join()
        assert store.pipelines.get(pipe.name).id == pipe.id
    finally:
        store.close()
        holder.close()


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://host/db", "postgresql+nosuchdriver://localhost/db"])
def test_invalid_url_raises_one_line_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        SqlStore(url)
    assert_one_line(err.value)
