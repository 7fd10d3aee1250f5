"""The access API: workspaces, projects, teams, roles, grants and shares through a real app and store.

An admin builds the organization; a person sees only the projects they hold a role in; refusals
name the permission and the scope; every change leaves an audit row; bad input is a one-line 4xx
that changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.store.sql.store import SqlStore

API = "/api/v1"
PASSWORD = "a long enough password"


def _as(app: FastAPI, store: SqlStore, name: str) -> TestClient:
    """A client authenticated as a new non-admin user ``name`` (an organization Member, Developer of default)."""
    user = store.users.create(name, password=PASSWORD, is_admin=False)
    key = store.auth.create_api_key(user.id, "tests").key
    return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def ada(server_app: FastAPI, server_store: SqlStore, client: TestClient) -> Iterator[TestClient]:
    with _as(server_app, server_store, "ada") as c:
        yield c


def _audit(store: SqlStore) -> list[tuple[str, str | None]]:
    return [(e.action, e.target) for e in reversed(store.audit.list(size=500).items)]


def _refused(r: object, *fragments: str) -> None:
    """``r`` is a one-line 403 whose detail holds each fragment (the permission, the scope)."""
    assert_one_line(r, 403)
    for fragment in fragments:
        assert fragment in r.json()["detail"]  # type: ignore[attr-defined]


def _made(r: object, status: int = 201) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    return body


def test_an_admin_builds_the_organization_and_every_change_is_audited(
    client: TestClient, server_store: SqlStore, ada: TestClient
) -> None:
    ws = _made(client.post(f"{API}/workspaces", json={"name": "ml", "description": "models"}))
    assert ws["name"] == "ml"
    project = _made(client.post(f"{API}/projects", json={"name": "vision", "workspace": "ml"}))
    assert (project["workspace"], project["name"]) == ("ml", "vision")
    got = _made(client.get(f"{API}/projects/{quote('ml/vision', safe='')}"), 200)
    assert got["id"] == project["id"]
    assert _made(client.get(f"{API}/projects/{project['id']}"), 200)["name"] == "vision"
    team = _made(client.post(f"{API}/teams", json={"name": "cv", "members": ["ada"]}))
    assert team["members"] == ["ada"]
    role = _made(
        client.post(f"{API}/roles", json={"name": "Runner", "level": "project", "permissions": ["run:read", "run:run"]})
    )
    assert role["builtin"] is False
    assert _made(client.patch(f"{API}/roles/Runner", json={"permissions": ["run:read"]}), 200)["permissions"] == [
        "run:read"
    ]
    grant = _made(client.post(f"{API}/grants", json={"role": "Runner", "team": "cv", "project": "ml/vision"}))
    assert (grant["scope"], grant["principal"], grant["role"]) == ("ml/vision", "cv", "Runner")
    listed = _made(client.get(f"{API}/grants", params={"project": "ml/vision"}), 200)
    assert [g["id"] for g in listed] == [grant["id"]]  # type: ignore[union-attr]

    server_store.users.create("bob", password=PASSWORD, is_admin=False)
    assert _made(client.post(f"{API}/teams/cv/members", json={"users": ["bob"]}), 200)["members"] == ["ada", "bob"]
    assert _made(client.delete(f"{API}/teams/cv/members/bob"), 200)["members"] == ["ada"]

    explained = _made(client.get(f"{API}/access/users/ada"), 200)
    via_team = [s for s in explained["sources"] if s["via"] == "team cv"]  # type: ignore[attr-defined]
    assert [(s["role"], s["scope"], s["permissions"]) for s in via_team] == [("Runner", "ml/vision", ["run:read"])]

    assert client.delete(f"{API}/grants/{grant['id']}").status_code == 204
    assert client.delete(f"{API}/roles/Runner?level=project").status_code == 204
    assert client.delete(f"{API}/teams/cv").status_code == 204
    assert client.delete(f"{API}/projects/ml%2Fvision").status_code == 204
    assert client.delete(f"{API}/workspaces/ml").status_code == 204
    assert client.get(f"{API}/workspaces/ml").status_code == 404

    assert _audit(server_store) == [
        ("workspace.created", "ml"),
        ("project.created", "ml/vision"),
        ("team.created", "cv"),
        ("role.created", "project/Runner"),
        ("role.updated", "project/Runner"),
        ("grant.created", "Runner to team cv at project ml/vision"),
        ("team.member_added", "cv"),
        ("team.member_removed", "cv"),
        ("grant.revoked", "Runner to team cv at project ml/vision"),
        ("role.deleted", "project/Runner"),
        ("team.deleted", "cv"),
        ("project.deleted", "ml/vision"),
        ("workspace.deleted", "ml"),
    ]
    events = [e for e in server_store.audit.list(action="team.", size=10).items if "user" in e.details]
    assert [e.details["user"] for e in events] == ["bob", "bob"]
    assert all(e.actor_name == "admin" for e in server_store.audit.list(size=100).items)


def test_a_person_sees_only_the_projects_they_hold_a_role_in(
    client: TestClient, server_store: SqlStore, ada: TestClient
) -> None:
    _made(client.post(f"{API}/workspaces", json={"name": "ml"}))
    _made(client.post(f"{API}/workspaces", json={"name": "secret"}))
    _made(client.post(f"{API}/projects", json={"name": "vision", "workspace": "ml"}))
    _made(client.post(f"{API}/grants", json={"role": "Viewer", "user": "ada", "project": "ml/vision"}))

    paths = [f"{p['workspace']}/{p['name']}" for p in _made(ada.get(f"{API}/projects"), 200)]  # type: ignore[attr-defined]
    assert paths == ["default/default", "ml/vision"]  # not ml/default, nothing of secret
    admin_paths = [f"{p['workspace']}/{p['name']}" for p in _made(client.get(f"{API}/projects"), 200)]  # type: ignore[attr-defined]
    assert admin_paths == ["default/default", "ml/default", "ml/vision", "secret/default"]
    assert [w["name"] for w in _made(ada.get(f"{API}/workspaces"), 200)] == ["default", "ml"]  # type: ignore[attr-defined]

    org = _made(ada.get(f"{API}/organization"), 200)
    assert (org["workspaces"], org["projects"]) == (2, 2)  # hidden ones are not counted
    assert org["members"] == 2  # an organization Member reads members
    assert _made(client.get(f"{API}/organization"), 200)["projects"] == 4

    assert_one_line(ada.get(f"{API}/workspaces/secret"), 404)
    assert_one_line(ada.get(f"{API}/projects/secret%2Fdefault"), 404)
    assert_one_line(ada.get(f"{API}/projects", params={"workspace": "secret"}), 404)

    me = _made(ada.get(f"{API}/access/me"), 200)
    assert me["is_org_admin"] is False
    assert "member:read" in me["organization"]  # type: ignore[operator]
    assert [(p["name"], "project:read" in p["permissions"]) for p in me["projects"]] == [("ml/vision", True)]  # type: ignore[attr-defined]
    assert [w["name"] for w in me["workspaces"]] == ["default"]  # type: ignore[attr-defined]
    # An organization Member reads the directory: every grant, and where anyone's access comes from.
    assert {g["principal"] for g in _made(ada.get(f"{API}/grants"), 200)} == {"ada", "admin"}  # type: ignore[attr-defined]
    assert _made(ada.get(f"{API}/access/users/admin"), 200)["sources"][0]["role"] == "Admin"  # type: ignore[index]


def test_without_member_read_a_person_sees_only_their_own_grants(
    client: TestClient, server_store: SqlStore, server_app: FastAPI
) -> None:
    with _as(server_app, server_store, "sam") as sam:
        member = server_store.access.find_grant("Member", user="sam")
        server_store.access.revoke(member.id)
        assert {g["principal"] for g in _made(sam.get(f"{API}/grants"), 200)} == {"sam"}  # type: ignore[attr-defined]
        assert _made(sam.get(f"{API}/access/users/sam"), 200)["user"] == "sam"
        r = sam.get(f"{API}/access/users/admin")
        _refused(r, "'member:read'")
        assert_one_line(sam.get(f"{API}/teams"), 403)
        org = _made(sam.get(f"{API}/organization"), 200)
        assert (org["members"], org["teams"], org["projects"]) == (None, None, 1)


def test_refusals_name_the_permission_and_the_scope(
    client: TestClient, server_store: SqlStore, server_app: FastAPI, ada: TestClient
) -> None:
    _made(client.post(f"{API}/workspaces", json={"name": "ml"}))
    _made(client.post(f"{API}/projects", json={"name": "vision", "workspace": "ml"}))
    _made(client.post(f"{API}/grants", json={"role": "Viewer", "user": "ada", "project": "ml/vision"}))
    before = _audit(server_store)

    r = ada.post(f"{API}/workspaces", json={"name": "mine"})
    _refused(r, "'workspace:create'", "organization")
    r = ada.post(f"{API}/projects", json={"name": "p2", "workspace": "ml"})
    _refused(r, "'project:create'", "workspace 'ml'")
    r = ada.delete(f"{API}/projects/ml%2Fvision")
    _refused(r, "'project:delete'", "project 'ml/vision'")
    r = ada.post(f"{API}/grants", json={"role": "Viewer", "user": "ada", "project": "ml/vision"})
    _refused(r, "'project:manage_members'", "'ml/vision'")
    r = ada.post(f"{API}/grants", json={"role": "Admin", "user": "ada"})
    _refused(r, "'member:manage_members'")
    r = ada.post(f"{API}/roles", json={"name": "Mine", "level": "project", "permissions": ["run:read"]})
    _refused(r, "'role:create'")
    r = ada.post(f"{API}/teams", json={"name": "mine"})
    _refused(r, "'team:create'")
    # ada is a Developer of the default workspace: she may create a project there.
    _made(ada.post(f"{API}/projects", json={"name": "sandbox"}))
    assert _audit(server_store) == [*before, ("project.created", "default/sandbox")]

    # A workspace Admin manages members of that workspace, not of the organization.
    with _as(server_app, server_store, "wendy") as wendy:
        _made(client.post(f"{API}/grants", json={"role": "Admin", "user": "wendy", "workspace": "ml"}))
        _made(wendy.post(f"{API}/grants", json={"role": "Developer", "user": "ada", "workspace": "ml"}))
        _made(wendy.post(f"{API}/projects", json={"name": "audio", "workspace": "ml"}))
        r = wendy.post(f"{API}/grants", json={"role": "Developer", "user": "ada", "workspace": "default"})
        _refused(r, "'workspace:manage_members'", "workspace 'default'")
        admins: list[dict[str, str]] = client.get(f"{API}/grants", params={"user": "admin"}).json()
        r = wendy.delete(f"{API}/grants/{admins[0]['id']}")
        _refused(r, "'member:manage_members'")


def test_bad_input_is_a_one_line_4xx_and_changes_nothing(client: TestClient, server_store: SqlStore) -> None:
    _made(client.post(f"{API}/workspaces", json={"name": "ml"}))
    project = _made(client.post(f"{API}/projects", json={"name": "vision", "workspace": "ml"}))
    server_store.pipelines.get_or_create("train", project_id=uuid.UUID(str(project["id"])))
    before = _audit(server_store)
    grants = len(server_store.access.list_grants())

    cases = [
        (client.post(f"{API}/workspaces", json={"name": "ml"}), 422, "exists already"),
        (client.post(f"{API}/workspaces", json={"name": "bad name!"}), 422, "name"),
        (client.post(f"{API}/projects", json={"name": "vision", "workspace": "ml"}), 422, "already"),
        (client.post(f"{API}/projects", json={"name": "x", "workspace": "nowhere"}), 404, "nowhere"),
        (client.delete(f"{API}/projects/ml%2Fvision"), 409, "1 pipelines"),
        (client.delete(f"{API}/workspaces/ml"), 422, "1 pipelines"),
        (client.delete(f"{API}/workspaces/default"), 422, "default workspace"),
        (client.post(f"{API}/grants", json={"role": "Nope", "user": "admin"}), 404, "Nope"),
        (client.post(f"{API}/grants", json={"role": "Viewer", "user": "nobody"}), 404, "nobody"),
        (
            client.post(
                f"{API}/grants",
                json={"role": "Developer", "user": "admin", "project": "ml/vision", "workspace": "default"},
            ),
            422,
            "not in workspace",
        ),
        (client.post(f"{API}/grants", json={"role": "Viewer", "user": "admin", "team": "x"}), 422, "exactly one"),
        (client.post(f"{API}/grants", json={"role": "Viewer"}), 422, "exactly one"),
        (
            client.post(f"{API}/roles", json={"name": "R", "level": "project", "permissions": ["run:fly"]}),
            422,
            "run:fly",
        ),
        (client.post(f"{API}/roles", json={"name": "R", "level": "galaxy", "permissions": ["run:read"]}), 422, "level"),
        (client.patch(f"{API}/roles/Viewer?level=project", json={"permissions": ["run:read"]}), 422, "built-in"),
        (client.delete(f"{API}/roles/Admin?level=organization"), 422, "built-in"),
        (client.get(f"{API}/roles/Viewer"), 422, "Several roles"),
        (client.post(f"{API}/teams", json={"name": "t", "members": ["ghost"]}), 404, "ghost"),
        (client.post(f"{API}/teams/none/members", json={"users": ["admin"]}), 404, "none"),
        (client.delete(f"{API}/grants/00000000-0000-0000-0000-000000000000"), 404, "grant"),
        (client.delete(f"{API}/grants/not-an-id"), 422, "grant_id"),
        (client.get(f"{API}/shares/secret/00000000-0000-0000-0000-000000000000"), 422, "Cannot share"),
        (client.get(f"{API}/shares/run/00000000-0000-0000-0000-000000000000"), 404, "run"),
        (client.delete(f"{API}/shares/00000000-0000-0000-0000-000000000000"), 404, "share"),
        (client.get(f"{API}/access/users/ghost"), 404, "ghost"),
    ]
    for r, code, fragment in cases:
        assert_one_line(r, code)
        assert fragment in r.json()["detail"], r.json()["detail"]
    # The last Admin stays.
    admin_grant = client.get(f"{API}/grants", params={"user": "admin"}).json()[0]
    assert_one_line(client.delete(f"{API}/grants/{admin_grant['id']}"), 422)

    assert _audit(server_store) == before
    assert len(server_store.access.list_grants()) == grants
    assert [t.name for t in server_store.access.list_teams()] == []
    assert server_store.access.project_contents("ml/vision") == "1 pipelines"

    # force deletes a project with what it holds.
    assert client.delete(f"{API}/projects/ml%2Fvision?force=true").status_code == 204
    assert _audit(server_store)[-1] == ("project.deleted", "ml/vision")


def test_shares_need_the_share_permission_on_the_resources_project(
    client: TestClient, server_store: SqlStore, ada: TestClient
) -> None:
    _made(client.post(f"{API}/workspaces", json={"name": "ml"}))
    project = _made(client.post(f"{API}/projects", json={"name": "vision", "workspace": "ml"}))
    pipeline = server_store.pipelines.get_or_create("train", project_id=uuid.UUID(str(project["id"])))
    url = f"{API}/shares/pipeline/{pipeline.id}"
    server_store.access.revoke(server_store.access.find_grant("Member", user="ada").id)  # no directory for her

    r = ada.post(url, json={"user": "ada"})
    _refused(r, "'pipeline:share'", "'ml/vision'")
    share = _made(client.post(url, json={"user": "ada", "role": "Viewer"}))
    assert (share["principal"], share["role"]) == ("ada", "Viewer")
    assert [s["id"] for s in _made(client.get(url), 200)] == [share["id"]]  # type: ignore[attr-defined]

    me = _made(ada.get(f"{API}/access/me"), 200)
    assert me["shares"] == [
        {"resource_type": "pipeline", "resource_id": str(pipeline.id), "permissions": ["pipeline:read"]}
    ]
    who = _made(client.get(f"{API}/access/resources/pipeline/{pipeline.id}"), 200)
    assert who["project"] == "ml/vision"
    assert [s["principal"] for s in who["shares"]] == ["ada"]  # type: ignore[attr-defined]
    assert ("admin", "organization") in {(g["principal"], g["scope"]) for g in who["grants"]}  # type: ignore[attr-defined]
    assert_one_line(ada.get(f"{API}/access/resources/pipeline/{pipeline.id}"), 403)

    assert_one_line(ada.delete(f"{API}/shares/{share['id']}"), 403)
    assert client.delete(f"{API}/shares/{share['id']}").status_code == 204
    assert client.get(url).json() == []
    assert [a for a in _audit(server_store) if a[0].startswith("share.")] == [
        ("share.created", f"pipeline {pipeline.id}"),
        ("share.revoked", f"pipeline {pipeline.id}"),
    ]


def test_a_manager_cannot_raise_themselves_to_admin(
    client: TestClient, server_store: SqlStore, ada: TestClient
) -> None:
    """A Manager manages members and roles, but grants or writes no organization permission they lack."""
    _made(client.post(f"{API}/grants", json={"role": "Manager", "user": "ada"}))
    before = len(server_store.access.list_grants())

    _refused(ada.post(f"{API}/grants", json={"role": "Admin", "user": "ada"}), "role 'Admin'", "organization Admin")
    custom = {"name": "Almighty", "level": "organization", "permissions": ["organization:delete", "member:read"]}
    _refused(ada.post(f"{API}/roles", json=custom), "organization:delete")
    assert len(server_store.access.list_grants()) == before
    assert all(r.name != "Almighty" for r in server_store.access.list_roles())

    # What the Manager holds stays theirs to hand out, and workspace roles are the workspace's business.
    _made(ada.post(f"{API}/roles", json={**custom, "permissions": ["member:read"]}))
    _refused(ada.patch(f"{API}/roles/Almighty", json={"permissions": ["member:read", "organization:delete"]}))
    assert server_store.access.get_role("Almighty").permissions == ["member:read"]
    server_store.users.create("bob", password=PASSWORD, is_admin=False)
    _made(ada.post(f"{API}/grants", json={"role": "Almighty", "user": "bob"}))
    _made(ada.post(f"{API}/grants", json={"role": "Developer", "user": "bob", "workspace": "default"}))
