"""Migration 0010 fills in the roles of links that existed before it, on SQLite, PostgreSQL and MariaDB:
the earliest run of a version made it, later ones are attached; an artifact version's type decides
its role. Going down and up again keeps every link."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from waypost.enums import ExecutionStatus
from waypost.schemas import RunCreate
from waypost.store.model_links import artifact_role
from waypost.store.sql import migrate
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_artifact_version, make_pipeline, make_spec


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[SqlStore]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue(f"{request.param}_url")
    opened = SqlStore(url)
    yield opened
    opened.close()


def test_artifact_roles_follow_the_type() -> None:
    assert artifact_role("sklearn.ensemble._forest.RandomForestClassifier") == "model"
    assert artifact_role("torch.nn.modules.linear.Linear") == "model"
    assert artifact_role("torch.Tensor") == "data"
    assert artifact_role("pandas.core.frame.DataFrame") == "data"
    assert artifact_role("numpy.ndarray") == "data"
    assert artifact_role("sklearn.utils._bunch.Bunch") == "data"
    assert artifact_role("builtins.float") == "other"
    assert artifact_role("") == "other"


def test_migration_0010_fills_in_the_roles_of_existing_links(store: SqlStore) -> None:
    version = store.models.get_or_create_version("legacy", "1")
    pipe = make_pipeline(store, "legacy_train")
    snap = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    runs = [
        store.runs.create(
            RunCreate(
                name=f"legacy-{n}",
                pipeline_id=pipe.id,
                snapshot_id=snap.id,
                status=ExecutionStatus.COMPLETED,
                model_version_id=version.id,
            )
        ).id
        for n in range(3)
    ]
    made = store.artifacts.register(
        [
            make_artifact_version("clf").model_copy(update={"data_type": "xgboost.sklearn.XGBClassifier"}),
            make_artifact_version("rows").model_copy(update={"data_type": "polars.dataframe.frame.DataFrame"}),
            make_artifact_version("note").model_copy(update={"data_type": "builtins.str"}),
        ]
    )
    store.models.link(version.id, artifact_version_ids=[a.id for a in made])
    migrate.downgrade(store.engines, "0009")
    migrate.upgrade(store.engines)
    mvr, mva = db.model_version_runs, db.model_version_artifacts
    with store.sessions.read() as s:
        roles = dict(s.execute(select(mvr.c.run_id, mvr.c.role).where(mvr.c.model_version_id == version.id)).all())
        art = dict(
            s.execute(select(mva.c.artifact_version_id, mva.c.role).where(mva.c.model_version_id == version.id)).all()
        )
    assert roles == {runs[0]: "producer", runs[1]: "attached", runs[2]: "attached"}
    assert art == {made[0].id: "model", made[1].id: "data", made[2].id: "other"}
