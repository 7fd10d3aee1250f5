"""Access control in the store, on SQLite, PostgreSQL and MariaDB: the migration of existing data,
projects and names, roles, grants through teams and scopes, shares, visibility in SQL, and the
guard that keeps an organization Admin."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from _databases import create_mysql_database, create_postgres_database, drop_mysql_database, drop_postgres_database

from waypost.exceptions import NotFoundError, ParameterError
from waypost.schemas.access import DEFAULT_PROJECT_ID, DEFAULT_WORKSPACE_ID, ORGANIZATION_ID, Level
from waypost.store.sql import migrate
from waypost.store.sql.engine import make_engines
from waypost.store.sql.store import SqlStore
from waypost.testing import assert_one_line

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]
PASSWORD = "a long enough password"


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
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


@pytest.fixture
def store(url: str) -> Iterator[SqlStore]:
    s = SqlStore(url)
    yield s
    s.close()


def test_the_migration_moves_existing_data_and_users_into_the_default_workspace(url: str) -> None:
    engines = make_engines(url)
    try:
        migrate.upgrade(engines, "0004")
        now = datetime.now(UTC).replace(tzinfo=None)
        ids = {name: uuid.uuid4() for name in ("root", "ada", "bot", "pipe", "snap", "run")}
        users = sa.table(
            "users",
            *(sa.column(c) for c in ("name", "is_active", "is_admin", "is_service_account", "created_at")),
            sa.column("id", sa.Uuid()),
        )
        with engines.write.begin() as conn:
            for name, admin, bot in (("root", True, False), ("ada", False, False), ("bot", False, True)):
                conn.execute(
                    users.insert().values(
                        id=ids[name], name=name, is_active=True, is_admin=admin, is_service_account=bot, created_at=now
                    )
                )
            conn.execute(
                sa.text("INSERT INTO pipelines (id, name, created_at) VALUES (:id, 'train', :now)"),
                {"id": _db_id(url, ids["pipe"]), "now": now},
            )
        migrate.upgrade(engines)
    finally:
        engines.dispose()

    store = SqlStore(url)
    try:
        assert [p.path for p in store.access.list_projects()] == ["default/default"]
        assert store.pipelines.get("train").id == ids["pipe"]
        by_user = {g.principal: (g.role, g.scope_type.value, g.scope) for g in store.access.list_grants()}
        grants = sorted((g.principal, g.role, g.scope) for g in store.access.list_grants())
        assert grants == [
            ("ada", "Developer", "default"),
            ("ada", "Member", "organization"),
            ("bot", "Developer", "default"),
            ("root", "Admin", "organization"),
        ]
        assert by_user["root"] == ("Admin", "organization", "organization")
        assert store.access.effective(ids["root"]).is_org_admin
        ada = store.access.effective(ids["ada"])
        assert ada.can("run:delete", workspace_id=DEFAULT_WORKSPACE_ID)
        assert not ada.can("member:manage_members")
        # The service account now belongs to the default workspace; a pipeline created now lands in its project.
        with store.engines.read.connect() as conn:
            ws = conn.execute(sa.select(sa.column("workspace_id", sa.Uuid())).select_from(sa.table("users"))).scalars()
            assert set(ws) == {None, DEFAULT_WORKSPACE_ID}
        assert store.pipelines.get_or_create("new").id != ids["pipe"]
    finally:
        store.close()


def _db_id(url: str, value: uuid.UUID) -> str | uuid.UUID:
    """A UUID as raw SQL must spell it: native on PostgreSQL, 32 hex characters elsewhere."""
    return value if url.startswith("postgresql") else value.hex


def test_names_are_unique_per_project_and_projects_hold_their_data(store: SqlStore) -> None:
    other = store.access.create_project("vision")
    a = store.pipelines.get_or_create("train")
    b = store.pipelines.get_or_create("train", project_id=other.id)
    assert a.id != b.id
    assert store.pipelines.get("train", project_id=other.id).id == b.id
    assert store.pipelines.get("train").id == a.id  # a name in several projects: the default project's
    assert [p.name for p in store.pipelines.list(project_id=other.id).items] == ["train"]

    store.models.get_or_create_version("clf", "1", project_id=other.id)
    store.models.get_or_create_version("clf", "1")
    assert store.models.list(project_id=other.id).total == 1
    assert store.models.list().total == 2

    with pytest.raises(ParameterError) as clash:
        store.access.create_project("vision")
    assert_one_line(clash.value, "vision", "another name")
    assert store.access.project_contents("vision") == "1 pipelines, 1 models"
    store.access.delete_project("default/vision")
    assert store.models.list().total == 1
    assert [p.path for p in store.access.list_projects()] == ["default/default"]
    with pytest.raises(ParameterError):
        store.access.delete_project("default")


def test_a_name_in_two_projects_outside_the_default_one_needs_the_project(store: SqlStore) -> None:
    ws = store.access.create_workspace("research")
    left = store.access.create_project("left", workspace="research")
    right = store.access.create_project("right", workspace=ws.id)
    store.pipelines.get_or_create("etl", project_id=left.id)
    store.pipelines.get_or_create("etl", project_id=right.id)
    with pytest.raises(ParameterError) as ambiguous:
        store.pipelines.get("etl")
    assert_one_line(ambiguous.value, "etl", "project")
    # A new workspace starts with a project named default, so "default" alone is ambiguous too, but
    # the default workspace's wins.
    assert store.access.get_project("default").id == DEFAULT_PROJECT_ID
    assert store.access.get_project("research/default").workspace == "research"


def test_grants_through_teams_and_scopes_make_the_effective_access(store: SqlStore) -> None:
    root = store.users.create("root", password=PASSWORD, is_admin=True)
    ada = store.users.create("ada", password=PASSWORD)
    ws = store.access.create_workspace("research")
    p1 = store.access.create_project("p1", workspace="research")
    p2 = store.access.create_project("p2", workspace="research")
    # New people start as organization Members and Developers of the default workspace; take that away.
    store.access.revoke(store.access.find_grant("Developer", user="ada", workspace="default").id)
    assert not store.access.effective(ada.id).can("run:read", workspace_id=DEFAULT_WORKSPACE_ID)

    store.access.create_team("vision", members=["ada"])
    store.access.grant("Viewer", team="vision", project="research/p1", created_by=root.id)
    store.access.grant("Developer", user="ada", project=p2.id)
    access = store.access.effective(ada.id)
    assert access.can("run:read", workspace_id=ws.id, project_id=p1.id)
    assert not access.can("run:delete", workspace_id=ws.id, project_id=p1.id)
    assert access.can("run:delete", workspace_id=ws.id, project_id=p2.id)
    vis = access.visibility("run:read", "run")
    assert not vis.everything
    assert vis.project_ids == {p1.id, p2.id}

    # A workspace grant covers every project in it, those made later too.
    store.access.grant("Viewer", user="ada", workspace="research")
    p3 = store.access.create_project("p3", workspace="research")
    later = store.pipelines.get_or_create("etl", project_id=p3.id)
    elsewhere = store.pipelines.get_or_create("etl")
    visible = store.pipelines.list(visibility=store.access.effective(ada.id).visibility("pipeline:read", "pipeline"))
    assert [p.id for p in visible.items] == [later.id]
    assert visible.total == 1

    # Leaving the team takes its grants away; the explanation names where each permission came from.
    sources = {(e["role"], e["scope"], e["via"]) for e in store.access.explain(ada.id)}
    assert ("Viewer", "research/p1", "team vision") in sources
    store.access.remove_members("vision", ["ada"])
    assert not store.access.effective(ada.id).can("run:read", project_id=p1.id)
    assert elsewhere.id not in {p.id for p in visible.items}


def test_shares_open_one_resource_and_nothing_else(store: SqlStore) -> None:
    store.users.create("root", password=PASSWORD, is_admin=True)
    bob = store.users.create("bob", password=PASSWORD)
    store.access.revoke(store.access.find_grant("Developer", user="bob", workspace="default").id)
    shared = store.pipelines.get_or_create("shared")
    store.pipelines.get_or_create("private")
    share = store.access.share("pipeline", shared.id, role="Viewer", user="bob")
    access = store.access.effective(bob.id)
    assert access.can("pipeline:read", resource=("pipeline", shared.id))
    assert not access.can("pipeline:delete", resource=("pipeline", shared.id))
    assert not access.can("run:read", resource=("pipeline", shared.id))  # a share grants only its resource type
    page = store.pipelines.list(visibility=access.visibility("pipeline:read", "pipeline"))
    assert [p.name for p in page.items] == ["shared"]
    assert page.total == 1
    assert [s.principal for s in store.access.list_shares("pipeline", shared.id)] == ["bob"]
    store.access.unshare(share.id)
    assert store.pipelines.list(visibility=store.access.effective(bob.id).visibility("pipeline:read")).total == 0
    with pytest.raises(ParameterError) as bad:
        store.access.share("secret", uuid.uuid4(), user="bob")
    assert_one_line(bad.value, "secret", "shareable")


def test_custom_roles_are_validated_and_built_in_ones_are_fixed(store: SqlStore) -> None:
    role = store.access.create_role("Auditor", "organization", ["audit_log:read", "run:read"], description="reads")
    assert role.permissions == ["run:read", "audit_log:read"]
    assert not role.builtin
    with pytest.raises(ParameterError) as unknown:
        store.access.create_role("Oops", "project", ["run:fly"])
    assert_one_line(unknown.value, "run:fly")
    with pytest.raises(ParameterError):
        store.access.create_role("auditor", Level.ORGANIZATION, ["run:read"])  # names ignore case
    with pytest.raises(ParameterError) as builtin:
        store.access.update_role("Admin", level="project", permissions=["run:read"])
    assert_one_line(builtin.value, "built-in")
    assert {r.name for r in store.access.list_roles("workspace")} == {
        "Admin",
        "Developer",
        "Contributor",
        "Viewer",
        "Stack Admin",
    }
    assert store.access.list_roles()[0].builtin
    store.users.create("ada", password=PASSWORD)
    held = store.access.grant("Auditor", user="ada")
    with pytest.raises(ParameterError) as in_use:
        store.access.delete_role("Auditor")
    assert_one_line(in_use.value, "revoke")
    store.access.revoke(held.id)
    store.access.delete_role("Auditor")
    assert "Auditor" not in {r.name for r in store.access.list_roles()}


def test_bad_grants_are_refused_and_leave_nothing_behind(store: SqlStore) -> None:
    store.users.create("ada", password=PASSWORD)
    store.users.create("ci", is_service_account=True)
    store.access.create_workspace("research")
    before = len(store.access.list_grants())
    cases = [
        ({"role": "Nope", "user": "ada"}, NotFoundError, "Nope"),
        ({"role": "Viewer", "user": "nobody", "project": "default"}, NotFoundError, "nobody"),
        ({"role": "Viewer", "user": "ada", "project": "nowhere"}, NotFoundError, "nowhere"),
        ({"role": "Developer", "user": "ada"}, ParameterError, "workspace"),  # a workspace role at the organization
        ({"role": "Viewer", "user": "ada", "team": "x"}, ParameterError, "exactly one"),
        ({"role": "Viewer", "user": "ci", "workspace": "research"}, ParameterError, "own workspace"),
    ]
    for kwargs, error, fragment in cases:
        with pytest.raises(error) as refused:
            store.access.grant(**kwargs)  # type: ignore[arg-type]
        assert_one_line(refused.value, fragment)
    assert len(store.access.list_grants()) == before
    again = store.access.grant("Viewer", user="ada", project="default")
    assert store.access.grant("Viewer", user="ada", project="default").id == again.id  # granting twice is harmless


def test_the_last_organization_admin_cannot_be_removed(store: SqlStore) -> None:
    root = store.users.create("root", password=PASSWORD, is_admin=True)
    only = store.access.find_grant("Admin", user="root")
    assert only.scope_type is Level.ORGANIZATION
    assert only.scope_id == ORGANIZATION_ID
    for remove in (
        lambda: store.access.revoke(only.id),
        lambda: store.users.set_active(root.id, False),
        lambda: store.users.delete(root.id),
        lambda: store.users.update(root.id, is_admin=False),
    ):
        with pytest.raises(ParameterError) as refused:
            remove()
        assert_one_line(refused.value, "without an active Admin")
    assert store.users.get("root").is_admin
    assert store.access.effective(root.id).is_org_admin

    # An Admin through a team counts; once that team is the only way, it cannot go either.
    store.users.create("ada", password=PASSWORD)
    store.access.create_team("ops", members=["ada"])
    store.access.grant("Admin", team="ops")
    store.access.revoke(only.id)
    assert not store.users.get("root").is_admin
    with pytest.raises(ParameterError):
        store.access.delete_team("ops")
    with pytest.raises(ParameterError):
        store.access.remove_members("ops", ["ada"])
    assert store.access.get_team("ops").members == ["ada"]


def test_a_member_run_list_merged_from_projects_pages_like_one_sorted_list(store: SqlStore) -> None:
    """A caller seeing a few projects gets each project's newest runs merged: same order, pages and totals."""
    from datetime import timedelta

    from waypost.store.sql import tables as db
    from waypost.store.sql.repositories.runs import ordered_ids, scoped
    from waypost.testing import make_spec

    store.users.create("root", password=PASSWORD, is_admin=True)
    ada = store.users.create("ada", password=PASSWORD)
    store.access.revoke(store.access.find_grant("Developer", user="ada", workspace="default").id)
    store.access.create_workspace("research")
    seen_p = store.access.create_project("seen")  # granted directly
    in_ws = store.access.create_project("ws-wide", workspace="research")  # through a workspace grant
    hidden = store.access.create_project("hidden")
    store.access.grant("Viewer", user="ada", project=seen_p.id)
    store.access.grant("Viewer", user="ada", workspace="research")
    start = datetime(2026, 1, 1)
    rows = []
    for project in (seen_p, in_ws, hidden):
        pipe = store.pipelines.get_or_create("train", project_id=project.id)
        snap = store.pipelines.snapshot(pipe.id, make_spec("train"))
        for i in range(7):
            at = start + timedelta(minutes=i // 2)  # pairs share a created_at: ties are broken by id
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "name": f"{project.name}-{i}",
                    "project_id": project.id,
                    "pipeline_id": pipe.id,
                    "snapshot_id": snap.id,
                    "status": "failed" if i % 3 == 0 else "completed",
                    "config": {},
                    "parameters": {},
                    "orchestrator": "local",
                    "created_at": at,
                }
            )
    with store.sessions.write() as s:
        s.execute(sa.insert(db.pipeline_runs), rows)
    hidden_ids = [r["id"] for r in rows if r["project_id"] == hidden.id]
    seen_ids = [r["id"] for r in rows if r["project_id"] == seen_p.id]
    store.access.share("run", hidden_ids[3], role="Viewer", user="ada")  # one run of a hidden project
    store.access.share("run", seen_ids[0], role="Viewer", user="ada")  # and one she sees anyway
    vis = store.access.effective(ada.id).visibility("run:read", "run")
    assert vis.project_ids
    assert vis.workspace_ids
    assert vis.shared_ids

    visible = {r["id"]: r for r in rows if r["project_id"] != hidden.id or r["id"] == hidden_ids[3]}
    for query, sort in (("", None), ("status:failed", None), ("", "created")):
        wanted = [r for r in visible.values() if not query or r["status"] == "failed"]
        got: list[uuid.UUID] = []
        for page in range(1, 6):
            listed = store.runs.list(query, sort=sort, page=page, size=3, visibility=vis)
            assert listed.total == len(wanted), (query, sort, page)
            got += [r.id for r in listed.items]
        assert sorted(got) == sorted(r["id"] for r in wanted), (query, sort)
        times = [visible[i]["created_at"] for i in got]
        assert times == sorted(times, reverse=sort is None)
        # Ties fall as the database orders ids (MariaDB's UUID type has its own order), as one query sorts them.
        with store.sessions.read() as s:
            one_query = list(s.scalars(ordered_ids(s, query, sort, scoped(vis))))
        assert got == one_query, (query, sort)
