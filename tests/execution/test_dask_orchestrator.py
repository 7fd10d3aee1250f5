"""The dask orchestrator on a real LocalCluster of two worker processes, against a SQLite file store.

Steps come from ``dask_pipelines`` (module level, importable by the spawned workers: they start
with this process's ``sys.path``, which holds this folder).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, StepFailedError
from waypost.schemas import RunRead
from waypost.schemas.stacks import ComponentCreate, ComponentType, StackCreate

pytest.importorskip("distributed")
from dask_pipelines import failing, fan, fan_fresh, retried, seed

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE


@pytest.fixture(autouse=True, scope="module")
def _close_clusters_after_the_module() -> Iterator[None]:
    """Runs of this process share a LocalCluster per configuration; close them after these tests."""
    yield
    from waypost.execution.orchestrators.dask import close_local_clusters

    close_local_clusters()


@pytest.fixture(autouse=True)
def _dask_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs go to the stack 'cluster': a LocalCluster of 2 processes, artifacts in a folder of its own."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    make_stack("cluster", tmp_path / "cluster-arts", {"n_workers": 2, "threads_per_worker": 1})
    monkeypatch.setenv("WAYPOST_STACK", "cluster")


def make_stack(name: str, folder: Path, orchestrator: dict[str, object]) -> None:
    stacks = Client().store.stacks  # type: ignore[attr-defined]
    stacks.create_component(ComponentCreate(name=f"{name}-o", type=ORCH, flavor="dask", config=orchestrator))
    stacks.create_component(ComponentCreate(name=f"{name}-a", type=ART, flavor="local", config={"path": str(folder)}))
    stacks.create_stack(StackCreate(name=name, components={ORCH: f"{name}-o", ART: f"{name}-a"}))


def outputs(run: RunRead) -> dict[str, object]:
    client = Client()
    return {s.name: client.get_step_output(run.id, s.name) for s in client.list_step_runs(run.id)}


def worker_of(run: RunRead, name: str) -> dict[str, object]:
    return {m.key: m.value for m in Client().get_metadata(run.id, name) if m.key.startswith("worker.")}


def test_steps_run_in_worker_processes_with_a_local_runs_outputs_and_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    run = fan(4)
    assert run.status == ExecutionStatus.COMPLETED
    assert Client().get_pipeline_run(run.id).orchestrator == "dask"
    assert run.step_counts == {"completed": 8}
    got = outputs(run)
    assert got["gather"] == [16, 32, 48, 64, 80, 96]

    pids = set()
    for s in Client().list_step_runs(run.id):
        worker = worker_of(run, s.name)
        assert worker["worker.host"] == socket.gethostname()
        assert worker["worker.pid"] != os.getpid()
        pids.add(worker["worker.pid"])
    assert len(pids) == 2  # both worker processes took steps

    monkeypatch.delenv("WAYPOST_STACK")  # the default stack: the local orchestrator, threads of this process
    local = fan_fresh(4)
    assert Client().get_pipeline_run(local.id).orchestrator == "local"
    assert outputs(local) == got
    assert not worker_of(local, "gather")

    monkeypatch.setenv("WAYPOST_STACK", "cluster")
    again = fan(4)
    assert again.status == ExecutionStatus.COMPLETED
    assert again.step_counts == {"cached": 8}  # served from the cache in this process, nothing sent to workers
    assert outputs(again) == got


def test_a_failing_step_fails_the_run_with_its_error() -> None:
    with pytest.raises(StepFailedError, match=r"Step 'fail_on' failed: ValueError: no good: 3") as err:
        failing(3)
    run = Client().get_pipeline_run(err.value.run_name)
    assert run.status == ExecutionStatus.FAILED
    assert run.status_reason == "Step 'fail_on' failed: ValueError: no good: 3"
    steps = {s.name: s for s in Client().list_step_runs(run.id)}
    assert steps["seed"].status == ExecutionStatus.COMPLETED
    assert steps["fail_on"].status == ExecutionStatus.FAILED
    assert "raise ValueError" in (steps["fail_on"].traceback or "")
    assert worker_of(run, "fail_on")["worker.pid"] != os.getpid()
    assert steps["after"].status == ExecutionStatus.SKIPPED


def test_a_step_is_retried_on_its_worker_per_its_retry_setting(tmp_path: Path) -> None:
    run = retried(str(tmp_path / "marker"))
    assert run.status == ExecutionStatus.COMPLETED
    flaky = Client().get_step_run(run.id, "flaky")
    assert [(a.number, a.status) for a in flaky.attempts] == [
        (1, ExecutionStatus.FAILED),
        (2, ExecutionStatus.COMPLETED),
    ]
    assert flaky.attempts[0].error == "RuntimeError: first attempt fails"
    worker_pid = Client().get_step_output(run.id, "flaky")
    assert worker_pid != os.getpid()
    assert worker_of(run, "flaky")["worker.pid"] == worker_pid


def test_a_step_that_cannot_be_pickled_fails_before_anything_runs() -> None:
    lock = threading.Lock()

    @step
    def guarded(x: int) -> int:
        with lock:
            return x

    @pipeline(enable_cache=False)
    def closure() -> None:
        guarded(seed(1))

    with pytest.raises(StepFailedError) as err:
        closure()
    run = Client().get_pipeline_run(err.value.run_name)
    reason = run.status_reason or ""
    assert reason.startswith(
        "Step 'guarded' failed: Step 'guarded' cannot be sent to the Dask workers: its function cannot be pickled "
        "(TypeError: cannot pickle '_thread.lock' object); define the step at module level"
    )
    assert "\n" not in reason
    steps = {s.name: s for s in Client().list_step_runs(run.id)}
    assert steps["guarded"].status == ExecutionStatus.FAILED
    assert steps["seed"].status == ExecutionStatus.STOPPED  # nothing ran
    assert steps["seed"].started_at is None


def test_an_unreachable_scheduler_fails_the_run_before_any_step_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    make_stack("remote", tmp_path / "remote-arts", {"scheduler_address": address})
    monkeypatch.setenv("WAYPOST_STACK", "remote")
    with pytest.raises(ConfigurationError) as err:
        fan(2)
    message = str(err.value)
    assert message.startswith(f"Cannot reach the Dask scheduler at {address} (")
    assert message.endswith("; start the scheduler or fix scheduler_address of the orchestrator component 'remote-o'.")
    assert "\n" not in message
    run = Client().list_pipeline_runs().items[0]
    assert run.status == ExecutionStatus.FAILED
    assert all(s.started_at is None for s in Client().list_step_runs(run.id))


def test_verify_counts_a_schedulers_workers_or_says_what_will_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import distributed

    from waypost.stacks.flavors import VerifyError, get_flavor

    flavor = get_flavor("orchestrator", "dask")
    assert flavor.verify(flavor.config.model_validate({"n_workers": 3}), None) == (
        f"a LocalCluster of 3 worker processes (1 thread(s) each) will start on {socket.gethostname()} for each run"
    )
    with distributed.LocalCluster(n_workers=2, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        config = flavor.config.model_validate({"scheduler_address": cluster.scheduler_address})
        assert flavor.verify(config, None) == f"Dask scheduler at {cluster.scheduler_address} with 2 worker(s)"
        # A run on a stack naming that scheduler uses it (no LocalCluster of its own).
        make_stack("shared", tmp_path / "shared-arts", {"scheduler_address": cluster.scheduler_address})
        monkeypatch.setenv("WAYPOST_STACK", "shared")
        run = fan(2)
        assert run.step_counts == {"completed": 8}
        assert {worker_of(run, "gather")["worker.pid"]} == {os.getpid()}  # this cluster's workers are threads here
    with pytest.raises(VerifyError) as err:
        flavor.verify(config, None)
    assert str(err.value).startswith(f"Cannot reach the Dask scheduler at {cluster.scheduler_address} (")


def test_runs_of_one_process_share_its_local_cluster() -> None:
    """A second run with the same orchestrator config finds the workers already started."""
    from waypost.execution.orchestrators import dask

    first = fan(5)
    (_, client), *_ = dask._LOCAL_CLUSTERS.values()
    started = set(client.run(os.getpid).values())  # the worker processes alive after the first run
    second = fan(6)
    assert first.status == second.status == ExecutionStatus.COMPLETED
    assert _worker_pids(first) | _worker_pids(second) <= started  # no new worker process was started


def _worker_pids(run: RunRead) -> set[object]:
    return {worker_of(run, s.name)["worker.pid"] for s in Client().list_step_runs(run.id)}
