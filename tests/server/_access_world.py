"""A small organization with data in two workspaces and three projects, for the access tests.

Workspace ``default`` holds projects ``default`` (tag ``d``) and ``alpha`` (``a``); workspace
``ml`` holds ``vision`` (``v``). Each project has a pipeline ``pipe-T``, a completed run
``run-T`` by user ``owner-T`` tagged ``tag-T`` with metadata ``acc_T``, a step ``train`` whose
output is artifact ``pipe-T::train::output``, and a model ``model-T`` whose version the run made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL

from waypost.enums import ExecutionStatus
from waypost.schemas import RunCreate
from waypost.schemas.access import DEFAULT_PROJECT_ID
from waypost.store.sql.store import SqlStore
from waypost.testing import make_metadata, make_step_run
from waypost.testing.factories import make_spec

PASSWORD = "a long enough password"
#: tag -> (workspace, project)
PROJECTS = {"d": ("default", "default"), "a": ("default", "alpha"), "v": ("ml", "vision")}


@dataclass
class Seeded:
    """The ids of one project's data."""

    project_id: uuid.UUID
    pipeline_id: uuid.UUID
    snapshot_id: uuid.UUID
    run_id: uuid.UUID
    step_id: uuid.UUID
    version_id: uuid.UUID
    artifact_id: uuid.UUID
    model_id: uuid.UUID
    model_version_id: uuid.UUID


@dataclass
class World:
    """The store, the data of each project by tag, and how to call the app as someone."""

    store: SqlStore
    app: FastAPI
    data: dict[str, Seeded] = field(default_factory=dict)

    def client(self, name: str) -> TestClient:
        """A client authenticated as user ``name`` by a new API key."""
        key = self.store.auth.create_api_key(self.store.users.get(name).id, "tests").key
        return TestClient(self.app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})


def person(store: SqlStore, name: str) -> uuid.UUID:
    """A user with no role anywhere but organization Member (the default-workspace grant taken back)."""
    user = store.users.create(name, password=PASSWORD, is_admin=False)
    for grant in store.access.list_grants(user=user.id):
        if grant.scope_type.value != "organization":
            store.access.revoke(grant.id)
    return user.id


def _seed(store: SqlStore, tag: str, project_id: uuid.UUID, status: ExecutionStatus) -> Seeded:
    owner = person(store, f"owner-{tag}")
    pipe = store.pipelines.get_or_create(f"pipe-{tag}", project_id=project_id)
    snapshot = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    run = store.runs.create(
        RunCreate(
            name=f"run-{tag}",
            pipeline_id=pipe.id,
            snapshot_id=snapshot.id,
            status=status,
            tags=[f"tag-{tag}"],
            user_id=owner,
            started_at=datetime.now(UTC),
        )
    )
    run = store.runs.get(run.id)
    step, outputs = make_step_run(store, run, "train")
    store.artifacts.add_tags(outputs["output"].id, [f"vtag-{tag}"])
    make_metadata(store, run_id=run.id, **{f"acc_{tag}": 0.5})
    model = store.models.get_or_create_version(f"model-{tag}", None, project_id=project_id)
    store.models.link(model.id, run_id=run.id, artifact_version_ids=[outputs["output"].id])
    return Seeded(
        project_id=project_id,
        pipeline_id=pipe.id,
        snapshot_id=snapshot.id,
        run_id=run.id,
        step_id=step.id,
        version_id=outputs["output"].id,
        artifact_id=store.artifacts.get_version(outputs["output"].id).artifact_id,
        model_id=model.model_id,
        model_version_id=model.id,
    )


def build(store: SqlStore, app: FastAPI, run_status: ExecutionStatus = ExecutionStatus.COMPLETED) -> World:
    """The organization described above, with users ``vic`` (Viewer of default/alpha), ``dev``
    (Developer of workspace ml) and ``nobody`` (no role), each an organization Member; runs end as ``run_status``."""
    store.access.create_workspace("ml")
    alpha = store.access.create_project("alpha", workspace="default")
    vision = store.access.create_project("vision", workspace="ml")
    world = World(store, app)
    for tag, project_id in (("d", DEFAULT_PROJECT_ID), ("a", alpha.id), ("v", vision.id)):
        world.data[tag] = _seed(store, tag, project_id, run_status)
    person(store, "vic")
    store.access.grant("Viewer", user="vic", project="default/alpha")
    person(store, "dev")
    store.access.grant("Developer", user="dev", workspace="ml")
    person(store, "nobody")
    return world
