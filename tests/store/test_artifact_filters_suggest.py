"""The artifacts list's `pipeline:` and `type:` keys and its search box's suggestions, on every database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from waypost.enums import ExecutionStatus
from waypost.exceptions import FilterSyntaxError
from waypost.schemas import PipelineRead, StepRunFinish
from waypost.store.sql.store import SqlStore
from waypost.testing import make_pipeline, make_run
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import make_artifact_version, make_step_run, start_step, unique_name

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


def _save(store: SqlStore, pipe: PipelineRead, artifact: str, data_type: str, tags: tuple[str, ...] = ()) -> None:
    """One step run of a new run of ``pipe`` that saves one version of ``artifact`` typed ``data_type``."""
    run = make_run(store, pipe)
    step_id = start_step(store, run, "train")
    version = make_artifact_version(artifact, tags=tags).model_copy(update={"data_type": data_type})
    store.steps.finish(
        step_id, run.id, StepRunFinish(status=ExecutionStatus.COMPLETED, ended_at=datetime.now(UTC)), {"out": version}
    )


@pytest.fixture
def seeded(store: SqlStore) -> tuple[SqlStore, str]:
    base = unique_name("af")
    train, etl = make_pipeline(store, f"{base}-Train"), make_pipeline(store, f"{base}-etl")
    _save(store, train, f"{base}-frame", "pandas.core.frame.DataFrame", ("gold",))
    _save(store, train, f"{base}-model", "sklearn.linear_model._logistic.LogisticRegression")
    _save(store, etl, f"{base}-raw", "builtins.dict")
    _save(store, etl, f"{base}-shared", "numpy.ndarray")
    _save(store, train, f"{base}-shared", "numpy.ndarray")  # a user-chosen name both pipelines save
    return store, base


def names(store: SqlStore, query: str) -> list[str]:
    """Matching artifact names without their test-unique prefix."""
    return sorted(a.name.rsplit("-", 1)[-1] for a in store.artifacts.list(query, size=100).items)


def test_pipeline_keeps_artifacts_with_a_version_from_that_pipeline(seeded: tuple[SqlStore, str]) -> None:
    store, base = seeded
    assert names(store, f"pipeline:{base}-Train") == ["frame", "model", "shared"]
    assert names(store, f"pipeline:{base}-etl") == ["raw", "shared"]
    assert names(store, f"pipeline:{base}-etl,{base}-Train") == ["frame", "model", "raw", "shared"]
    assert names(store, f"pipeline:{base}-etl*".upper()) == ["raw", "shared"]  # a pattern ignores case
    assert names(store, f"pipeline:{base}-e name~{base}") == []  # exact unless a pattern
    assert names(store, f"name~{base} -pipeline:{base}-etl") == ["frame", "model"]


def test_type_matches_full_name_tail_or_package_and_class_in_any_case(seeded: tuple[SqlStore, str]) -> None:
    store, base = seeded
    scoped = f"name~{base} "
    assert names(store, scoped + "type:pandas.core.frame.DataFrame") == ["frame"]
    assert names(store, scoped + "type:dataframe") == ["frame"]
    assert names(store, scoped + "type:pandas.DataFrame") == ["frame"]
    assert names(store, scoped + "type:frame.DataFrame") == ["frame"]
    assert names(store, scoped + "type:Frame") == []  # a tail is whole dotted parts, not a substring
    assert names(store, scoped + "type~Frame") == ["frame"]
    assert names(store, scoped + "type:ndarray,dict") == ["raw", "shared"]
    assert names(store, scoped + "type:LogisticRegression") == ["model"]
    assert names(store, scoped + "type:sklearn.LogisticRegression") == ["model"]
    assert names(store, scoped + "type:*linear_model*") == ["model"]
    assert names(store, scoped + "type=builtins.dict") == ["raw"]
    assert names(store, scoped + "type=dict") == []  # = is the exact full name
    assert names(store, scoped + "type!=numpy.ndarray") == ["frame", "model", "raw"]
    assert names(store, scoped + f"type:ndarray pipeline:{base}-etl") == ["shared"]


def test_versions_take_the_same_type_and_pipeline_keys(seeded: tuple[SqlStore, str]) -> None:
    store, base = seeded
    page = store.artifacts.list_versions(f'name:"{base}-shared" pipeline:{base}-Train type:ndarray')
    assert [v.name for v in page.items] == [f"{base}-shared"]
    assert page.items[0].version == 2


def test_tags_of_versions_find_their_artifact(seeded: tuple[SqlStore, str]) -> None:
    store, base = seeded
    assert names(store, f"name~{base} tag:gold") == ["frame"]


def test_suggestions(seeded: tuple[SqlStore, str]) -> None:
    store, base = seeded
    make_pipeline(store, f"{base}-idle")  # produced nothing: not offered
    assert store.artifacts.suggest("pipeline", base.upper()) == [f"{base}-etl", f"{base}-Train"]
    assert store.artifacts.suggest("pipeline", f"{base}-t") == [f"{base}-Train"]
    assert store.artifacts.suggest("type", "FRAME") == ["pandas.core.frame.DataFrame"]
    assert "builtins.dict" in store.artifacts.suggest("type", "")
    assert store.artifacts.suggest("type", "_") == ["sklearn.linear_model._logistic.LogisticRegression"]  # literal
    assert store.artifacts.suggest("type", "A", limit=2) == ["numpy.ndarray", "pandas.core.frame.DataFrame"]
    assert store.artifacts.suggest("tag", "GO") == ["gold"]


def test_bad_filters_and_suggestions_are_one_line_errors(seeded: tuple[SqlStore, str]) -> None:
    store, _ = seeded
    for call in (
        lambda: store.artifacts.list("type>3"),
        lambda: store.artifacts.list("tag~gold"),
        lambda: store.artifacts.suggest("owner", ""),
        lambda: store.artifacts.suggest("type", "", limit=0),
    ):
        with pytest.raises(FilterSyntaxError) as err:
            call()
        assert_one_line(str(err.value))


def test_pipeline_filter_does_not_match_other_pipelines_outputs(store: SqlStore) -> None:
    base = unique_name("own")
    a, b = make_pipeline(store, f"{base}-a"), make_pipeline(store, f"{base}-b")
    make_step_run(store, make_run(store, a))
    make_step_run(store, make_run(store, b))
    assert names(store, f"pipeline:{base}-a") == ["a::train::output"]
    assert names(store, f"pipeline:{base}-b") == ["b::train::output"]
