"""``waypost cleanup``: the preview, --dry-run, the refusal without --yes off a terminal, --yes, --keep-tag,
--pipeline and --json, on a local database (files removed from disk) and against a server."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import pytest
from cli_support import assert_one_line_error, invoke
from sqlalchemy import update

from live_server import LiveServer
from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import ConflictError
from waypost.execution import runtime
from waypost.schemas import RunRead
from waypost.settings import write_config
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import utcnow


@step
def produce(n: int) -> Annotated[list[int], "payload"]:
    print(f"producing {n}")
    return list(range(n * 1000))


@pipeline
def sweep(n: int = 1) -> None:
    produce(n)


@pipeline
def other(n: int = 1) -> None:
    produce(n)


def _age(store: SqlStore, runs: list[RunRead], days: int = 40) -> None:
    t = db.pipeline_runs
    with store.sessions.write() as c:
        c.execute(update(t).where(t.c.id.in_([r.id for r in runs])).values(created_at=utcnow() - timedelta(days=days)))


def _local_store() -> SqlStore:
    store = runtime.current().store
    assert isinstance(store, SqlStore)
    return store


def _uri(run: RunRead) -> str:
    step_run = Client().list_step_runs(run.id)[0]
    return Client().get_artifact_version(step_run.outputs["payload"]).uri


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_local_cleanup_from_preview_to_files_gone() -> None:
    old = [sweep.with_options(enable_cache=False)(n=n) for n in (1, 2)]
    kept = sweep.with_options(enable_cache=False, tags=["prod"])(n=3)
    elsewhere = other.with_options(enable_cache=False)(n=4)
    young = sweep.with_options(enable_cache=False)(n=5)
    _age(_local_store(), [*old, kept, elsewhere])
    uris = {r.name: _uri(r) for r in (*old, kept, elsewhere, young)}
    assert all(os.path.isdir(u) for u in uris.values())

    shown = ok("cleanup", "--older-than", "30d", "--keep-tag", "prod", "--dry-run")
    for run in (*old, elsewhere):
        assert run.name in shown
    assert kept.name not in shown
    assert "Would delete 3 run(s)" in shown
    assert "3 artifact version(s)" in shown
    assert "Keeping 1 run(s) tagged prod." in shown
    assert "Dry run: nothing was deleted." in shown
    assert all(os.path.isdir(u) for u in uris.values()), "a dry run removes nothing"

    refused = invoke("cleanup", "--older-than", "30d", "--keep-tag", "prod")
    assert_one_line_error(refused, "Not deleting without confirmation", "--yes")
    assert len(Client().list_pipeline_runs(size=50).items) == 5

    narrowed = ok("cleanup", "--older-than", "30d", "--keep-tag", "prod", "--pipeline", "other", "--yes")
    assert "Deleted 1 run(s) and 1 artifact version(s)" in narrowed
    assert not os.path.exists(uris[elsewhere.name])
    assert os.path.isdir(uris[old[0].name])

    done = ok("cleanup", "--older-than", "30d", "--keep-tag", "prod", "--yes")
    assert "Deleted 2 run(s) and 2 artifact version(s)" in done
    assert "freeing" in done
    for run in old:
        assert not os.path.exists(uris[run.name])
    assert os.path.isdir(uris[kept.name])
    assert os.path.isdir(uris[young.name])
    left = {r.name for r in Client().list_pipeline_runs(size=50).items}
    assert left == {kept.name, young.name}
    assert "Nothing to clean up." in ok("cleanup", "--older-than", "30d", "--keep-tag", "prod")


def test_json_warning_and_bad_input() -> None:
    runs = [sweep.with_options(enable_cache=False)(n=n) for n in (1, 2)]
    _age(_local_store(), runs)
    preview = json.loads(ok("cleanup", "--older-than", "30d", "--dry-run", "--json"))
    assert preview["runs"] == 2
    assert preview["matches_everything"] is True
    shown = ok("cleanup", "--older-than", "30d", "--dry-run")
    assert "Warning: This filter matches every run you may delete (2)" in shown
    assert_one_line_error(invoke("cleanup", "--older-than", "thirty"), "not an age", "30d")
    assert_one_line_error(invoke("cleanup", "--older-than", "30d", "--pipeline", "nope"), "No pipeline 'nope'")
    c = Client()
    token = c.preview_cleanup("30d").token
    sweep.with_options(enable_cache=False)(n=9)
    _age(_local_store(), c.list_pipeline_runs(size=1).items)  # a run ages into the set: the token no longer fits
    with pytest.raises(ConflictError, match="changed since the preview"):
        c.cleanup("30d", confirm=token)
    assert len(c.list_pipeline_runs(size=50).items) == 3
    printed = ok("cleanup", "--older-than", "30d", "--yes", "--json")
    decoder = json.JSONDecoder()
    shown_preview, end = decoder.raw_decode(printed)
    result, _ = decoder.raw_decode(printed[end:].lstrip())
    assert shown_preview["runs"] == 3
    assert result["runs"] == 3
    assert result["files"] >= 3
    assert c.list_pipeline_runs(size=50).total == 0


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server(live: LiveServer) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    runs = [sweep.with_options(enable_cache=False)(n=n) for n in (1, 2)]
    kept = sweep.with_options(enable_cache=False, tags=["prod"])(n=3)
    _age(live.store, [*runs, kept])
    uris = {r.name: _uri(r) for r in (*runs, kept)}
    assert all(os.path.isdir(u) for u in uris.values())
    shown = ok("cleanup", "--older-than", "30d", "--keep-tag", "prod", "--dry-run")
    assert "Would delete 2 run(s)" in shown
    done = ok("cleanup", "--older-than", "30d", "--keep-tag", "prod", "--yes")
    assert "Deleted 2 run(s) and 2 artifact version(s)" in done
    for run in runs:
        assert not os.path.exists(uris[run.name])
    assert os.path.isdir(uris[kept.name])
    assert [r.name for r in Client().list_pipeline_runs(size=50).items] == [kept.name]


def _at_a_terminal(answer: str, *args: str) -> tuple[int, str]:
    """Run ``waypost ARGS`` with a pseudo-terminal as its stdin and stdout, typing ``answer`` at the prompt."""
    primary, secondary = os.openpty()
    waypost = Path(sys.executable).with_name("waypost")
    proc = subprocess.Popen([str(waypost), *args], stdin=secondary, stdout=secondary, stderr=secondary)
    os.close(secondary)
    seen = b""
    deadline = time.monotonic() + 60
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"[y/N]" in seen:
                os.write(primary, answer.encode() + b"\n")
                answered = True
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=30)
    os.close(primary)
    return code, seen.decode(errors="replace")


def test_at_a_terminal_it_asks_first() -> None:
    runs = [sweep.with_options(enable_cache=False)(n=n) for n in (1, 2)]
    _age(_local_store(), runs)
    uris = [_uri(r) for r in runs]
    code, shown = _at_a_terminal("n", "cleanup", "--older-than", "30d")
    assert code == 0, shown
    assert "Delete these 2 run(s) and 2 artifact version(s)? [y/N]" in shown
    assert "Nothing was deleted." in shown
    assert all(os.path.isdir(u) for u in uris)
    code, shown = _at_a_terminal("y", "cleanup", "--older-than", "30d")
    assert code == 0, shown
    assert "Deleted 2 run(s) and 2 artifact version(s)" in shown
    assert not any(os.path.exists(u) for u in uris)


def _archive_round_trip() -> None:
    kept, archived = (sweep.with_options(enable_cache=False)(n=n) for n in (1, 2))
    assert f"Archived run {archived.name}." in ok("runs", "archive", archived.name)
    listed = ok("runs", "list")
    assert kept.name in listed
    assert archived.name not in listed
    assert archived.name in ok("runs", "list", "archived:true")
    assert Client().get_pipeline_run(archived.name).archived is True
    assert f"Restored run {archived.name}." in ok("runs", "archive", "--restore", archived.id.hex)
    assert archived.name in ok("runs", "list")
    assert_one_line_error(invoke("runs", "archive", "no-such-run"), "No run 'no-such-run'")


def test_archive_locally() -> None:
    _archive_round_trip()


def test_archive_against_a_server(live: LiveServer) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    runtime.reset()
    _archive_round_trip()
