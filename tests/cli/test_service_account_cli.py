"""``waypost service-account``: accounts and API keys on the local store and on a live server.

A key is printed once, or goes straight into a stack secret and is never shown; a secret that
cannot be written leaves no working key behind; against a server only an admin may do any of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_support import assert_one_line_error, invoke
from typer.testing import CliRunner, Result

from live_server import LiveServer
from waypost.cli.main import app
from waypost.execution import runtime
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore


@pytest.fixture
def store() -> Iterator[SqlStore]:
    """The local store the commands write to, opened beside them."""
    opened = SqlStore(load_settings().store_url)
    yield opened
    opened.close()


def ok(*args: str) -> Result:
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    return r


def listed() -> dict[str, dict[str, str]]:
    """``service-account list`` as name → row (its columns by header)."""
    text = ok("service-account", "list").stdout
    lines = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("─")]
    header = lines[0]
    return {row[0]: dict(zip(header, row, strict=False)) for row in lines[1:]}


def test_create_list_key_revoke_and_delete_on_the_local_store(store: SqlStore) -> None:
    assert "No service accounts yet" in ok("service-account", "list").stdout
    r = ok("service-account", "create", "dask-workers", "--full-name", "The cluster's workers")
    account = store.users.get("dask-workers")
    assert r.stdout.strip() == f"Created service account dask-workers ({account.id})."
    assert account.is_service_account
    assert not account.is_admin
    assert store.users.get(ok("service-account", "create", "ops-bot", "--admin").stdout.split("(")[1][:36]).is_admin
    assert_one_line_error(invoke("service-account", "create", "dask-workers"), "exists already")
    store.users.create("ana", password="a long enough password")
    rows = listed()
    assert sorted(rows) == ["dask-workers", "ops-bot"]  # people are not listed
    assert (rows["dask-workers"]["admin"], rows["dask-workers"]["active"], rows["dask-workers"]["keys"]) == (
        "no",
        "yes",
        "0",
    )
    assert rows["ops-bot"]["admin"] == "yes"

    r = ok("service-account", "key", "dask-workers")
    key = r.stdout.strip()
    assert key.startswith("wpk_")
    assert r.output.count(key) == 1  # shown once, and only the key on stdout
    assert "shown only now" in r.stderr
    resolved = store.auth.resolve_api_key(key)
    assert resolved is not None
    assert resolved.name == "dask-workers"
    made = json.loads(
        ok("service-account", "key", "dask-workers", "--name", "ci", "--expires-in-days", "7", "--json").stdout
    )
    assert made["name"] == "ci"
    assert made["expires_at"] is not None
    assert store.auth.resolve_api_key(made["key"]) is not None
    assert listed()["dask-workers"]["keys"] == "2"
    keys = {k["name"]: k for k in json.loads(ok("service-account", "list", "--json").stdout)[0]["keys"]}
    assert sorted(keys) == ["ci", "cli"]
    assert all("key" not in k for k in keys.values())  # the list never holds a key's secret

    r = ok("service-account", "revoke", "dask-workers", "cli")
    assert "Revoked API key 'cli'" in r.stdout
    assert store.auth.resolve_api_key(key) is None
    assert store.auth.resolve_api_key(made["key"]) is not None
    assert "revoked already" in ok("service-account", "revoke", "dask-workers", keys["cli"]["id"]).stdout
    ok("service-account", "revoke", "dask-workers", made["id"])
    assert store.auth.resolve_api_key(made["key"]) is None
    assert listed()["dask-workers"]["keys"] == "0"
    assert_one_line_error(invoke("service-account", "revoke", "dask-workers", "nope"), "no API key 'nope'")
    assert_one_line_error(invoke("service-account", "key", "ana"), "'ana' is a person")
    assert_one_line_error(invoke("service-account", "key", "ghost"), "No service account 'ghost'")
    assert_one_line_error(
        invoke("service-account", "key", "dask-workers", "--expires-in-days", "0"), "--expires-in-days"
    )

    refused = CliRunner().invoke(app, ["service-account", "delete", "dask-workers"], input="n\n")
    assert refused.exit_code == 1
    assert "Kept service account dask-workers" in refused.stderr
    assert store.users.exists("dask-workers")
    assert "Deleted service account dask-workers" in ok("service-account", "delete", "dask-workers", "--yes").stdout
    assert not store.users.exists("dask-workers")
    assert sorted(listed()) == ["ops-bot"]


def test_a_key_goes_into_a_new_or_an_existing_secret_and_is_never_shown(store: SqlStore) -> None:
    ok("service-account", "create", "dask-workers")
    r = ok("service-account", "key", "dask-workers", "--into-secret", "workers")
    assert r.stdout.strip() == (
        "Stored a new API key of dask-workers in secret workers (key api_key); "
        "reference it as {{secret.workers.api_key}}."
    )
    assert "wpk_" not in r.output
    values = store.stacks.secret_values("workers")
    assert list(values) == ["api_key"]
    resolved = store.auth.resolve_api_key(values["api_key"])
    assert resolved is not None
    assert resolved.name == "dask-workers"
    assert store.auth.list_api_keys(resolved.id)[0].name == "workers.api_key"

    ok("secret", "create", "shared", "--region=eu-west-1")
    r = ok(
        "service-account", "key", "dask-workers", "--into-secret", "shared.worker_key", "--name", "cluster", "--json"
    )
    body = json.loads(r.stdout)
    assert "wpk_" not in r.output
    assert (body["secret"], body["secret_key"], body["reference"]) == (
        "shared",
        "worker_key",
        "{{secret.shared.worker_key}}",
    )
    assert body["key"]["name"] == "cluster"
    assert body["created_secret"] is False
    shared = store.stacks.secret_values("shared")
    assert shared["region"] == "eu-west-1"  # the secret's other keys stay
    assert shared["worker_key"] != values["api_key"]
    cluster = store.auth.resolve_api_key(shared["worker_key"])
    assert cluster is not None
    assert cluster.name == "dask-workers"
    assert listed()["dask-workers"]["keys"] == "2"
    assert_one_line_error(
        invoke("service-account", "key", "dask-workers", "--into-secret", "bad/name"), "is not SECRET or SECRET.KEY"
    )
    assert listed()["dask-workers"]["keys"] == "2"  # refused before a key was made


def test_a_secret_that_cannot_be_written_leaves_no_working_key(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("service-account", "create", "dask-workers")
    ok("secret", "create", "workers", "--api_key=old")
    # The secrets key changes: the existing secret can no longer be decrypted, so not updated.
    monkeypatch.setenv("WAYPOST_SECRETS__KEY", "x" * 43 + "=")
    r = invoke("service-account", "key", "dask-workers", "--into-secret", "workers")
    assert_one_line_error(r, "Could not store the new API key of dask-workers in secret 'workers'", "revoked again")
    assert "wpk_" not in r.output
    account = store.users.get("dask-workers")
    [key] = store.auth.list_api_keys(account.id)
    assert key.revoked_at is not None
    assert listed()["dask-workers"]["keys"] == "0"


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def test_against_a_server_an_admin_makes_a_worker_key_that_works(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = ok("service-account", "create", "dask-workers")
    account = live.store.users.get("dask-workers")
    assert r.stdout.strip() == f"Created service account dask-workers ({account.id})."
    r = ok("service-account", "key", "dask-workers", "--into-secret", "dask-workers.api_key")
    assert "reference it as {{secret.dask-workers.api_key}}." in r.stdout
    assert "wpk_" not in r.output
    assert live.store.stacks.get_secret("dask-workers").keys == ["api_key"]
    key = live.store.stacks.secret_values("dask-workers")["api_key"]
    me = httpx.get(f"{live.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200, me.text
    assert me.json()["user"]["name"] == "dask-workers"
    assert listed()["dask-workers"]["keys"] == "1"
    audited = {(e.action, e.target) for e in live.store.audit.list(size=20).items}
    assert {("service_account.created", "dask-workers"), ("api_key.created", "dask-workers")} <= audited

    ok("service-account", "revoke", "dask-workers", "dask-workers.api_key")
    after = httpx.get(f"{live.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})
    assert after.status_code == 401
    ok("service-account", "delete", "dask-workers", "--yes")
    assert not live.store.users.exists("dask-workers")

    bo = live.store.users.create("bo", password="a long enough password")
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", live.store.auth.create_api_key(bo.id, "cli").key)
    runtime.reset()
    for args in (("create", "ci-bot"), ("list",), ("key", "ci-bot")):
        assert_one_line_error(invoke("service-account", *args), "This needs the 'admin' permission")
    assert not live.store.users.exists("ci-bot")
