"""GET /runs/{run}/diff/{other} and /runs/{run}/last-successful over real pipeline runs, on SQLite, PostgreSQL
and MariaDB: steps added, removed, re-wired and changed (code as a unified diff, parameters), the edges, the cache
outcome of each step and why (code, parameter, input content, caching disabled, reused), a stack change with its
secret never shown, a failed run's last successful run, one-line 404s, and a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _access_world import person
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, assert_one_line, store_databases
from sqlalchemy import event

from waypost import pipeline, step
from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import StepFailedError
from waypost.execution import runtime
from waypost.schemas.run_diff import MAX_CODE_DIFF_LINES
from waypost.schemas.stacks import ComponentCreate, ComponentType, StackCreate
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.stacks.references import MASK
from waypost.store.run_diff import code_diff
from waypost.store.run_diff_stack import stack_diff
from waypost.store.sql.repositories.run_diff import RunDiffRepository
from waypost.store.sql.store import SqlStore

API = "/api/v1"
WEBHOOK = "https://hooks.example.test/T000/B000/never-shown-token"


@step
def load(n: int = 4) -> list[int]:
    return list(range(n))


def _clean_v1() -> Any:
    @step
    def clean(values: list[int]) -> list[int]:
        return [v for v in values if v > 0]

    return clean


def _clean_v2() -> Any:
    @step
    def clean(values: list[int]) -> list[int]:
        kept = [v for v in values if v > 0]
        return [v * 10 for v in kept]

    return clean


clean_v1, clean_v2 = _clean_v1(), _clean_v2()


@step
def train(values: list[int], lr: float = 0.1) -> float:
    return sum(values) * lr


@step
def report(x: object) -> str:
    return f"report of {x}"


@step
def audit() -> int:
    return 1


@step
def check(fail: bool = False) -> int:
    if fail:
        raise ValueError("the check failed")
    return 2


@step(enable_cache=False)
def stamp() -> int:
    return 3


@pipeline(name="diffed")
def before_pipeline(lr: float = 0.1) -> None:
    data = load()
    cleaned = clean_v1(data)
    model = train(data, lr=lr)
    report(model)
    audit()
    stamp()
    train(cleaned, id="summary")


@pipeline(name="diffed")
def after_pipeline(lr: float = 0.2, fail: bool = False) -> None:
    data = load()
    cleaned = clean_v2(data)  # new code, other content
    train(data, lr=lr)  # another parameter
    report(data)  # re-wired: from load, no longer from train
    check(fail=fail)  # added; audit removed
    stamp()  # never cached
    train(cleaned, id="summary")  # same code and parameters, another input content


@pipeline(name="other_pipeline")
def other_pipeline() -> None:
    load()


def _wide(width: int) -> Any:
    @pipeline(name=f"wide{width}")
    def wide(lr: float = 0.1) -> None:
        data = load()
        for i in range(width):
            train(data, lr=lr, id=f"t{i}")

    return wide


@dataclass
class World:
    """Runs ``before`` and ``after`` of pipeline ``diffed``, then ``failed`` (on stack ``second``)."""

    store: SqlStore
    admin: TestClient
    stranger: TestClient
    runs: dict[str, uuid.UUID]


def _stack(store: SqlStore) -> None:
    """Stack ``second``: the default artifact store, another local orchestrator, and a Slack alerter whose literal
    webhook is a secret."""
    orch, art, alert = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE, ComponentType.ALERTER
    store.stacks.create_component(
        ComponentCreate(name="second-o", type=orch, flavor="local", config={"max_parallel_steps": 2})
    )
    store.stacks.create_component(
        ComponentCreate(name="hook", type=alert, flavor="slack", config={"webhook_url": WEBHOOK, "channel": "#ml"})
    )
    store.stacks.create_stack(StackCreate(name="second", components={orch: "second-o", art: "default", alert: "hook"}))


def _run_all(url: str, artifacts: Path, mp: pytest.MonkeyPatch) -> dict[str, uuid.UUID]:
    mp.setenv("WAYPOST_STORE__URL", url)
    mp.setenv("WAYPOST_ARTIFACT_STORE__URI", str(artifacts))
    runtime.reset()
    try:
        runs = {"other": other_pipeline().id, "before": before_pipeline().id, "after": after_pipeline().id}
        _stack(runtime.current().store)  # type: ignore[arg-type]
        mp.setenv("WAYPOST_STACK", "second")
        with pytest.raises(StepFailedError):
            after_pipeline(lr=0.2, fail=True)
        mp.delenv("WAYPOST_STACK")
        newest = runtime.current().store.runs.list("pipeline:diffed", size=1)
        runs["failed"] = newest.items[0].id
        for width in (2, 24):
            wide = _wide(width)
            runs[f"wide{width}-a"], runs[f"wide{width}-b"] = wide(lr=0.1).id, wide(lr=0.3).id
        return runs
    finally:
        runtime.reset()


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = store_databases()
    backend: str = request.param
    root = tmp_path_factory.mktemp(backend)
    if backend == "sqlite":
        url = f"sqlite:///{root / 'server.db'}"
    else:
        url = db.create_postgres_database() if backend == "postgres" else db.create_mysql_database()
    store: SqlStore | None = None
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("WAYPOST_DATA_DIR", str(root / "home"))
            mp.setenv("WAYPOST_CONFIG", str(root / "config.yaml"))
            mp.setenv("WAYPOST_EXECUTION__SHOW_PROGRESS", "false")
            runs = _run_all(url, root / "artifacts", mp)
        settings = load_settings(store={"url": url}, artifact_store={"uri": str(root / "artifacts")})
        store = SqlStore(settings.store_url)
        admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        person(store, "nobody")
        app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))

        def client(user: uuid.UUID) -> TestClient:
            key = store.auth.create_api_key(user, "tests").key  # type: ignore[union-attr]
            return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})

        with client(admin.id) as a, client(store.users.get("nobody").id) as n:
            yield World(store, a, n, runs)
    finally:
        if store is not None:
            store.close()
        if backend == "postgres":
            db.drop_postgres_database(url)
        elif backend == "mysql":
            db.drop_mysql_database(url)


def _diff(w: World, before: str, after: str) -> dict[str, Any]:
    r = w.admin.get(f"{API}/runs/{before}/diff/{after}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _steps(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in body["steps"]}


def test_steps_added_removed_rewired_and_changed(world: World) -> None:
    body = _diff(world, str(world.runs["before"]), str(world.runs["after"]))
    assert (body["before"]["id"], body["after"]["id"]) == (str(world.runs["before"]), str(world.runs["after"]))
    assert body["before"]["pipeline_name"] == "diffed"
    steps = _steps(body)
    changes = {name: s["change"] for name, s in steps.items()}
    assert changes == {
        "load": "same",
        "clean": "changed",
        "train": "changed",
        "report": "rewired",
        "check": "added",
        "stamp": "same",
        "summary": "same",
        "audit": "removed",
    }
    assert [s["name"] for s in body["steps"]][-1] == "audit"  # removed steps come last
    clean = steps["clean"]
    assert clean["code_changed"] is True
    assert clean["code_diff"].startswith("--- clean (before)\n+++ clean (after)\n")
    assert "+        return [v * 10 for v in kept]" in clean["code_diff"]
    assert "-        return [v for v in values if v > 0]" in clean["code_diff"]
    assert steps["train"]["parameters"] == [{"key": "lr", "before": 0.1, "after": 0.2}]
    assert steps["train"]["code_diff"] == ""
    assert steps["train"]["code_changed"] is False
    report = steps["report"]
    assert (report["inputs_before"], report["inputs_after"]) == ({"x": "train.output"}, {"x": "load.output"})
    assert body["edges_added"] == [{"from_step": "load", "output": "output", "to_step": "report", "input": "x"}]
    assert body["edges_removed"] == [{"from_step": "train", "output": "output", "to_step": "report", "input": "x"}]
    assert body["parameters"] == [
        {"key": "fail", "before": None, "after": False},
        {"key": "lr", "before": 0.1, "after": 0.2},
    ]
    assert body["config"] == []
    assert body["summary"] == {
        "added": 1,
        "removed": 1,
        "rewired": 1,
        "changed": 2,
        "code_changed": 1,
        "cache_flips": 1,
        "parameters_changed": 2,
        "config_changed": 0,
        "stack_changed": 0,
    }
    assert body["stack"] == {"name_before": "default", "name_after": "default", "components": []}


def test_why_each_step_was_or_was_not_served_from_the_cache(world: World) -> None:
    before, after = world.runs["before"], world.runs["after"]
    cache = {name: s["cache"] for name, s in _steps(_diff(world, str(before), str(after))).items()}
    # load: executed first, then reused.
    assert (cache["load"]["before"], cache["load"]["after"], cache["load"]["flipped"]) == ("executed", "cached", True)
    before_name = world.store.runs.get(before).name
    assert cache["load"]["reason"].startswith(f"The after run reused the result of run '{before_name}'")
    assert cache["clean"] == {
        "before": "executed",
        "after": "executed",
        "flipped": False,
        "reason": "The step's code changed.",
    }
    assert cache["train"]["reason"] == "Parameter 'lr' changed (0.1 -> 0.2)."
    summary = cache["summary"]["reason"]  # its code and parameters are the same; its input's content is not
    assert summary.startswith("Input 'values' has different content (")
    assert "code" not in summary
    assert cache["stamp"]["reason"] == "Caching was disabled for this step in the after run."
    assert cache["check"] == {"before": "not_run", "after": "executed", "flipped": False, "reason": None}
    assert cache["audit"] == {"before": "executed", "after": "not_run", "flipped": False, "reason": None}

    # The other way round: the before run is the one served from the cache (load), the after run executed it.
    back = {name: s["cache"] for name, s in _steps(_diff(world, str(after), str(before))).items()}
    assert (back["load"]["before"], back["load"]["after"], back["load"]["flipped"]) == ("cached", "executed", True)
    assert back["load"]["reason"] == (
        "The cache key is the same, but the after run is the older one: it ran before there was a result to reuse."
    )
    assert back["clean"]["reason"] == "The step's code changed."


def test_a_failed_run_compared_with_its_last_successful_run(world: World) -> None:
    failed = world.runs["failed"]
    r = world.admin.get(f"{API}/runs/{failed}/last-successful")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == str(world.runs["after"])  # not the other pipeline's, not the failed one itself
    name = world.store.runs.get(failed).name
    body = _diff(world, str(world.runs["after"]), name)  # a run by name works as well
    assert body["after"]["status"] == "failed"
    steps = _steps(body)
    assert steps["check"]["parameters"] == [{"key": "fail", "before": False, "after": True}]
    assert steps["check"]["cache"]["after"] == "failed"
    assert steps["check"]["cache"]["reason"] == "Parameter 'fail' changed (false -> true)."
    assert steps["summary"]["cache"]["after"] in ("cached", "not_run", "executed")
    assert (steps["summary"]["change"], steps["summary"]["settings"]) == ("same", [])  # recorded or not, the same
    assert {s["name"] for s in body["steps"] if s["change"] != "same"} == {"check"}
    # The stack changed: another orchestrator with its settings, and an alerter whose webhook is never shown.
    stack = body["stack"]
    assert (stack["name_before"], stack["name_after"]) == ("default", "second")
    components = {c["type"]: c for c in stack["components"]}
    assert set(components) == {"orchestrator", "alerter"}
    assert components["alerter"]["change"] == "added"
    assert {c["key"]: c["after"] for c in components["alerter"]["config"]}["webhook_url"] == MASK
    assert components["orchestrator"]["name_after"] == "second-o"
    assert {"key": "max_parallel_steps", "before": None, "after": 2} in components["orchestrator"]["config"]
    assert WEBHOOK not in str(body)
    assert "never-shown-token" not in str(body)
    assert body["summary"]["stack_changed"] == 3

    first = world.admin.get(f"{API}/runs/{world.runs['before']}/last-successful")
    assert_one_line(first, 404)
    assert "has no successful run of its pipeline before it" in first.json()["detail"]


def test_unknown_or_hidden_runs_are_one_line_404s(world: World) -> None:
    before = world.runs["before"]
    for url in (
        f"{API}/runs/{before}/diff/no-such-run",
        f"{API}/runs/no-such-run/diff/{before}",
        f"{API}/runs/{uuid.uuid4()}/last-successful",
    ):
        r = world.admin.get(url)
        assert_one_line(r, 404)
        assert r.json()["detail"].startswith("No run '")
    hidden = world.stranger.get(f"{API}/runs/{before}/diff/{world.runs['after']}")
    unknown = world.stranger.get(f"{API}/runs/{uuid.uuid4()}/diff/{world.runs['after']}")
    assert_one_line(hidden, 404)
    assert hidden.json()["detail"].startswith("No run '")
    assert unknown.status_code == 404
    assert_one_line(world.stranger.get(f"{API}/runs/{world.runs['failed']}/last-successful"), 404)


def test_a_fixed_number_of_queries_however_many_steps(world: World) -> None:
    repo = RunDiffRepository(world.store.sessions)
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    def statements(width: int) -> int:
        seen.clear()
        engine = world.store.sessions.engines.read
        event.listen(engine, "before_cursor_execute", count)
        try:
            found = repo.diff(world.runs[f"wide{width}-a"], world.runs[f"wide{width}-b"])
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(found.steps) == width + 1
        assert found.summary.changed == width  # every train step's lr changed
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    small, large = statements(2), statements(24)
    assert small == large <= 4, (small, large)


def test_code_diffs_are_capped_and_stack_snapshots_are_masked_again() -> None:
    before = "\n".join(f"line {i}" for i in range(3000))
    after = "\n".join(f"line {i} changed" for i in range(3000))
    text, cut = code_diff("big", before, after)
    assert cut is True
    assert len(text.splitlines()) == MAX_CODE_DIFF_LINES
    assert code_diff("same", before, before) == ("", False)
    # A snapshot holding a secret-marked field literally (as one recorded before masking would) still hides it.
    old = {"name": "s", "components": {"alerter": {"name": "hook", "flavor": "slack", "config": {"webhook_url": "x1"}}}}
    new = {"name": "s", "components": {"alerter": {"name": "hook", "flavor": "slack", "config": {"webhook_url": "x2"}}}}
    found = stack_diff(old, new)
    assert found.components == []  # both read as masked: nothing to show, nothing revealed
    assert "x1" not in found.model_dump_json()
    assert "x2" not in found.model_dump_json()
    assert stack_diff(None, new).components[0].change == "added"
