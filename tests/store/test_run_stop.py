"""Stopping a run, and the heartbeat that tells its launcher: SQLite, PostgreSQL, MariaDB and a RestStore."""

from __future__ import annotations

import getpass
import time
import uuid
from collections.abc import Iterator

import pytest

from live_server import LiveServer
from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError, ParameterError, StoreError
from waypost.store import Store
from waypost.store.rest import RestStore
from waypost.store.sql.store import SqlStore
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import make_run, make_step_run, start_step


class StopContract:
    """What every store does when a run is stopped, and what its heartbeat answers."""

    def test_heartbeat_says_active_while_the_run_goes(self, store: Store) -> None:
        run = make_run(store, status=ExecutionStatus.INITIALIZING)
        assert store.runs.heartbeat(run.id) is True
        store.runs.set_status(run.id, ExecutionStatus.RUNNING)
        before = store.runs.get(run.id).heartbeat_at
        time.sleep(0.01)
        # Back to back: a database that counts changed rather than matched rows would say False here.
        assert [store.runs.heartbeat(run.id) for _ in range(3)] == [True, True, True]
        after = store.runs.get(run.id).heartbeat_at
        assert before is not None
        assert after is not None
        assert after > before

    def test_heartbeat_says_inactive_once_the_run_ended_or_is_gone(self, store: Store) -> None:
        for status in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CRASHED):
            ended = make_run(store, status=status)
            beat_before = store.runs.get(ended.id).heartbeat_at
            assert store.runs.heartbeat(ended.id) is False, status
            assert store.runs.get(ended.id).heartbeat_at == beat_before  # an ended run's heartbeat stays put
        assert store.runs.heartbeat(uuid.uuid4()) is False
        deleted = make_run(store)
        store.runs.delete(deleted.id)
        assert store.runs.heartbeat(deleted.id) is False

    def test_stop_ends_the_run_and_its_active_steps(self, store: Store) -> None:
        run = make_run(store)
        make_step_run(store, run, "load")
        start_step(store, run, "train")
        start_step(store, run, "evaluate")

        stopped = store.runs.stop(run.id, "  out of\n budget ")

        assert stopped.id == run.id
        assert stopped.status == ExecutionStatus.STOPPED
        assert stopped.status_reason is not None
        assert stopped.status_reason.startswith("Stopped by ")
        assert stopped.status_reason.endswith(": out of budget")
        assert stopped.ended_at is not None
        assert stopped.step_counts == {"completed": 1, "stopped": 2}
        assert store.runs.get(run.id).status == ExecutionStatus.STOPPED
        steps = {s.name: s for s in store.steps.list(run.id)}
        assert steps["load"].status == ExecutionStatus.COMPLETED
        assert steps["load"].error_message is None
        for name in ("train", "evaluate"):
            assert steps[name].status == ExecutionStatus.STOPPED
            assert steps[name].error_message == stopped.status_reason
            assert steps[name].ended_at is not None
        assert store.runs.heartbeat(run.id) is False

    def test_a_stop_without_reason_names_only_who(self, store: Store) -> None:
        stopped = store.runs.stop(make_run(store, status=ExecutionStatus.INITIALIZING).id)
        assert stopped.status == ExecutionStatus.STOPPED
        assert stopped.status_reason is not None
        assert stopped.status_reason.startswith("Stopped by ")
        assert ":" not in stopped.status_reason

    def test_the_launchers_last_status_never_reopens_a_stopped_run(self, store: Store) -> None:
        run = make_run(store)
        store.runs.stop(run.id, "wrong data")
        store.runs.set_status(run.id, ExecutionStatus.COMPLETED, reason="done")
        got = store.runs.get(run.id)
        assert got.status == ExecutionStatus.STOPPED
        assert got.status_reason is not None
        assert got.status_reason.endswith(": wrong data")

    def test_stopping_a_run_that_ended_is_a_one_line_error(self, store: Store) -> None:
        done = make_run(store, status=ExecutionStatus.COMPLETED)
        with pytest.raises(StoreError) as err:
            store.runs.stop(done.id, "too late")
        assert not isinstance(err.value, NotFoundError)
        assert_one_line(err.value, f"Run '{done.name}' already ended (completed)", "nothing to stop")
        got = store.runs.get(done.id)
        assert (got.status, got.status_reason) == (ExecutionStatus.COMPLETED, None)

        twice = make_run(store)
        store.runs.stop(twice.id)
        with pytest.raises(StoreError) as again:
            store.runs.stop(twice.id)
        assert_one_line(again.value, "already ended (stopped)")

    def test_stopping_an_unknown_run_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError):
            store.runs.stop(uuid.uuid4())

    def test_a_reason_past_500_characters_is_refused(self, store: Store) -> None:
        run = make_run(store)
        with pytest.raises(ParameterError) as err:
            store.runs.stop(run.id, "x" * 501)
        assert_one_line(err.value, "500")
        assert store.runs.get(run.id).status == ExecutionStatus.RUNNING
        assert store.runs.stop(run.id, "y" * 500).status == ExecutionStatus.STOPPED


class SqlStopContract(StopContract):
    """The SQL store records who stopped a run: the server passes its caller, a local store its OS user."""

    def test_stop_records_who(self, store: SqlStore) -> None:
        by_name = store.runs.stop(make_run(store).id, "enough", by="ada")
        assert by_name.status_reason == "Stopped by ada: enough"
        assert store.runs.stop(make_run(store).id).status_reason == f"Stopped by {getpass.getuser()}"


class TestSqliteStop(SqlStopContract):
    @pytest.fixture
    def store(self, sqlite_url: str) -> Iterator[SqlStore]:
        store = SqlStore(sqlite_url)
        yield store
        store.close()


@pytest.mark.postgres
class TestPostgresStop(SqlStopContract):
    @pytest.fixture
    def store(self, postgres_url: str) -> Iterator[SqlStore]:
        store = SqlStore(postgres_url)
        yield store
        store.close()


@pytest.mark.mysql
class TestMysqlStop(SqlStopContract):
    @pytest.fixture
    def store(self, mysql_url: str) -> Iterator[SqlStore]:
        store = SqlStore(mysql_url)
        yield store
        store.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("rest-stop"), artifact_store_uri="memory://waypost-testing")
    yield server.start()
    server.stop()


class TestRestStop(StopContract):
    @pytest.fixture
    def store(self, live_server: LiveServer) -> Iterator[RestStore]:
        store = RestStore(live_server.url, live_server.api_key)
        yield store
        store.close()

    def test_the_server_records_its_caller(self, store: RestStore) -> None:
        assert store.runs.stop(make_run(store).id, "enough").status_reason == "Stopped by admin: enough"
