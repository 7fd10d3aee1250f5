"""Another user's pickled artifact never runs code in your process without your say-so (issue 9, point 4).

Two users share a real server on loopback. Bob loading Alice's pickled artifact, through the
Client or as a step input, is refused with a one-line error naming the artifact, Alice and
the opt-in; with the opt-in it loads with an UnsafeDeserializationWarning; his own
artifacts, Alice's once he trusts her, and her artifacts that are not pickles load silently.
Stored materializer names are looked up in the registry, never imported.
"""

from __future__ import annotations

import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from live_server import LiveServer
from waypost import pipeline, step
from waypost.artifacts.io import load_artifact, save_artifact
from waypost.artifacts.materializers import MaterializerRegistry
from waypost.artifacts.store import ArtifactStore
from waypost.artifacts.trust import LoadGuard, Producer, UnsafeDeserializationWarning
from waypost.client import Client
from waypost.exceptions import MaterializerError, StepFailedError, UntrustedArtifactError
from waypost.execution import runtime
from waypost.schemas import ArtifactVersionCreate

pytestmark = pytest.mark.filterwarnings("ignore::waypost.artifacts.materializers.PickleFallbackWarning")

UNPICKLED: list[int] = []
"""What unpickling a :class:`Payload` appended: proof that code from the file ran."""


def _rebuild(value: int) -> Payload:
    UNPICKLED.append(value)  # an attacker's payload would do anything here
    payload = object.__new__(Payload)
    payload.value = value
    return payload


class Payload:
    """No materializer takes it, so it is pickled; unpickling it runs :func:`_rebuild`."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return _rebuild, (self.value,)


@step
def produce() -> Annotated[Payload, "payload"]:
    return Payload(41)


@step
def count() -> Annotated[int, "plain_number"]:
    return 7


@step(enable_cache=False)
def consume(payload: Payload) -> Annotated[int, "answer"]:
    return payload.value + 1


@pipeline(enable_cache=False)
def make_payload() -> None:
    produce()
    count()


@pipeline
def shared() -> None:
    consume(produce())


@pytest.fixture(autouse=True)
def _no_unpickling_yet() -> None:
    UNPICKLED.clear()


class Users:
    """A live server with two plain users, and a switch between them."""

    def __init__(self, server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server = server
        self.monkeypatch = monkeypatch
        self.keys: dict[str, str] = {}
        for name in ("alice", "bob"):
            user = server.store.users.create(name, password=f"{name} password 123")
            self.keys[name] = server.store.auth.create_api_key(user.id, "tests").key

    def act_as(self, name: str) -> None:
        self.monkeypatch.setenv("WAYPOST_STORE__URL", self.server.url)
        self.monkeypatch.setenv("WAYPOST_STORE__API_KEY", self.keys[name])
        runtime.reset()


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Users]:
    server = LiveServer(tmp_path / "server").start()
    yield Users(server, monkeypatch)
    runtime.reset()
    server.stop()


def _silently(fn: Any, *args: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kw)


# -- Client.load_artifact ----------------------------------------------------------------------
def test_another_users_pickle_is_refused_before_any_code_runs(users: Users) -> None:
    users.act_as("alice")
    make_payload()
    users.act_as("bob")
    with pytest.raises(UntrustedArtifactError) as err:
        Client().load_artifact("payload")
    message = str(err.value)
    assert "\n" not in message
    assert "'payload' version 1" in message
    assert "user 'alice'" in message
    assert "allow_unsafe=True" in message
    assert "add 'alice' to artifacts.trusted_producers" in message
    assert "WAYPOST_ARTIFACTS__ALLOW_UNTRUSTED_UNPICKLE=true" in message
    assert UNPICKLED == []
    run = Client().list_pipeline_runs("make_payload").items[0]
    with pytest.raises(UntrustedArtifactError):
        Client().get_step_output(run.id, "produce")
    assert UNPICKLED == []


def test_opting_in_loads_with_a_warning(users: Users, monkeypatch: pytest.MonkeyPatch) -> None:
    users.act_as("alice")
    make_payload()
    users.act_as("bob")
    with pytest.warns(UnsafeDeserializationWarning, match="user 'alice'"):
        assert Client().load_artifact("payload", allow_unsafe=True).value == 41
    assert UNPICKLED == [41]

    monkeypatch.setenv("WAYPOST_ARTIFACTS__ALLOW_UNTRUSTED_UNPICKLE", "true")
    with pytest.warns(UnsafeDeserializationWarning):
        assert Client().load_artifact("payload").value == 41


def test_own_trusted_and_unpickled_artifacts_load_silently(users: Users, monkeypatch: pytest.MonkeyPatch) -> None:
    users.act_as("alice")
    make_payload()
    assert _silently(Client().load_artifact, "payload").value == 41  # her own

    users.act_as("bob")
    assert _silently(Client().load_artifact, "plain_number") == 7  # JSON: nothing to unpickle
    monkeypatch.setenv("WAYPOST_ARTIFACTS__TRUSTED_PRODUCERS", '["alice"]')
    assert _silently(Client().load_artifact, "payload").value == 41


def test_on_a_local_store_without_users_everything_is_ones_own() -> None:
    make_payload()
    assert _silently(Client().load_artifact, "payload").value == 41


def test_a_version_no_run_produced_is_trusted_only_in_a_local_store_without_users(users: Users) -> None:
    rt = runtime.current()  # the local store of this test's data dir
    saved = save_artifact(rt.artifact_store, Payload(5), name="loose", version_id=uuid.uuid4(), registry=rt.registry)
    rt.store.artifacts.register([saved])
    assert _silently(Client().load_artifact, "loose").value == 5

    files = ArtifactStore(users.server.settings.artifact_store_uri)
    registry = MaterializerRegistry.default()
    saved = save_artifact(files, Payload(6), name="loose", version_id=uuid.uuid4(), registry=registry)
    users.server.store.artifacts.register([saved])
    users.act_as("bob")
    with pytest.raises(UntrustedArtifactError, match="produced by an unknown producer") as err:
        Client().load_artifact("loose")
    assert "trusted_producers" not in str(err.value)  # no user to trust by name
    assert UNPICKLED == [5]


# -- step inputs ----------------------------------------------------------------------------
def test_a_step_does_not_unpickle_another_users_cached_output(users: Users, monkeypatch: pytest.MonkeyPatch) -> None:
    users.act_as("alice")
    shared()  # consume loads what its own run produced: trusted
    assert UNPICKLED == [41]
    UNPICKLED.clear()

    users.act_as("bob")  # produce is served from Alice's cache; consume must load her pickle
    with pytest.raises(StepFailedError):
        shared()
    assert UNPICKLED == []
    failed = Client().list_pipeline_runs("shared", status="failed").items[0]
    error = Client().get_step_run(failed.id, "consume").error_message or ""
    assert "UntrustedArtifactError" in error
    assert "user 'alice'" in error
    assert "WAYPOST_ARTIFACTS__ALLOW_UNTRUSTED_UNPICKLE=true" in error
    assert "allow_unsafe" not in error  # a pipeline takes no such keyword

    monkeypatch.setenv("WAYPOST_ARTIFACTS__ALLOW_UNTRUSTED_UNPICKLE", "true")
    runtime.reset()
    with pytest.warns(UnsafeDeserializationWarning):
        run = shared()
    assert Client().get_step_output(run.id, "consume") == 42


# -- the guard in io.load_artifact, for every materializer that unpickles ----------------------
def _stranger() -> Producer:
    return Producer(uuid.uuid4(), "mallory")


@pytest.mark.parametrize(
    "value",
    [
        LinearRegression().fit(np.arange(4.0).reshape(-1, 1), np.arange(4.0)),  # joblib
        pd.DataFrame([[1, 2]], columns=["a", "a"]),  # duplicated columns: parquet cannot, so pickled
    ],
    ids=["sklearn-joblib", "pandas-pickled"],
)
def test_joblib_and_pickled_frames_are_guarded(tmp_path: Path, value: Any) -> None:
    store, registry = ArtifactStore(str(tmp_path)), MaterializerRegistry.with_builtins()
    saved = save_artifact(store, value, name="v", version_id=uuid.uuid4(), registry=registry)
    guard = LoadGuard(label="'v' version 1", loader_id=uuid.uuid4(), producer=_stranger)
    with pytest.raises(UntrustedArtifactError, match="user 'mallory'"):
        load_artifact(
            store,
            uri=saved.uri,
            materializer=saved.materializer,
            data_type=saved.data_type,
            registry=registry,
            guard=guard,
        )


def test_a_parquet_frame_from_a_stranger_loads(tmp_path: Path) -> None:
    store, registry = ArtifactStore(str(tmp_path)), MaterializerRegistry.with_builtins()
    saved = save_artifact(store, pd.DataFrame({"a": [1, 2]}), name="v", version_id=uuid.uuid4(), registry=registry)
    guard = LoadGuard(label="'v' version 1", loader_id=uuid.uuid4(), producer=_stranger)
    frame = _silently(
        load_artifact,
        store,
        uri=saved.uri,
        materializer=saved.materializer,
        data_type=saved.data_type,
        registry=registry,
        guard=guard,
    )
    assert frame["a"].tolist() == [1, 2]


# -- materializers by registered name only ----------------------------------------------------
def test_a_stored_materializer_name_is_never_imported(
    users: Users, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "mods" / "planted_materializer.py"
    module.parent.mkdir()
    marker = tmp_path / "imported"
    module.write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
        "from waypost.artifacts.materializers import Materializer\n"
        "class Planted(Materializer):\n"
        "    def save(self, data, path): pass\n"
        "    def load(self, path, data_type): return 'planted'\n"
    )
    monkeypatch.syspath_prepend(str(module.parent))
    folder = Path(users.server.settings.artifact_store_uri) / "artifacts" / "planted"
    folder.mkdir(parents=True)
    users.server.store.artifacts.register(
        [
            ArtifactVersionCreate(
                id=uuid.uuid4(),
                name="planted",
                uri=str(folder),
                data_type="builtins.str",
                materializer="planted_materializer.Planted",
                materializer_version="1",
                size=0,
                content_hash="0" * 64,
            )
        ]
    )
    users.act_as("bob")
    with pytest.raises(MaterializerError) as err:
        Client().load_artifact("planted")
    message = str(err.value)
    assert "\n" not in message
    assert "'planted_materializer.Planted' is not registered" in message
    assert "MaterializerRegistry.default().register(Planted)" in message
    assert not marker.exists()
    assert "planted_materializer" not in sys.modules
