"""The Store contract on SqlStore over SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from waypost.store.sql.store import SqlStore
from waypost.testing import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[SqlStore]:
        store = SqlStore(sqlite_url)
        yield store
        store.close()

    def test_dialect(self, store: SqlStore) -> None:
        assert store.capabilities.dialect == "sqlite"
        assert store.capabilities.local_database


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, postgres_url: str) -> Iterator[SqlStore]:
        store = SqlStore(postgres_url)
        yield store
        store.close()

    def test_dialect(self, store: SqlStore) -> None:
        assert store.capabilities.dialect == "postgresql"


@pytest.mark.mysql
class TestMysqlStore(StoreContract):
    @pytest.fixture
    def store(self, mysql_url: str) -> Iterator[SqlStore]:
        store = SqlStore(mysql_url)
        yield store
        store.close()

    def test_dialect(self, store: SqlStore) -> None:
        assert store.capabilities.dialect == "mysql"
