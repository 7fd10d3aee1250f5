"""The migration chain: up to head, down to base and up again on every database; tables.py and schema agree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _databases import create_mysql_database, create_postgres_database, drop_mysql_database, drop_postgres_database
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from waypost.store.sql import migrate
from waypost.store.sql.engine import Engines, make_engines
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import complete_metadata
from waypost.testing import make_run

metadata = complete_metadata()

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(params=DATABASES)
def empty_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """An empty database of each kind (a fresh one per test for the servers)."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    create, drop = {
        "postgres": (create_postgres_database, drop_postgres_database),
        "mysql": (create_mysql_database, drop_mysql_database),
    }[request.param]
    url = create()
    try:
        yield url
    finally:
        drop(url)


@pytest.fixture
def engines(empty_url: str) -> Iterator[Engines]:
    engines = make_engines(empty_url)
    yield engines
    engines.dispose()


def _tables(engines: Engines) -> set[str]:
    with engines.read.connect() as conn:
        return set(inspect(conn).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(engines: Engines) -> None:
    assert migrate.current_revision(engines) is None
    assert _tables(engines) == set()

    migrate.upgrade(engines)
    assert migrate.current_revision(engines) == migrate.HEAD_REVISION
    assert _tables(engines) == set(metadata.tables)

    migrate.downgrade(engines, "base")
    assert migrate.current_revision(engines) is None
    assert _tables(engines) == set()

    migrate.upgrade(engines)
    assert migrate.current_revision(engines) == migrate.HEAD_REVISION
    assert _tables(engines) == set(metadata.tables)


def test_every_revision_steps_down_and_up(engines: Engines) -> None:
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    for revision in chain:
        migrate.upgrade(engines, revision)
        assert migrate.current_revision(engines) == revision
    for revision in reversed(chain):
        down_to = script.get_revision(revision).down_revision
        migrate.downgrade(engines, down_to if isinstance(down_to, str) else "base")
        assert migrate.current_revision(engines) == down_to
    assert _tables(engines) == set()


def test_store_opens_an_empty_database_at_head(empty_url: str) -> None:
    store = SqlStore(empty_url)
    try:
        assert migrate.current_revision(store.engines) == migrate.HEAD_REVISION
        run = make_run(store)
        assert store.runs.get(run.id).name == run.name
    finally:
        store.close()


def test_head_revision_matches_the_script_directory() -> None:
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert script.get_heads() == [migrate.HEAD_REVISION], "one chain, and HEAD_REVISION names its head"


def test_tables_and_migrations_agree(engines: Engines) -> None:
    migrate.upgrade(engines)
    with engines.read.connect() as conn:
        options = {"compare_type": True, "render_as_batch": engines.dialect == "sqlite"}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=options), metadata)
    assert diffs == [], "tables.py and the migrations differ; add a migration (alembic revision --autogenerate)"
