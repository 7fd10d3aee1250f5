"""Engines for the SQL store: SQLite tuned for many writer processes, PostgreSQL, MySQL."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, OperationalError

from waypost.exceptions import ConfigurationError, StoreCorruptError, StoreError, StoreLockedError
from waypost.store.sql.timeouts import is_timeout, timeout_error

#: Execution option: this connection runs a single read statement, so SQLite needs no BEGIN.
SINGLE_STATEMENT = "waypost_single_statement"

_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "mysql": "mysql+pymysql"}


def normalize_url(url: str) -> str:
    """Pick the driver we ship for a bare ``postgresql://`` or ``mysql://`` URL."""
    scheme, sep, rest = url.partition("://")
    return f"{_DRIVERS.get(scheme, scheme)}{sep}{rest}"


@dataclass
class Engines:
    """A reading and a writing engine (the same one outside SQLite)."""

    read: Engine
    write: Engine
    url: str

    @property
    def dialect(self) -> str:
        """'sqlite', 'postgresql' or 'mysql'."""
        return self.write.dialect.name

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.read.dispose()
        if self.write is not self.read:
            self.write.dispose()


def make_engines(url: str, *, busy_timeout_s: float = 30.0, pool_size: int = 5) -> Engines:
    """Create engines for ``url``; raise a one-line ConfigurationError for a bad URL."""
    url = normalize_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"Store URL '{url}' is not a database URL; use sqlite:///path, postgresql://… or mysql://…"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engines(url, parsed.database, busy_timeout_s)
        kwargs: dict[str, Any] = {"pool_pre_ping": True, "pool_size": pool_size, "max_overflow": pool_size * 2}
        if parsed.get_backend_name() == "mysql":
            kwargs["pool_recycle"] = 3600
            if "charset" not in parsed.query:
                url = str(parsed.update_query_dict({"charset": "utf8mb4"}).render_as_string(hide_password=False))
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigurationError(
            f"No driver for store URL '{parsed.render_as_string()}' ({exc}); "
            "install waypost[postgres] or waypost[mysql]."
        ) from None
    return Engines(read=engine, write=engine, url=url)


def _create_private(database: str) -> None:
    """Create the database file (and its folder) readable by its owner only, before SQLite does so with 0644.

    SQLite gives the -wal and -shm files the database file's mode; the ones an older
    version left readable to others are narrowed too.
    """
    folder = Path(database).parent
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for path in (database, f"{database}-wal", f"{database}-shm"):
        with contextlib.suppress(OSError):  # absent, or another user's file: leave it as it is
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)


def _sqlite_engines(url: str, database: str | None, busy_timeout_s: float) -> Engines:
    if database and database != ":memory:" and not database.startswith("file:"):
        _create_private(database)

    def build(begin_sql: str) -> Engine:
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
            # Take over transaction control from the driver so BEGIN IMMEDIATE is possible.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            if not conn.get_execution_options().get(SINGLE_STATEMENT):
                conn.exec_driver_sql(begin_sql)

        return engine

    # Writers take the write lock up front: a deferred transaction that later upgrades
    # to a writer can fail with SQLITE_BUSY at once instead of waiting its turn.
    return Engines(read=build("BEGIN"), write=build("BEGIN IMMEDIATE"), url=url)


def translate_error(exc: DBAPIError, url: str) -> StoreError:
    """Turn a driver error into a one-line StoreError that says what to do."""
    if is_timeout(exc):
        return timeout_error(url)
    text = str(exc.orig) if exc.orig is not None else str(exc)
    where = make_url(url).render_as_string(hide_password=True)
    if "database is locked" in text or "database table is locked" in text:
        return StoreLockedError(
            f"Store '{where}' stayed locked by another process past the busy timeout; "
            "retry, or raise WAYPOST_STORE__BUSY_TIMEOUT_S."
        )
    if "file is not a database" in text or "malformed" in text:
        return StoreCorruptError(
            f"Store '{where}' is not a usable SQLite database ({text}); move the file aside "
            "or point WAYPOST_STORE__URL at another one."
        )
    if isinstance(exc, OperationalError):
        return StoreError(f"Store '{where}' failed: {text.splitlines()[0]}; check that the database is reachable.")
    return StoreError(f"Store '{where}' rejected the operation: {text.splitlines()[0]}")


def is_conflict(error: StoreError) -> bool:
    """True when ``error`` is a unique-key clash: another writer created the same row first."""
    return isinstance(error.__context__, IntegrityError)


class Sessions:
    """Read and write connections over :class:`Engines` (SQLAlchemy Core), with driver errors translated."""

    def __init__(self, engines: Engines) -> None:
        self.engines = engines
        # SQLite has one writer at a time. Threads of this process queue on a lock, which
        # wakes the next one at once; left to SQLite, a blocked writer sleeps in its busy
        # handler (1 ms and more per try). Other processes still meet the busy timeout.
        self._write_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if engines.dialect == "sqlite" else contextlib.nullcontext()
        )

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction: its statements see one snapshot of the database."""
        try:
            with self.engines.read.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise translate_error(exc, self.engines.url) from None

    @contextmanager
    def read_conn(self) -> Iterator[Connection]:
        """A connection for one read statement.

        On SQLite no BEGIN/COMMIT is sent: a single SELECT is consistent on its own, and the
        two round trips cost as much as the query. Use :meth:`read` for several statements.
        """
        try:
            with self.engines.read.connect() as conn:
                yield conn.execution_options(**{SINGLE_STATEMENT: True})
        except DBAPIError as exc:
            raise translate_error(exc, self.engines.url) from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction: its changes commit together or not at all."""
        try:
            with self._write_lock, self.engines.write.begin() as conn:
                yield conn
        except DBAPIError as exc:
            raise translate_error(exc, self.engines.url) from None

    #: Another name for :meth:`write`.
    write_conn = write
