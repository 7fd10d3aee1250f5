"""Step hooks on the dask orchestrator: called in the worker process that ran the step, with its context;
a hook from a module by reference (imported there), one defined in a function sent by value."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost import log_metadata
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import StepFailedError
from waypost.schemas.stacks import ComponentCreate, ComponentType, StackCreate

pytest.importorskip("distributed")
from dask_hook_pipelines import fanned_in, grow, hooked

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]


@pytest.fixture(autouse=True, scope="module")
def _close_clusters_after_the_module() -> Iterator[None]:
    yield
    from waypost.execution.orchestrators.dask import close_local_clusters

    close_local_clusters()


@pytest.fixture(autouse=True)
def _dask_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs go to a stack whose orchestrator is a LocalCluster of 2 worker processes."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    stacks = Client().store.stacks  # type: ignore[attr-defined]
    orch, art = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE
    config = {"n_workers": 2, "threads_per_worker": 1}
    stacks.create_component(ComponentCreate(name="o", type=orch, flavor="dask", config=config))
    stacks.create_component(
        ComponentCreate(name="a", type=art, flavor="local", config={"path": str(tmp_path / "arts")})
    )
    stacks.create_stack(StackCreate(name="cluster", components={orch: "o", art: "a"}))
    monkeypatch.setenv("WAYPOST_STACK", "cluster")


def _metadata(run_id: object, step: str) -> dict[str, object]:
    return {m.key: m.value for m in Client().get_metadata(run_id, step)}  # type: ignore[arg-type]


def test_step_hooks_run_in_the_worker_with_the_steps_context() -> None:
    run = hooked()
    assert run.status == ExecutionStatus.COMPLETED
    noted = _metadata(run.id, "grow")
    assert noted["hook.step"] == "grow"
    assert noted["hook.success_pid"] == noted["worker.pid"] != os.getpid()

    with pytest.raises(StepFailedError):
        hooked(fail=True)
    failed = Client().list_pipeline_runs().items[0]
    noted = _metadata(failed.id, "break_on")
    assert noted["hook.failure"] == "ValueError: cannot take 6"  # the source string, imported on the worker
    assert noted["hook.failure_pid"] == noted["worker.pid"]


def test_a_hook_defined_in_a_function_is_sent_by_value() -> None:
    from waypost import pipeline

    marker = "sent by value"

    def local_hook() -> None:
        log_metadata(metadata={"hook.local": marker, "hook.local_pid": os.getpid()})

    @pipeline
    def local() -> None:
        grow.with_options(on_success=local_hook)(5)

    run = local()
    noted = _metadata(run.id, "grow")
    assert noted["hook.local"] == marker
    assert noted["hook.local_pid"] == noted["worker.pid"] != os.getpid()


def test_a_list_of_outputs_from_steps_on_several_workers_arrives_in_order() -> None:
    run = fanned_in()
    client = Client()
    assert client.get_step_output(run.id, "gather_all") == [6, 2, 4]
    steps = {s.name: s for s in client.list_step_runs(run.id)}
    assert steps["gather_all"].inputs == {
        f"values[{i}]": steps[f"grow_{n}"].outputs["output"] for i, n in enumerate((3, 1, 2))
    }
