"""Databases for the store tests: SQLite files, and fresh PostgreSQL/MariaDB databases when reachable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _databases import create_mysql_database, create_postgres_database, drop_mysql_database, drop_postgres_database


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test module, dropped afterwards."""
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def mysql_url() -> Iterator[str]:
    """A fresh MariaDB/MySQL database for this test module, dropped afterwards."""
    url = create_mysql_database()
    yield url
    drop_mysql_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL in this test's temporary folder (the file does not exist yet)."""
    return f"sqlite:///{tmp_path / 'store.db'}"


THREE_DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(params=THREE_DATABASES)
def fresh_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """An empty database of each kind, a new one per test (SQLite, PostgreSQL, MariaDB), dropped afterwards."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    create, drop = {
        "postgres": (create_postgres_database, drop_postgres_database),
        "mysql": (create_mysql_database, drop_mysql_database),
    }[request.param]
    made = create()
    try:
        yield made
    finally:
        drop(made)
