"""RunStack.orchestrator_config: the run's orchestrator config with its secret references resolved.

From the local SQLite store the run's process resolves every reference itself; from a live
server (a real uvicorn on 127.0.0.1) only a dask orchestrator's worker_api_key is resolved, by
``POST /stacks/{stack}/worker-key``, for a user who may run on the stack. Either way the
resolved key is among the values masked in the run's step logs, and the recorded snapshot keeps
the reference, never the value.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost.exceptions import ConfigurationError
from waypost.execution import runtime
from waypost.execution.stacks import RunStack, for_run
from waypost.schemas.stacks import ComponentCreate, ComponentType, SecretCreate, StackCreate
from waypost.store.sql.store import SqlStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from live_server import LiveServer

ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE
KEY = "wp-worker-key-0c4d2b19"
REFERENCE = "{{secret.workers.key}}"
DASK = {"n_workers": 3, "server_url": "https://waypost.example.com", "worker_resources": {"GPU": 1.0}}


@pytest.fixture(autouse=True)
def _no_chosen_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("WAYPOST_STACK", raising=False)


def add_stacks(store: SqlStore, folder: Path, workspace: str | None = None) -> None:
    """cluster (dask, key by reference), bare and bare-files (dask of defaults), local (local orchestrator)."""
    ws = store.access.get_workspace(workspace).id if workspace else None
    store.stacks.create_secret(SecretCreate(name="workers", values={"key": KEY}), workspace_id=ws)
    for name, flavor, config in (
        ("dask-ref", "dask", {**DASK, "worker_api_key": REFERENCE}),
        ("dask-bare", "dask", {}),
        ("here", "local", {"max_parallel_steps": 2}),
    ):
        store.stacks.create_component(
            ComponentCreate(name=name, type=ORCH, flavor=flavor, config=config), workspace_id=ws
        )
    store.stacks.create_component(
        ComponentCreate(name="files", type=ART, flavor="local", config={"path": str(folder)}), workspace_id=ws
    )
    for stack, orchestrator, artifacts in (
        ("cluster", "dask-ref", "files"),
        ("bare", "dask-bare", "default"),
        ("bare-files", "dask-bare", "files"),
        ("local", "here", "files"),
    ):
        body = StackCreate(name=stack, components={ORCH: orchestrator, ART: artifacts})
        store.stacks.create_stack(body, workspace_id=ws)


def load(stack: str) -> RunStack:
    return for_run(runtime.current(), None, stack)


def test_a_local_store_resolves_the_dask_orchestrator_config(tmp_path: Path) -> None:
    rt = runtime.current()
    store = rt.store
    assert isinstance(store, SqlStore)
    add_stacks(store, tmp_path / "arts")

    used = load("cluster")
    assert used.orchestrator_config is not None
    assert used.orchestrator_config["worker_api_key"] == KEY
    assert {k: used.orchestrator_config[k] for k in DASK} == DASK
    assert used.orchestrator_config["scheduler_address"] is None  # the flavor's defaults are filled in
    assert KEY in used.secrets  # masked in the run's step logs
    assert used.snapshot.components[ORCH].config["worker_api_key"] == REFERENCE  # what the run records

    assert load("bare").orchestrator_config is None  # flavors' defaults: nothing to resolve
    assert load("bare-files").orchestrator_config is None  # (loaded with configs, for its artifact store)
    local = load("local")
    assert local.orchestrator_config is None
    assert local.max_parallel_steps == 2


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """A live server with workspace ml (project vision) holding the stacks; runs go to ml/vision."""
    server = LiveServer(tmp_path / "server").start()
    store = server.store
    store.access.create_workspace("ml")
    store.access.create_project("vision", workspace="ml")
    add_stacks(store, Path(server.settings.artifact_store_uri) / "ml-files", workspace="ml")
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_PROJECT", "ml/vision")
    yield server
    runtime.reset()
    server.stop()


def as_user(live: LiveServer, monkeypatch: pytest.MonkeyPatch, name: str, role: str) -> None:
    """Runs from here on use ``name``'s API key; ``name`` holds ``role`` in workspace ml."""
    user = live.store.users.create(name, password="a long enough password", is_admin=False)
    live.store.access.grant(role, user=name, workspace="ml")
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", live.store.auth.create_api_key(user.id, "tests").key)
    runtime.reset()


def test_a_server_gives_the_workers_key_to_who_may_run_on_the_stack(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(live, monkeypatch, "runner", "Contributor")
    used = load("cluster")
    assert used.orchestrator_config is not None
    assert used.orchestrator_config == {**DASK, "worker_api_key": KEY}  # the rest as the server sent it
    assert used.secrets == (KEY,)
    assert used.snapshot.components[ORCH].config["worker_api_key"] == REFERENCE
    events = live.store.audit.list(action="stack.worker_key_issued", size=10).items
    assert [(e.actor_name, e.target) for e in events] == [("runner", "cluster")]

    bare = load("bare")  # nothing to ask the server for
    assert bare.orchestrator_config is None
    assert bare.secrets == ()
    assert load("local").orchestrator_config is None
    assert len(live.store.audit.list(action="stack.worker_key_issued", size=10).items) == 1


def test_a_server_refuses_the_key_to_who_may_only_read_the_stack(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_user(live, monkeypatch, "watcher", "Viewer")
    with pytest.raises(ConfigurationError) as refused:
        load("cluster")
    message = str(refused.value)
    assert message.startswith("The dask workers of stack 'cluster' need its worker_api_key")
    assert "'run:create'" in message
    assert "Not logged in" not in message
    assert "\n" not in message
    assert KEY not in message
