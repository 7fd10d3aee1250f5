"""A list or tuple of upstream step outputs passed as one argument: the step gets a list of their values, in
order, and each upstream is an input edge of its own (the DAG, the step run's inputs, lineage)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import ParameterError
from waypost.execution import runtime

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient


@step
def a() -> int:
    return 1


@step
def b() -> str:
    return "two"


@step
def c(n: int = 3) -> list[int]:
    return [n] * n


@step
def combine(parts: list[object], sep: str = "|") -> str:
    assert isinstance(parts, list)
    return sep.join(repr(p) for p in parts)


@pipeline(enable_cache=False)
def fan_in() -> None:
    combine([c(), a(), b()], sep=",")  # not the order they are defined or run in


@pipeline(enable_cache=False)
def from_a_tuple() -> None:
    combine(parts=(b(), a()))


@pytest.fixture
def api() -> Iterator[TestClient]:
    """The real app over the store and artifact store the pipelines here record into, as an admin."""
    from waypost.server.app import create_app

    rt = runtime.current()
    store = rt.store
    admin = store.users.create("admin", password="a-long-password-1", is_admin=True)  # type: ignore[attr-defined]
    key = store.auth.create_api_key(admin.id, "tests").key  # type: ignore[attr-defined]
    app = create_app(rt.settings, store, rt.artifact_store)  # type: ignore[arg-type]
    with TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def test_three_upstream_outputs_arrive_as_one_list_in_order_each_an_input_edge(api: TestClient) -> None:
    run = fan_in()

    client = Client()
    assert client.get_step_output(run.id, "combine") == "[3, 3, 3],1,'two'"
    steps = {s.name: s for s in client.list_step_runs(run.id)}
    made = {name: steps[name].outputs["output"] for name in ("a", "b", "c")}
    assert steps["combine"].inputs == {"parts[0]": made["c"], "parts[1]": made["a"], "parts[2]": made["b"]}
    assert sorted(steps["combine"].upstream) == ["a", "b", "c"]
    assert steps["combine"].parameters == {"sep": ","}
    for version in made.values():  # lineage: each upstream's output is read by the combining step
        assert client.store.artifacts.consumers(version) == [steps["combine"].id]

    graph = api.get(f"/api/v1/runs/{run.id}/graph").json()
    node = next(s for s in graph["steps"] if s["name"] == "combine")
    assert [(i["name"], i["step"], i["output"]) for i in node["inputs"]] == [
        ("parts[0]", "c", "output"),
        ("parts[1]", "a", "output"),
        ("parts[2]", "b", "output"),
    ]
    assert [i["version_id"] for i in node["inputs"]] == [str(made[n]) for n in ("c", "a", "b")]
    lineage = api.get(f"/api/v1/artifact-versions/{made['b']}/lineage", params={"down": 1}).json()
    assert str(steps["combine"].id) in {n["id"] for n in lineage["nodes"]}


def test_a_tuple_of_outputs_is_a_list_too_and_a_second_run_hits_the_cache() -> None:
    run = from_a_tuple()
    client = Client()
    assert client.get_step_output(run.id, "combine") == "'two'|1"

    @pipeline
    def cached() -> None:
        combine([c(), a(), b()])

    cached()
    again = cached()
    assert {s.name: s.status for s in client.list_step_runs(again.id)}["combine"] == "cached"


def test_a_list_mixing_outputs_and_plain_values_is_one_line() -> None:
    @pipeline
    def mixed() -> None:
        combine([a(), 5])

    with pytest.raises(ParameterError, match="got a list for 'parts' mixing step outputs with a int"):
        mixed()


def test_a_list_of_plain_values_is_still_a_parameter() -> None:
    @pipeline
    def plain() -> None:
        combine([1, 2])

    run = plain()
    assert Client().get_step_output(run.id, "combine") == "1|2"
    assert {s.name: s.parameters for s in Client().list_step_runs(run.id)}["combine"] == {"parts": [1, 2], "sep": "|"}
