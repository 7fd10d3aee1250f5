"""The dask orchestrator when things go wrong: a worker killed mid-step, a scheduler that goes away,
a run stopped from elsewhere, a step asking for resources no worker has; and detached runs.

Real processes throughout: LocalClusters of worker processes, and ``dask scheduler`` / ``dask worker``
started as subprocesses for what needs a scheduler of its own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, RunStoppedError, StepFailedError
from waypost.execution.orchestrators.base import OrchestratorLostError
from waypost.schemas.stacks import ComponentCreate, ComponentType, StackCreate

pytest.importorskip("distributed")
from dask_pipelines import dies_for_good, dies_once, slow

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE
HERE = Path(__file__).parent


@pytest.fixture(autouse=True, scope="module")
def _close_clusters_after_the_module() -> Iterator[None]:
    yield
    from waypost.execution.orchestrators.dask import close_local_clusters

    close_local_clusters()


@pytest.fixture(autouse=True)
def _in_a_work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


def make_stack(name: str, folder: Path, orchestrator: dict[str, object]) -> None:
    stacks = Client().store.stacks  # type: ignore[attr-defined]
    stacks.create_component(ComponentCreate(name=f"{name}-o", type=ORCH, flavor="dask", config=orchestrator))
    stacks.create_component(ComponentCreate(name=f"{name}-a", type=ART, flavor="local", config={"path": str(folder)}))
    stacks.create_stack(StackCreate(name=name, components={ORCH: f"{name}-o", ART: f"{name}-a"}))


def wait_for(path: Path, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


@pytest.fixture
def scheduler() -> Iterator[tuple[str, subprocess.Popen[bytes], list[subprocess.Popen[bytes]]]]:
    """A ``dask scheduler`` and one ``dask worker`` (2 threads), each its own process; the address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": _env()}
    sched = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            ":0",
        ],
        **quiet,  # type: ignore[call-overload]
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "2", "--no-dashboard"],
            **quiet,  # type: ignore[call-overload]
        )
    ]
    import distributed

    deadline = time.monotonic() + 60
    while True:
        try:
            with distributed.Client(address, timeout=5, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=60)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    yield address, sched, workers
    for proc in (*workers, sched):
        proc.kill()
        proc.wait(timeout=30)


def test_a_worker_killed_mid_step_leaves_the_step_retried_on_another_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("three", tmp_path / "arts", {"n_workers": 3})
    monkeypatch.setenv("WAYPOST_STACK", "three")
    marker = tmp_path / "marker"
    killer = threading.Thread(target=lambda: os.kill(int(wait_for(marker.with_suffix(".pid"))), signal.SIGKILL))
    killer.start()
    run = dies_once(str(marker))
    killer.join()
    assert run.status == ExecutionStatus.COMPLETED
    killed = int(marker.with_suffix(".pid").read_text())
    assert Client().get_step_output(run.id, "mortal") != killed  # the retry ran in another worker process
    step_run = Client().get_step_run(run.id, "mortal")
    assert [(a.number, a.status) for a in step_run.attempts] == [
        (1, ExecutionStatus.FAILED),
        (2, ExecutionStatus.COMPLETED),
    ]
    assert step_run.attempts[0].error == (
        f"WorkerLost: the Dask worker {socket.gethostname()} (pid {killed}) running it died."
    )


def test_a_worker_killed_mid_step_without_retries_fails_the_step_naming_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("three", tmp_path / "arts", {"n_workers": 3})
    monkeypatch.setenv("WAYPOST_STACK", "three")
    marker = tmp_path / "marker"
    killer = threading.Thread(target=lambda: os.kill(int(wait_for(marker.with_suffix(".pid"))), signal.SIGKILL))
    killer.start()
    with pytest.raises(StepFailedError) as err:
        dies_for_good(str(marker))
    killer.join()
    killed = marker.with_suffix(".pid").read_text()
    step_run = Client().get_step_run(err.value.run_name, "mortal_once")
    assert step_run.status == ExecutionStatus.FAILED
    assert step_run.error_message == (
        f"The Dask worker {socket.gethostname()} (pid {killed}) running step 'mortal_once' died (1 of 1 attempts "
        "lost); check the worker's memory and logs, or give the step retries (retry max_retries) to run it on "
        "another worker."
    )
    run = Client().get_pipeline_run(err.value.run_name)
    assert run.status == ExecutionStatus.FAILED
    assert (run.status_reason or "").startswith("Step 'mortal_once' failed: The Dask worker ")


def test_a_scheduler_that_goes_away_marks_the_run_crashed(
    scheduler: tuple[str, subprocess.Popen[bytes], list[subprocess.Popen[bytes]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    address, sched, _ = scheduler
    make_stack("remote", tmp_path / "arts", {"scheduler_address": address})
    monkeypatch.setenv("WAYPOST_STACK", "remote")
    marker = tmp_path / "running"
    threading.Thread(target=lambda: (wait_for(marker), sched.kill())).start()
    began = time.monotonic()
    with pytest.raises(OrchestratorLostError) as err:
        slow(60.0, str(marker))
    assert time.monotonic() - began < 40  # not the step's 60 s
    assert str(err.value).startswith(f"The Dask scheduler at {address} went away while the run was running")
    run = Client().list_pipeline_runs().items[0]
    assert run.status == ExecutionStatus.CRASHED
    assert run.status_reason == str(err.value)
    steps = {s.name: s.status for s in Client().list_step_runs(run.id)}
    assert steps["sleeper"] in (ExecutionStatus.CRASHED, ExecutionStatus.FAILED)
    assert steps["after"] == ExecutionStatus.CRASHED  # never started


def test_a_step_asking_for_a_gpu_no_worker_has_fails_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("cpus", tmp_path / "arts", {"n_workers": 1})
    monkeypatch.setenv("WAYPOST_STACK", "cpus")

    @pipeline(enable_cache=False)
    def train() -> None:
        gpu_step.with_options(resources={"gpu_count": 1})()

    with pytest.raises(StepFailedError) as err:
        train()
    run = Client().get_pipeline_run(err.value.run_name)
    assert run.status_reason == (
        "Step 'gpu_step' failed: Step 'gpu_step' asks for 1 GPU but no worker of the Dask cluster has that "
        '(none offers it); start workers with --resources "GPU=1" or set worker_resources of the orchestrator '
        "component 'cpus-o'."
    )
    assert Client().get_step_run(run.id, "gpu_step").started_at is None


@step
def gpu_step() -> int:
    return 1


def test_a_detached_run_goes_on_after_its_launcher_exits(
    scheduler: tuple[str, subprocess.Popen[bytes], list[subprocess.Popen[bytes]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    address, _, _ = scheduler
    make_stack("remote", tmp_path / "arts", {"scheduler_address": address})
    script = tmp_path / "work" / "launch.py"
    script.write_text("from dask_pipelines import slow\n")
    began = time.monotonic()
    launched = subprocess.run(
        [
            str(Path(sys.executable).parent / "waypost"),
            "run",
            f"{script}:slow",
            "--stack",
            "remote",
            "--detach",
            "-p",
            "seconds=3",
        ],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    exited = time.monotonic() - began
    assert launched.returncode == 0, launched.stderr
    assert "Submitted run slow-" in launched.stdout
    assert "it goes on without this process" in launched.stdout
    run = Client().list_pipeline_runs().items[0]
    assert run.status == ExecutionStatus.RUNNING  # the launcher is gone; the run is not done yet
    deadline = time.monotonic() + 90
    while not run.status.is_finished and time.monotonic() < deadline:
        time.sleep(0.3)
        run = Client().get_pipeline_run(run.id)
    assert run.status == ExecutionStatus.COMPLETED, run.status_reason
    assert run.step_counts == {"completed": 2}
    assert Client().get_step_output(run.id, "after") == 9.0
    assert exited < (run.ended_at - run.started_at).total_seconds() + 5  # type: ignore[operator]


def test_stopping_a_run_cancels_its_tasks_and_ends_the_launch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_EXECUTION__HEARTBEAT_INTERVAL_S", "0.3")
    make_stack("one", tmp_path / "arts", {"n_workers": 1})
    monkeypatch.setenv("WAYPOST_STACK", "one")
    marker = tmp_path / "running"
    ended: dict[str, object] = {}

    def launch() -> None:
        try:
            slow(8.0, str(marker))
        except RunStoppedError as exc:
            ended["error"] = str(exc)
        ended["at"] = time.monotonic()

    thread = threading.Thread(target=launch)
    thread.start()
    wait_for(marker)
    run = Client().list_pipeline_runs().items[0]
    stopped = Client().stop_run(run.name, reason="wrong data")
    asked = time.monotonic()
    thread.join(timeout=60)
    assert stopped.status == ExecutionStatus.STOPPED
    assert float(ended["at"]) - asked < 4  # type: ignore[arg-type]  # not the step's 8 s
    reason = stopped.status_reason or ""
    assert reason.startswith("Stopped by ")
    assert reason.endswith(": wrong data")
    assert ended["error"] == f"Run '{run.name}' was stopped ({reason}); the finished steps are recorded."
    final = Client().get_pipeline_run(run.id)
    assert final.status == ExecutionStatus.STOPPED
    assert final.status_reason == reason
    steps = {s.name: s.status for s in Client().list_step_runs(run.id)}
    assert steps == {"sleeper": ExecutionStatus.STOPPED, "after": ExecutionStatus.STOPPED}


def test_a_step_asking_for_a_gpu_runs_on_workers_that_offer_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("gpus", tmp_path / "arts", {"n_workers": 1, "worker_resources": {"GPU": 1}})
    monkeypatch.setenv("WAYPOST_STACK", "gpus")

    @pipeline(enable_cache=False)
    def train() -> None:
        gpu_step.with_options(resources={"gpu_count": 1})()

    run = train()
    assert run.status == ExecutionStatus.COMPLETED


def test_a_local_folder_with_a_cluster_on_another_machine_is_refused_before_anything_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("faraway", tmp_path / "arts", {"scheduler_address": "tcp://10.255.255.1:8786"})
    monkeypatch.setenv("WAYPOST_STACK", "faraway")
    began = time.monotonic()
    with pytest.raises(ConfigurationError) as err:
        slow(1.0)
    assert time.monotonic() - began < 5  # said before trying to reach the scheduler
    assert str(err.value) == (
        "The run's store is a SQLite file on this machine, which the Dask workers at tcp://10.255.255.1:8786 "
        "cannot reach; set server_url and worker_api_key of the orchestrator component 'faraway-o', or use a "
        "PostgreSQL or MySQL store."
    )


def test_a_step_whose_module_the_workers_lack_fails_naming_the_step_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_stack("lacking", tmp_path / "arts", {"n_workers": 1})
    monkeypatch.setenv("WAYPOST_STACK", "lacking")
    assert slow(0.0).status == ExecutionStatus.COMPLETED  # the workers started, without the folder below
    extra = tmp_path / "only_here"
    extra.mkdir()
    (extra / "private_steps.py").write_text(
        "from waypost import pipeline, step\n\n\n@step\ndef secret_sauce() -> int:\n    return 42\n\n\n"
        "@pipeline(enable_cache=False)\ndef saucy() -> None:\n    secret_sauce()\n"
    )
    monkeypatch.syspath_prepend(str(extra))
    from private_steps import saucy  # type: ignore[import-not-found]

    with pytest.raises(StepFailedError) as err:
        saucy()
    step_run = Client().get_step_run(err.value.run_name, "secret_sauce")
    assert step_run.error_message == (
        f"Step 'secret_sauce' cannot be loaded on Dask worker {socket.gethostname()}: ModuleNotFoundError: No module "
        "named 'private_steps'; install private_steps on the workers."
    )


def test_a_local_artifact_folder_with_a_cluster_on_another_machine_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(HERE.parent / "server"))
    from server_support import store_databases

    from waypost.execution import runtime

    dbs = store_databases()
    url = dbs.create_postgres_database()
    monkeypatch.setenv("WAYPOST_STORE__URL", url)
    runtime.reset()
    try:
        make_stack("faraway", tmp_path / "arts", {"scheduler_address": "tcp://10.255.255.1:8786"})
        monkeypatch.setenv("WAYPOST_STACK", "faraway")
        with pytest.raises(ConfigurationError) as err:
            slow(1.0)
        assert str(err.value) == (
            f"The run's artifact store ({tmp_path / 'arts'}) is a folder on this machine, which the Dask workers at "
            "tcp://10.255.255.1:8786 cannot reach; give the stack an s3 (or other shared) artifact store."
        )
    finally:
        runtime.reset()
        dbs.drop_postgres_database(url)


def _poll(check: Callable[[], object], timeout: float = 60.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("never happened")


def test_stopping_a_detached_run_stops_it_on_the_cluster(
    scheduler: tuple[str, subprocess.Popen[bytes], list[subprocess.Popen[bytes]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAYPOST_EXECUTION__HEARTBEAT_INTERVAL_S", "0.3")
    address, _, _ = scheduler
    make_stack("remote", tmp_path / "arts", {"scheduler_address": address})
    monkeypatch.setenv("WAYPOST_STACK", "remote")
    marker = tmp_path / "running"
    run = slow.with_options(detach=True)(20.0, str(marker))
    assert run.status == ExecutionStatus.RUNNING
    wait_for(marker)
    Client().stop_run(run.name, reason="enough")
    # The supervisor on the cluster saw it at its next heartbeat: the step after never started.
    after = _poll(lambda: {s.name: s for s in Client().list_step_runs(run.id)}.get("after"), 30)
    assert after.status == ExecutionStatus.STOPPED  # type: ignore[attr-defined]
    assert after.started_at is None  # type: ignore[attr-defined]
    final = Client().get_pipeline_run(run.id)
    assert final.status == ExecutionStatus.STOPPED
    assert (final.status_reason or "").endswith(": enough")


def test_a_detached_run_whose_supervising_worker_dies_is_crashed(
    scheduler: tuple[str, subprocess.Popen[bytes], list[subprocess.Popen[bytes]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import distributed

    address, _, _ = scheduler
    make_stack("remote", tmp_path / "arts", {"scheduler_address": address})
    monkeypatch.setenv("WAYPOST_STACK", "remote")
    marker = tmp_path / "running"
    run = slow.with_options(detach=True)(30.0, str(marker))
    wait_for(marker)
    with distributed.Client(address, set_as_default=False) as client:
        supervisor = client.get_metadata(f"waypost-{run.id.hex}-run")  # what the supervising task noted
    pid = int(supervisor.rsplit("pid ", 1)[1].rstrip(")"))
    os.kill(pid, signal.SIGKILL)  # its nanny starts a new worker; the scheduler gives it the supervising task again
    final = _poll(lambda: (r := Client().get_pipeline_run(run.id)).status.is_finished and r, 60)
    assert final.status == ExecutionStatus.CRASHED  # type: ignore[attr-defined]
    assert final.status_reason == (  # type: ignore[attr-defined]
        f"The Dask worker {supervisor} supervising the detached run died, and with it the run; run the pipeline "
        "again (finished steps come from the cache)."
    )
