"""SqlStore.runs.suggest (the search box's completions) on SQLite, PostgreSQL and MariaDB.

Suggestions are not part of the Store protocol (the server answers them from its own
SqlStore), so they are checked here rather than in the contract suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from waypost.exceptions import FilterSyntaxError
from waypost.store.sql.store import SqlStore
from waypost.testing import make_metadata, make_pipeline, make_run
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import unique_name

DATABASES = [
    pytest.param("sqlite_url", id="sqlite"),
    pytest.param("postgres_url", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql_url", id="mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(params=DATABASES)
def store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    store = SqlStore(request.getfixturevalue(request.param))
    yield store
    store.close()


def test_names_and_tags_by_prefix_in_any_case(store: SqlStore) -> None:
    base = unique_name("Sug")
    pipe = make_pipeline(store, f"{base}-Beta")
    make_pipeline(store, f"{base}-alpha")
    make_run(store, pipe, tags=[f"{base}-Prod", f"{base}-nightly"])
    assert store.runs.suggest("pipeline", base.lower()) == [f"{base}-alpha", f"{base}-Beta"]
    assert store.runs.suggest("pipeline", base.upper() + "-B") == [f"{base}-Beta"]
    assert store.runs.suggest("tag", base) == [f"{base}-nightly", f"{base}-Prod"]
    assert store.runs.suggest("pipeline", f"{base}%") == []
    assert store.runs.suggest("pipeline", base, limit=1) == [f"{base}-alpha"]


def test_metadata_keys_are_distinct_and_walk_past_other_keys(store: SqlStore) -> None:
    base = unique_name("m").replace("-", "_")
    for i in range(3):
        run = make_run(store)
        make_metadata(store, run_id=run.id, **{f"{base}_acc": 0.1 * i, f"{base}_Loss": 1.0, f"zz{base}": i})
    assert store.runs.suggest("metadata", base) == [f"{base}_acc", f"{base}_Loss"]
    assert store.runs.suggest("metadata", base.upper() + "_l") == [f"{base}_Loss"]
    assert store.runs.suggest("metadata", f"zz{base}") == [f"zz{base}"]


def test_bad_key_or_limit_says_how_to_fix_it(store: SqlStore) -> None:
    with pytest.raises(FilterSyntaxError) as err:
        store.runs.suggest("colour", "")
    assert_one_line(err.value, "metadata")
    with pytest.raises(FilterSyntaxError) as err:
        store.runs.suggest("tag", "", limit=500)
    assert_one_line(err.value, "50")
