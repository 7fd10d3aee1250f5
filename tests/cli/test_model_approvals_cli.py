"""``waypost model request|requests|approve|reject|policy|project-policy`` and ``waypost model rule ...``,
on a local store and against a server with two users."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import assert_one_line_error, invoke

from live_server import ADMIN_PASSWORD, LiveServer
from waypost import log_metadata
from waypost.client import Client
from waypost.execution import runtime
from waypost.settings import write_config


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.strip()]


@pytest.fixture
def iris() -> str:
    """Model ``iris`` on the local store: versions 1 (accuracy 0.8), 2 (0.95) and 3 (0.97), validated."""
    store = Client().store
    for _ in range(3):
        store.models.get_or_create_version("iris", None)
    for version, accuracy in (("1", 0.8), ("2", 0.95), ("3", 0.97)):
        log_metadata(metadata={"accuracy": accuracy, "ok": "pass"}, model_name="iris", model_version=version)
    return "iris"


def test_rules_are_added_listed_tried_changed_and_removed(iris: str) -> None:
    out = ok(
        "model", "rule", "add", iris, "good", "--filter", "metadata.accuracy>=0.9 metadata.ok:pass", "--to", "staging"
    )
    assert (
        out.strip() == "Rule good of iris: versions matching 'metadata.accuracy>=0.9 metadata.ok:pass' go to staging."
    )
    assert_one_line_error(
        invoke("model", "rule", "add", iris, "bad", "--filter", "metadata.accuracy>=", "--to", "staging"),
        "Filter term 'metadata.accuracy>=' has no value",
    )
    assert_one_line_error(invoke("model", "rule", "add", iris, "good", "--to", "staging"), "has a rule named 'good'")
    assert_one_line_error(
        invoke("model", "rule", "add", iris, "x", "--to", "staging", "--beats", "accuracy"), "STAGE:METRIC"
    )
    listed = rows(ok("model", "rule", "list", iris))
    assert listed[0] == ["name", "to", "filter", "beats", "enabled", "by", "created"]
    assert listed[2][:2] == ["good", "staging"]

    dry = rows(ok("model", "rule", "dry-run", iris, "good"))
    assert [r[:3] for r in dry[2:4]] == [["3", "3", "none"], ["2", "2", "none"]]
    assert dry[-1] == ["2", "versions", "would", "go", "to", "staging"]
    assert Client().list_model_transitions(iris).total == 0

    ok("model", "stage", iris, "1", "production")
    out = ok("model", "rule", "update", iris, "good", "--beats", "production:accuracy", "--disable")
    assert "beating production's accuracy" in out
    assert "(disabled)" in out
    assert json.loads(ok("model", "rule", "list", iris, "--json"))[0]["enabled"] is False
    assert ok("model", "rule", "remove", iris, "good").strip() == "Removed rule good of iris."
    assert_one_line_error(invoke("model", "rule", "dry-run", iris, "good"), "has no rule 'good'")


def test_policy_and_a_request_on_a_local_store(iris: str) -> None:
    assert ok("model", "policy", iris).strip() == "iris: no stage needs approval (no policy)."
    out = ok("model", "policy", iris, "--require", "production", "--approvals", "2")
    assert out.strip() == "iris: production needs 2 approvals."
    assert_one_line_error(
        invoke("model", "stage", iris, "2", "production"), "needs 2 approvals", "waypost model request"
    )
    asked = ok("model", "request", iris, "2", "production", "--reason", "best so far")
    assert asked.startswith("Requested production for version 2 of iris: request ")
    assert "waits for 2 approvals" in asked
    assert ok("model", "request", iris, "1", "staging").strip() == (
        "Version 1 of iris is now in staging (no approval needed)."
    )
    table = rows(ok("model", "requests"))
    assert table[0] == ["id", "model", "version", "to", "by", "approvals", "status", "asked", "reason"]
    short = table[2][0]
    assert table[2][1:7] == ["iris", "2", "production", "-", "0/2", "pending"]
    assert_one_line_error(invoke("model", "approve", short), "needs a user, and a local store has none")
    assert_one_line_error(invoke("model", "approve", "zzzz"), "No pending request's id starts with 'zzzz'")
    assert ok("model", "project-policy").strip() == "This project: no stage needs approval (no policy)."
    assert ok("model", "policy", iris, "--inherit").strip() == "iris: no stage needs approval (no policy)."


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    for _ in range(3):
        server.store.models.get_or_create_version("iris", None)
    bob = server.store.users.create("bob", password=ADMIN_PASSWORD, is_admin=True)
    server.bob_key = server.store.auth.create_api_key(bob.id, "tests").key  # type: ignore[attr-defined]
    yield server
    runtime.reset()
    server.stop()


def _as(live: LiveServer, key: str) -> None:
    write_config({"store.url": live.url, "store.api_key": key})
    runtime.reset()


def test_against_a_server_two_users_request_and_approve(live: LiveServer) -> None:
    _as(live, live.api_key)  # admin
    ok("model", "policy", "iris", "--require", "production", "--approvals", "1")
    asked = ok("model", "request", "iris", "2", "production", "--reason", "f1 up")
    short = asked.split("request ")[1].split()[0]
    assert ok("model", "requests", "--mine").strip() == "No requests await your approval."  # not for your own
    assert rows(ok("model", "requests", "--requested"))[2][:7] == [
        short,
        "iris",
        "2",
        "production",
        "admin",
        "0/1",
        "pending",
    ]
    assert_one_line_error(invoke("model", "approve", short), "so you cannot approve it")

    _as(live, live.bob_key)  # type: ignore[attr-defined]
    assert rows(ok("model", "requests", "--mine"))[2][0] == short
    done = ok("model", "approve", short, "--comment", "ship it")
    assert done.strip() == f"Approved request {short}: version 2 of iris is now in production."
    assert_one_line_error(invoke("model", "reject", short), "No pending request's id starts with")
    history = rows(ok("model", "history", "iris"))
    assert history[2][2:7] == ["2", "none", "production", "admin", "approval"]

    again = ok("model", "request", "iris", "3", "production", "--force")
    other = again.split("request ")[1].split()[0]
    _as(live, live.api_key)  # admin rejects bob's request
    assert ok("model", "reject", other, "-m", "not yet").strip() == (
        f"Rejected request {other} (version 3 of iris into production); nothing changed."
    )
    assert live.store.models.get("iris").stages == {"production": "2"}
    decided = json.loads(ok("model", "requests", "--status", "all", "--json"))["items"]
    assert [(r["version_name"], r["status"]) for r in decided] == [("3", "rejected"), ("2", "approved")]
    actions = [e.action for e in live.store.audit.list(size=20).items if e.action.startswith("model.")]
    assert actions[:3] == ["model.request_rejected", "model.stage_requested", "model.request_approved"]
