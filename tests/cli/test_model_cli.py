"""``waypost model list|describe|versions|stage|history`` on a local store and on a server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from cli_support import assert_one_line_error, invoke

from live_server import LiveServer
from waypost import ArtifactConfig, Model, pipeline, step
from waypost.client import Client
from waypost.enums import ArtifactType
from waypost.execution import runtime
from waypost.settings import write_config


@step
def fit() -> int:
    return 1


@pipeline(model=Model(name="iris", tags=["tabular"]), enable_cache=False)
def train_iris() -> None:
    fit()


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(text: str) -> list[list[str]]:
    """The table's lines, split into cells (cells hold no spaces in these tests)."""
    return [line.split() for line in text.splitlines() if line.strip()]


@pytest.fixture
def iris() -> list[Any]:
    """Three versions of iris, each made by a run of train_iris; the runs, oldest first."""
    return [train_iris() for _ in range(3)]


def test_stage_moves_a_version_and_names_the_one_it_archived(iris: list[Any]) -> None:
    assert ok("model", "stage", "iris", "2", "production").splitlines() == ["Version 2 of iris is now in production."]
    assert_one_line_error(
        invoke("model", "stage", "iris", "3", "production"), "Version 2 of model 'iris' is in production", "--force"
    )
    assert Client().get_model_version("iris", "3").stage.value == "none"
    out = ok("model", "stage", "iris", "3", "production", "--force", "--reason", "retrained on more data")
    assert out.splitlines() == ["Version 3 of iris is now in production (version 2 archived)."]
    assert ok("model", "stage", "iris", "latest", "production").splitlines() == [
        "Version 3 of iris is already in production; nothing changed."
    ]
    assert ok("model", "stage", "iris", "1", "staging").splitlines() == ["Version 1 of iris is now in staging."]
    assert Client().get_model("iris").stages == {"staging": "1", "production": "3"}


def test_bad_stages_versions_and_models_are_one_red_line(iris: list[Any]) -> None:
    assert_one_line_error(invoke("model", "stage", "iris", "2", "latest"), "'latest' is not a stage")
    assert_one_line_error(invoke("model", "stage", "iris", "2", "prod"), "No stage 'prod'", "staging, production")
    assert_one_line_error(invoke("model", "stage", "iris", "9", "staging"), "`waypost model versions iris`")
    assert_one_line_error(invoke("model", "stage", "iris", "production", "archived"), "no version in production")
    assert_one_line_error(invoke("model", "describe", "nope"), "No model 'nope'", "waypost model list")
    assert_one_line_error(invoke("model", "history", "nope"), "No model 'nope'")
    assert Client().list_model_transitions("iris").total == 0


def test_list_versions_describe_and_history(iris: list[Any]) -> None:
    client = Client()
    client.update_model(
        "iris", description="Iris flowers", license="MIT", metric_directions={"accuracy": "higher", "loss": "lower"}
    )
    ok("model", "stage", "iris", "1", "production")
    ok("model", "stage", "iris", "2", "staging", "--reason", "candidate")

    listed = rows(ok("model", "list"))
    assert listed[0] == ["name", "latest", "staging", "production", "versions", "tags", "created"]
    assert listed[2][:6] == ["iris", "3", "2", "1", "3", "tabular"]
    assert listed[-1] == ["page", "1", "of", "1", "(1", "model)"]
    (as_json,) = json.loads(ok("model", "list", "--json"))["items"]
    assert (as_json["stages"], as_json["version_count"]) == ({"staging": "2", "production": "1"}, 3)

    versions = rows(ok("model", "versions", "iris"))
    assert versions[0] == ["#", "name", "stage", "since", "created", "run"]
    assert [(r[0], r[2]) for r in versions[2:5]] == [("3", "none"), ("2", "staging"), ("1", "production")]
    assert [r[-1] for r in versions[2:5]] == [run.name for run in reversed(iris)]  # the run that made each
    assert [v["number"] for v in json.loads(ok("model", "versions", "iris", "--json", "--size", "2"))] == [3, 2]

    described = ok("model", "describe", "iris")
    assert "Iris flowers" in described
    assert "3 versions, latest 3" in described
    assert "staging: 2" in described
    assert "production: 1" in described
    assert "metrics: accuracy (higher is better), loss (lower is better)" in described
    assert "License" in described
    assert "MIT" in described
    assert "candidate" in described  # the recent transitions
    as_json = json.loads(ok("model", "describe", "iris", "--json"))
    assert [t["to_stage"] for t in as_json["transitions"]] == ["staging", "production"]

    history = rows(ok("model", "history", "iris"))
    assert history[0] == ["when", "version", "from", "to", "by", "how", "reason"]
    assert [r[2:7] for r in history[2:4]] == [
        ["2", "none", "staging", "-", "manual"],
        ["1", "none", "production", "-", "manual"],
    ]
    assert history[2][-1] == "candidate"
    assert json.loads(ok("model", "history", "iris", "--json"))["total"] == 2


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server_the_change_is_checked_and_audited(live: LiveServer) -> None:
    for _ in range(2):
        live.store.models.get_or_create_version("iris", None)
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    assert ok("model", "stage", "iris", "1", "production").splitlines() == ["Version 1 of iris is now in production."]
    assert_one_line_error(invoke("model", "stage", "iris", "2", "production"), "Version 1", "--force")
    out = ok("model", "stage", "iris", "2", "production", "--force", "--reason", "better")
    assert out.splitlines() == ["Version 2 of iris is now in production (version 1 archived)."]
    history = rows(ok("model", "history", "iris"))
    assert [r[2:7] for r in history[2:5]] == [
        ["2", "none", "production", "admin", "manual"],
        ["1", "production", "archived", "admin", "manual"],
        ["1", "none", "production", "admin", "manual"],
    ]
    events = live.store.audit.list(action="model.stage_changed", size=10).items
    assert [e.target for e in events] == ["iris:2", "iris:1"]
    assert events[0].details["archived"] == ["1"]


@step
def weights() -> Annotated[int, ArtifactConfig(name="weights", is_model_artifact=True)]:
    return 7


@step
def table(n: int) -> Annotated[list[int], ArtifactConfig(name="table", artifact_type=ArtifactType.DATA)]:
    return [n]


@pipeline(model=Model(name="roles"), enable_cache=False)
def train_roles() -> None:
    table(weights())


def test_a_version_lists_its_artifacts_by_role_and_takes_tags() -> None:
    train_roles()
    shown = rows(ok("model", "version", "roles", "latest"))
    assert shown[0][:2] == ["roles", "1"]
    by_role = {row[1]: row[0] for row in shown if row and row[0] in ("model", "data", "other")}
    assert by_role == {"weights": "model", "table": "data"}
    assert ok("model", "tag", "roles", "1", "--add", "reviewed", "--add", "candidate").strip() == (
        "roles 1: candidate, reviewed"
    )
    assert ok("model", "tag", "roles", "latest", "--remove", "candidate").strip() == "roles 1: reviewed"
    assert Client().get_model_version("roles", "1").tags == ["reviewed"]
    assert_one_line_error(invoke("model", "tag", "roles", "1"), "--add TAG or --remove TAG")
    assert_one_line_error(invoke("model", "tag", "roles", "9", "--add", "x"), "no version '9'")
    assert_one_line_error(invoke("model", "version", "nope", "1"), "No model 'nope'")
    assert Client().get_model_version("roles", "1").tags == ["reviewed"]
