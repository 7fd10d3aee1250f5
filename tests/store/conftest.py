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
