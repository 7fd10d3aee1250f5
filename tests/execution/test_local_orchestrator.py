"""The local orchestrator: dependency order, parallel branches, failures, Ctrl-C and crashes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import StepFailedError
from waypost.execution import runtime
from waypost.schemas import StepRunRead


@step
def source() -> int:
    return 1


@step
def add(x: int, y: int = 1) -> int:
    return x + y


@step
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@step
def join(a: float, b: float) -> float:
    return a + b


@step
def boom(x: int) -> int:
    raise ValueError(f"bad value {x}\nsecond line of the message")


def _steps(run_id: object) -> dict[str, StepRunRead]:
    return {s.name: s for s in Client().list_step_runs(run_id)}  # type: ignore[arg-type]


def test_steps_start_only_after_their_upstream_steps_end() -> None:
    @pipeline
    def diamond():
        root = source()
        left = add(root, y=2, id="left")
        right = add(root, y=3, id="right")
        add(left, y=0, id="merged", after=right)

    run = diamond()

    steps = _steps(run.id)
    for name, upstream in {"left": ["source"], "right": ["source"], "merged": ["left", "right"]}.items():
        assert steps[name].upstream == upstream
        for up in upstream:
            assert steps[name].started_at >= steps[up].ended_at  # type: ignore[operator]
    assert Client().get_step_output(run.id, "merged") == 3
    assert run.status == ExecutionStatus.COMPLETED
    assert run.step_counts == {"completed": 4}


def test_independent_branches_run_at_the_same_time() -> None:
    @pipeline(max_parallel_steps=2, enable_cache=False)
    def branches():
        join(nap(0.5, id="nap_a"), nap(0.5, id="nap_b"))

    run = branches()

    steps = _steps(run.id)
    a, b = steps["nap_a"], steps["nap_b"]
    assert a.started_at < b.ended_at  # type: ignore[operator]
    assert b.started_at < a.ended_at  # type: ignore[operator]
    assert steps["join"].started_at >= max(a.ended_at, b.ended_at)  # type: ignore[operator,type-var]


def test_one_parallel_slot_runs_branches_one_after_the_other() -> None:
    @pipeline(max_parallel_steps=1, enable_cache=False)
    def serial():
        join(nap(0.1, id="nap_a"), nap(0.1, id="nap_b"))

    run = serial()

    steps = _steps(run.id)
    first, second = sorted([steps["nap_a"], steps["nap_b"]], key=lambda s: s.started_at)  # type: ignore[arg-type,return-value]
    assert second.started_at >= first.ended_at  # type: ignore[operator]


def test_a_failing_step_fails_the_run_skips_downstream_and_spares_other_branches() -> None:
    @pipeline(max_parallel_steps=2)
    def partly_broken():
        root = source()
        broken = boom(root)
        after_broken = add(broken, id="after_broken")
        add(after_broken, id="after_after")
        add(add(root, id="sibling"), id="sibling_child")
        nap(0.2)

    with pytest.raises(StepFailedError) as exc:
        partly_broken()

    message = str(exc.value)
    assert "\n" not in message
    assert "Step 'boom' failed: ValueError: bad value 1" in message
    assert exc.value.step_name == "boom"
    assert isinstance(exc.value.__cause__, ValueError)
    run = Client().list_pipeline_runs(pipeline_name="partly_broken").items[0]
    assert exc.value.run_name == run.name
    assert run.status == ExecutionStatus.FAILED
    assert run.status_reason is not None
    assert run.status_reason.startswith("Step 'boom' failed: ValueError: bad value 1")
    steps = _steps(run.id)
    statuses = {name: s.status.value for name, s in steps.items()}
    assert statuses == {
        "source": "completed",
        "boom": "failed",
        "after_broken": "skipped",
        "after_after": "skipped",
        "sibling": "completed",
        "sibling_child": "completed",
        "nap": "completed",
    }
    failed = steps["boom"]
    assert failed.error_type == "ValueError"
    assert failed.error_message == "ValueError: bad value 1\nsecond line of the message"
    assert failed.traceback is not None
    assert "Traceback (most recent call last)" in failed.traceback
    assert 'raise ValueError(f"bad value {x}' in failed.traceback
    assert failed.outputs == {}
    assert steps["after_broken"].error_message == "Skipped: upstream step 'boom' failed."
    assert steps["after_after"].error_message == "Skipped: upstream step 'after_broken' skipped."
    assert Client().get_step_output(run.id, "sibling_child") == 3


def test_raise_on_failure_false_returns_the_failed_run() -> None:
    from waypost.execution.launcher import launch
    from waypost.sdk.compiler import compile_pipeline

    @pipeline
    def broken():
        boom(source())

    compiled = compile_pipeline(broken, (), {})
    run = launch(compiled.spec, compiled.functions, raise_on_failure=False)

    assert run.status == ExecutionStatus.FAILED
    assert run.step_counts == {"completed": 1, "failed": 1}


# -- Ctrl-C and crashes, in a real child process ------------------------------------------
SCRIPT = """
import sys
import time
from pathlib import Path

from waypost import pipeline, step

markers = Path(sys.argv[1])


@step
def first() -> int:
    return 1


@step
def slow(x: int, label: str) -> int:
    (markers / label).write_text("sleeping")
    time.sleep(60)
    return x


@step
def last(a: int, b: int = 0) -> int:
    return a + b


@pipeline(max_parallel_steps=int(sys.argv[2]), enable_cache=False)
def interrupted():
    one = first()
    if int(sys.argv[2]) == 1:
        last(slow(one, label="a"))
    else:
        last(slow(one, label="a", id="slow_a"), slow(one, label="b", id="slow_b"))


try:
    interrupted()
except KeyboardInterrupt:
    print("stopped by Ctrl-C", flush=True)
    sys.exit(130)
"""


class Child:
    """A pipeline running in a child Python process, stopped at a sleeping step."""

    def __init__(self, tmp_path: Path, pycache: Path, parallel: int, sleepers: int) -> None:
        self.markers = tmp_path / "markers"
        self.markers.mkdir()
        script = tmp_path / "pipeline_script.py"
        script.write_text(textwrap.dedent(SCRIPT))
        self.log = tmp_path / "child.log"
        # The autouse fixture put this test's data dir in os.environ; the child inherits it.
        env = dict(os.environ)
        # Children share compiled bytecode, kept outside the source tree, so only the first
        # pays for compiling Waypost and its libraries.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(script), str(self.markers), str(parallel)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._wait_for(lambda: len(list(self.markers.iterdir())) >= sleepers, "the step to start sleeping")

    def _wait_for(self, condition: object, what: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if self.proc.poll() is not None:
                pytest.fail(f"child exited ({self.proc.returncode}) before {what}: {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def pycache() -> Path:
    """Bytecode for the children, kept between test sessions (Python checks it against the source)."""
    path = Path(tempfile.gettempdir()) / f"waypost-tests-pycache-{os.getuid()}-{sys.implementation.cache_tag}"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def start_child(tmp_path: Path, pycache: Path) -> Iterator[Callable[[int, int], Child]]:
    """Start the pipeline script with N parallel slots; wait until M steps sleep."""
    children: list[Child] = []

    def start(parallel: int, sleepers: int) -> Child:
        children.append(Child(tmp_path, pycache, parallel, sleepers))
        return children[-1]

    yield start
    for child in children:
        child.kill()


def _only_run() -> object:
    runs = Client().list_pipeline_runs(pipeline_name="interrupted")
    assert runs.total == 1
    return runs.items[0]


def test_ctrl_c_while_a_step_runs_stops_the_run(start_child: Callable[[int, int], Child]) -> None:
    child = start_child(1, 1)

    child.proc.send_signal(signal.SIGINT)
    code = child.proc.wait(timeout=60)

    assert code == 130, child.log.read_text()
    assert "stopped by Ctrl-C" in child.log.read_text()
    run = _only_run()
    assert run.status == ExecutionStatus.STOPPED  # type: ignore[attr-defined]
    assert run.status_reason == "Stopped by the user (Ctrl-C)."  # type: ignore[attr-defined]
    assert run.ended_at is not None  # type: ignore[attr-defined]
    statuses = {s.name: s.status for s in Client().list_step_runs(run.id)}  # type: ignore[attr-defined]
    assert statuses == {"first": "completed", "slow": "stopped", "last": "stopped"}
    assert Client().list_artifact_versions("name:interrupted::slow::output").total == 0


def test_ctrl_c_while_parallel_steps_run_stops_the_run_at_once(start_child: Callable[[int, int], Child]) -> None:
    child = start_child(2, 2)

    child.proc.send_signal(signal.SIGINT)

    # The sleeping threads cannot be interrupted, but the run must not wait for them.
    client = Client()
    run_id = _only_run().id  # type: ignore[attr-defined]
    child._wait_for(lambda: client.get_pipeline_run(run_id).status == ExecutionStatus.STOPPED, "the run to stop", 30)
    statuses = {s.name: s.status for s in client.list_step_runs(run_id)}
    assert statuses == {"first": "completed", "slow_a": "stopped", "slow_b": "stopped", "last": "stopped"}


def test_a_killed_run_is_marked_crashed_when_a_store_is_opened(start_child: Callable[[int, int], Child]) -> None:
    child = start_child(1, 1)

    child.proc.send_signal(signal.SIGKILL)
    child.proc.wait(timeout=30)
    runtime.reset()

    run = _only_run()
    assert run.status == ExecutionStatus.CRASHED  # type: ignore[attr-defined]
    assert run.ended_at is not None  # type: ignore[attr-defined]
    statuses = {s.name: s.status for s in Client().list_step_runs(run.id)}  # type: ignore[attr-defined]
    assert statuses == {"first": "completed", "slow": "crashed"}
