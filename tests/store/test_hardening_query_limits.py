"""What one query may cost: filters bounded in length and terms, statements cut at a time limit, on every database."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from waypost.exceptions import FilterSyntaxError
from waypost.store import filters
from waypost.store.sql.store import SqlStore
from waypost.store.sql.timeouts import StatementTimeoutError, limit_statements
from waypost.testing import make_pipeline, make_run

#: A statement that runs for seconds on each database, whatever it holds.
SLOW = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(10)",
    "mysql": "SELECT SLEEP(10)",
}


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """A migrated store on each database (PostgreSQL and MariaDB skipped when unreachable)."""
    url = request.getfixturevalue(f"{'postgres' if request.param == 'postgresql' else request.param}_url")
    opened = SqlStore(url)
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def default_limits() -> Iterator[None]:
    yield
    filters.set_limits(1000, 30)


def test_a_statement_past_the_limit_is_cut_and_the_store_goes_on(store: SqlStore) -> None:
    pipe = make_pipeline(store, "limits")
    limit_statements(store.engines, 0.5)
    began = time.monotonic()
    with pytest.raises(StatementTimeoutError) as cut, store.sessions.read_conn() as conn:
        conn.execute(text(SLOW[store.engines.dialect])).all()
    assert time.monotonic() - began < 5
    message = str(cut.value)
    assert "\n" not in message
    assert "longer than 0.5 s" in message
    assert "narrow the filter" in message
    # Quick statements, reads and writes, still run on the same pool afterwards.
    run = make_run(store, pipe, name="after-the-cut")
    assert [r.id for r in store.runs.list(f"pipeline:{pipe.name}").items] == [run.id]


def test_a_long_filter_is_refused_before_it_reaches_the_database(store: SqlStore) -> None:
    long = " ".join(f"name~{i:04d}" for i in range(200))  # about 2,000 characters
    with pytest.raises(FilterSyntaxError) as refused:
        store.runs.list(long)
    assert "over the limit of 1000" in str(refused.value)
    many = " ".join(f"name~w{i}" for i in range(31))
    with pytest.raises(FilterSyntaxError) as refused:
        store.runs.list(many)
    assert "more than 30 terms" in str(refused.value)
    listed = "status:" + ",".join(["failed"] * 31)  # each value of a list counts
    with pytest.raises(FilterSyntaxError, match="more than 30 terms"):
        store.artifacts.list(listed)
    assert store.runs.list(" ".join(f"name~w{i}" for i in range(30))).items == []


def test_the_limits_can_be_changed() -> None:
    filters.set_limits(20, 2)
    with pytest.raises(FilterSyntaxError, match="over the limit of 20"):
        filters.parse("name~abcdefghijklmnopqrstuvwxyz")
    with pytest.raises(FilterSyntaxError, match="more than 2 terms"):
        filters.parse("a b c")
    assert len(filters.parse("a b")) == 2
