"""``waypost project|workspace|team|role|grant|revoke`` against the local store and a live server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import assert_one_line_error, invoke

from live_server import LiveServer
from waypost.settings import load_settings, write_config
from waypost.store.sql.store import SqlStore

PASSWORD = "a long enough password"


@pytest.fixture
def local() -> Iterator[SqlStore]:
    """The configured local store, with a user ``ada`` in it."""
    store = SqlStore(load_settings().store_url)
    store.users.create("ada", password=PASSWORD, is_admin=False)
    yield store
    store.close()


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_projects_round_trip_in_the_local_store(local: SqlStore) -> None:
    assert "Created workspace ml" in ok("workspace", "create", "ml", "-d", "models")
    assert "Created project ml/vision" in ok("project", "create", "vision", "--workspace", "ml")
    ok("project", "create", "ml/audio")
    listed = ok("project", "list")
    assert "* default/default" in " ".join(listed.split())  # the active project, marked
    assert "ml/vision" in listed
    assert "ml/audio" in listed

    assert "Active project: ml/vision" in ok("project", "set", "ml/vision")
    assert load_settings().project == "ml/vision"
    rows = [line.split() for line in ok("project", "list").splitlines()]
    assert ["*", "ml/vision"] in [r[:2] for r in rows]
    assert_one_line_error(invoke("project", "set", "ml/nothing"), "No project 'ml/nothing'")
    assert load_settings().project == "ml/vision"  # unchanged by the refusal

    described = json.loads(ok("project", "describe", "ml/vision", "--json"))
    assert (described["workspace"], described["name"], described["grants"]) == ("ml", "vision", [])
    paths = [f"{p['workspace']}/{p['name']}" for p in json.loads(ok("project", "list", "-w", "ml", "--json"))]
    assert paths == ["ml/audio", "ml/default", "ml/vision"]
    assert "projects: audio, default, vision" in ok("workspace", "describe", "ml")

    local.pipelines.get_or_create("train", project_id=local.access.get_project("ml/audio").id)
    assert_one_line_error(invoke("project", "delete", "ml/audio"), "holds 1 pipelines", "--force")
    assert "Deleted project ml/audio" in ok("project", "delete", "ml/audio", "--force")
    ok("project", "delete", "ml/vision")
    assert [p.path for p in local.access.list_projects(workspace="ml")] == ["ml/default"]
    assert_one_line_error(invoke("project", "create", "bad name"), "not a valid project name")
    assert_one_line_error(invoke("project", "create", "x", "--workspace", "nowhere"), "No workspace 'nowhere'")
    ok("workspace", "delete", "ml")
    assert [w["name"] for w in json.loads(ok("workspace", "list", "--json"))] == ["default"]


def test_teams_roles_grants_and_revokes_in_the_local_store(local: SqlStore) -> None:
    local.users.create("bob", password=PASSWORD, is_admin=False)
    ok("workspace", "create", "ml")
    assert "Created team cv (1 members)" in ok("team", "create", "cv", "--member", "ada")
    assert "cv: ada, bob" in ok("team", "add", "cv", "bob")
    assert "cv: ada." in ok("team", "remove", "cv", "bob")
    assert json.loads(ok("team", "list", "--json"))[0]["members"] == ["ada"]

    ok("role", "create", "Runner", "--level", "project", "-P", "run:read,run:run", "--permission", "pipeline:read")
    assert json.loads(ok("role", "describe", "Runner", "--json"))["permissions"] == [
        "pipeline:read",
        "run:read",
        "run:run",
    ]
    assert "Runner" in ok("role", "list", "--level", "project")
    rows = [" ".join(line.split()) for line in ok("role", "permissions").splitlines()]
    assert "model read, create, update, delete, share, approve, promote" in rows
    assert_one_line_error(invoke("role", "create", "Bad", "-l", "project", "-P", "run:fly"), "run:fly")
    assert_one_line_error(invoke("role", "describe", "Viewer"), "Several roles")

    out = ok("grant", "Runner", "--team", "cv", "--project", "ml/default")
    assert "Granted Runner to team cv at project ml/default" in out
    ok("grant", "Developer", "--user", "bob", "--workspace", "ml")
    assert "team cv" in ok("team", "describe", "cv")
    grants = json.loads(ok("grant", "list", "--workspace", "ml", "--json"))
    assert [(g["role"], g["principal"]) for g in grants] == [("Developer", "bob")]
    assert "Runner" in ok("grant", "list", "--team", "cv")
    ml_default = local.access.get_project("ml/default").id
    assert local.access.effective(local.users.get("ada").id).can("run:run", project_id=ml_default)

    assert_one_line_error(invoke("grant", "Developer", "--user", "bob"), "not the organization level")
    assert_one_line_error(invoke("revoke", "Developer", "--user", "bob", "-p", "ml/default"), "No grant of 'Developer'")
    assert_one_line_error(invoke("role", "delete", "Runner"), "still granted")
    assert "Revoked Runner from team cv" in ok("revoke", "Runner", "--team", "cv", "--project", "ml/default")
    ok("revoke", "Developer", "--user", "bob", "--workspace", "ml")
    assert local.access.list_grants(workspace="ml") == []
    ok("role", "delete", "Runner")
    ok("team", "delete", "cv")
    assert local.access.list_teams() == []


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server_each_call_is_checked_and_audited(live: LiveServer) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    ok("workspace", "create", "ml")
    ok("project", "create", "ml/vision")
    assert "Active project: ml/vision" in ok("project", "set", "ml/vision")
    ada = live.store.users.create("ada", password=PASSWORD, is_admin=False)
    ok("grant", "Viewer", "--user", "ada", "--project", "ml/vision")
    assert "ml/vision" in ok("grant", "list", "--user", "ada")
    assert [e.action for e in live.store.audit.list(size=50).items][::-1][:3] == [
        "workspace.created",
        "project.created",
        "grant.created",
    ]

    write_config({"store.api_key": live.store.auth.create_api_key(ada.id, "cli").key})
    listed = [f"{p['workspace']}/{p['name']}" for p in json.loads(ok("project", "list", "--json"))]
    assert listed == ["default/default", "ml/vision"]  # not ml/default
    assert_one_line_error(invoke("workspace", "create", "mine"), "'workspace:create'", "organization")
    assert_one_line_error(invoke("project", "delete", "ml/vision"), "'project:delete'", "project 'ml/vision'")
    assert_one_line_error(invoke("revoke", "Viewer", "--user", "ada", "--project", "ml/vision"), "manage_members")
    assert_one_line_error(invoke("project", "set", "ml/default"), "No project 'ml/default'")

    write_config({"store.api_key": live.api_key})
    assert "Revoked Viewer from user ada at project ml/vision" in ok(
        "revoke", "Viewer", "--user", "ada", "--project", "ml/vision"
    )
    assert live.store.access.list_grants(project="ml/vision") == []
    assert_one_line_error(invoke("project", "delete", "ml/nothing"), "No project 'ml/nothing'")
