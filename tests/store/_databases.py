"""Fresh, uniquely named PostgreSQL and MariaDB databases for the store tests (skipped when unreachable)."""

from __future__ import annotations

import os
import uuid

import pytest

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
MYSQL_HOST, MYSQL_PORT, MYSQL_USER = "127.0.0.1", 3306, "root"


def database_name() -> str:
    """A database name unique to this xdist worker and call."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"waypost_test_{worker}_{uuid.uuid4().hex[:10]}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _pg_admin() -> object:
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install waypost[postgres])")
    try:
        return psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3, autocommit=True
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT} ({_first_line(exc)})")


def _mysql_admin() -> object:
    pymysql = pytest.importorskip("pymysql", reason="pymysql is not installed (pip install waypost[mysql])")
    try:
        return pymysql.connect(
            host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, password="", connect_timeout=3, autocommit=True
        )
    except pymysql.err.MySQLError as exc:
        pytest.skip(f"MySQL/MariaDB not reachable on {MYSQL_HOST}:{MYSQL_PORT} ({_first_line(exc)})")


def create_postgres_database() -> str:
    """Create an empty PostgreSQL database; return its URL (skip when the server is unreachable)."""
    name = database_name()
    with _pg_admin() as conn:  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop the database ``url`` names, closing whatever still uses it."""
    with _pg_admin() as conn:  # type: ignore[attr-defined]
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def create_mysql_database() -> str:
    """Create an empty MySQL/MariaDB database; return its URL (skip when the server is unreachable)."""
    name = database_name()
    conn = _mysql_admin()
    try:
        with conn.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        conn.close()  # type: ignore[attr-defined]
    return f"mysql://{MYSQL_USER}@{MYSQL_HOST}:{MYSQL_PORT}/{name}"


def drop_mysql_database(url: str) -> None:
    """Drop the database ``url`` names."""
    conn = _mysql_admin()
    try:
        with conn.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(f"DROP DATABASE IF EXISTS `{url.rsplit('/', 1)[1]}`")
    finally:
        conn.close()  # type: ignore[attr-defined]
