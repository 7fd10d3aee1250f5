"""Hostile bodies and logins against a real server on loopback (issue 9, server point 2).

Bodies are judged by their headers before the server reads them: a request that would be
refused gets its answer while the client is still sending. Password checks are bounded in
number, repeated failures lock the account or the client address, and every attempt is audited.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import httpx
import psutil
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, assert_one_line, serve, store_databases

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

LOGIN = "/api/v1/auth/login"
JSON_ROUTE = "/api/v1/runs"
JSON_LIMIT = 64 * 1024
GiB = 1024**3


LiveServer = Callable[..., str]


@pytest.fixture
def live(
    server_settings: WaypostSettings, server_store: SqlStore, server_artifact_store: ArtifactStore
) -> Iterator[LiveServer]:
    """Start the app over this test's stores on a free loopback port, with these server settings."""
    with ExitStack() as servers:

        def start(**server: Any) -> str:
            settings = server_settings.model_copy(
                update={"server": server_settings.server.model_copy(update={"max_body_bytes": JSON_LIMIT, **server})}
            )
            return servers.enter_context(serve(create_app(settings, server_store, server_artifact_store)))

        yield start


def _raw_request(url: str, head: str, first_chunk: bytes, timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
    """Send ``head`` and the start of a body, then wait for the answer without sending the rest."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + first_chunk)
        received = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in received or not _complete(received):
            assert time.monotonic() < deadline, f"no answer while the body was still being sent: {received!r}"
            try:
                data = sock.recv(65536)
            except TimeoutError:
                pytest.fail("the server waited for the whole body instead of answering")
            assert data, f"the server closed the connection without answering: {received!r}"
            received += data
    status_line, _, rest = received.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]
    return int(status_line.split()[1]), json.loads(body)


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def _head(path: str, length: int, ctype: str, key: str | None = None) -> str:
    auth = f"Authorization: Bearer {key}\n" if key else ""
    return f"POST {path} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: {ctype}\nContent-Length: {length}\n{auth}"


# -- bodies ----------------------------------------------------------------------------
@pytest.mark.parametrize("length", [100 * 1024**2, 4 * GiB])
def test_unauthenticated_body_is_refused_before_it_is_read(live: LiveServer, length: int) -> None:
    url = live()
    process = psutil.Process()
    before = process.memory_info().rss
    status, body = _raw_request(url, _head(JSON_ROUTE, length, "application/octet-stream"), b"x" * 65536)
    assert status == 401
    assert "\n" not in body["detail"]
    assert process.memory_info().rss - before < 50 * 1024**2


def test_unauthenticated_chunked_body_is_refused_before_it_is_read(live: LiveServer) -> None:
    url = live()
    head = f"POST {JSON_ROUTE} HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nTransfer-Encoding: chunked\n"
    status, _ = _raw_request(url, head, b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
    assert status == 401


def test_wrong_type_and_size_are_refused_before_the_body_is_read(live: LiveServer, admin_key: str) -> None:
    url = live()
    status, body = _raw_request(url, _head(JSON_ROUTE, 4 * GiB, "application/octet-stream", admin_key), b"x" * 4096)
    assert status == 415
    assert body["detail"] == "This endpoint takes a JSON body; send Content-Type: application/json."
    status, body = _raw_request(url, _head(JSON_ROUTE, 4 * GiB, "application/json", admin_key), b"{" * 4096)
    assert status == 413
    assert str(JSON_LIMIT) in body["detail"]
    # Login is public, so it has the smaller limit of bodies anyone may send.
    status, body = _raw_request(url, _head(LOGIN, 1024**2, "application/json"), b"{" * 4096)
    assert status == 413
    assert "65536" in body["detail"]


def test_a_json_body_request_looks_its_caller_up_once(
    server_app: FastAPI, server_store: SqlStore, admin_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The body guard authenticates before the body is read; the route's ``require`` reuses that.
    looked_up: list[str] = []
    resolve = server_store.auth.resolve_api_key

    def counting(key: str) -> Any:
        looked_up.append(key)
        return resolve(key)

    monkeypatch.setattr(server_store.auth, "resolve_api_key", counting)
    with TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {admin_key}"}) as http:
        r = http.post("/api/v1/auth/api-keys", json={"name": "once"})
        assert r.status_code == 201, r.text
        assert looked_up == [admin_key]
        looked_up.clear()
        assert http.get("/api/v1/auth/me").status_code == 200  # no body: the route's dependency looks it up
        assert looked_up == [admin_key]


def test_chunked_oversize_json_is_cut_at_the_limit(live: LiveServer, admin_key: str) -> None:
    url = live()

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(16):
            yield b"x" * 16384
        yield b'"}'

    headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": "application/json"}
    r = httpx.post(url + "/api/v1/pipelines", content=chunks(), headers=headers, timeout=20)
    assert_one_line(r, 413)
    assert str(JSON_LIMIT) in r.json()["detail"]


def test_uploads_still_take_bytes_over_the_json_limit(live: LiveServer, admin_key: str) -> None:
    url = live()
    run_id = "00000000-0000-4000-8000-000000000001"
    line = json.dumps({"ts": "2026-12-05T00:00:00Z", "stream": "stdout", "line": "y" * 100}).encode() + b"\n"
    chunk = line * (2 * JSON_LIMIT // len(line))
    headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": "application/octet-stream"}
    with httpx.Client(base_url=url, headers=headers, timeout=20) as http:
        r = http.put(f"/api/v1/runs/{run_id}/log-chunks/train/000000000001.jsonl", content=chunk)
        assert r.status_code == 204, r.text
        assert http.get(f"/api/v1/runs/{run_id}/log-chunks/train/000000000001.jsonl").content == chunk
        anonymous = http.put(
            f"/api/v1/runs/{run_id}/log-chunks/train/000000000002.jsonl", content=chunk, headers={"Authorization": ""}
        )
        assert anonymous.status_code == 401


# -- logins ----------------------------------------------------------------------------
def _peak_rss_during(work: Callable[[], list[int]]) -> tuple[list[int], int]:
    """Run ``work`` while sampling this process's RSS (the server runs in it); return its result and peak growth."""
    process = psutil.Process()
    before = process.memory_info().rss
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = work()
    finally:
        done.set()
        sampler.join()
    return result, peak - before


def test_forty_concurrent_failed_logins_keep_memory_bounded(live: LiveServer, server_store: SqlStore) -> None:
    url = live(password_check_wait_s=120.0)  # a loaded test machine must not turn queueing into 503s

    def attempt(i: int) -> int:
        r = httpx.post(url + LOGIN, json={"username": f"nobody{i}", "password": "wrong password"}, timeout=150)
        assert "\n" not in r.json()["detail"]
        return r.status_code

    def storm() -> list[int]:
        with ThreadPoolExecutor(40) as pool:
            return list(pool.map(attempt, range(40)))

    statuses, growth = _peak_rss_during(storm)
    assert set(statuses) <= {401, 429}, statuses
    assert growth < 600 * 1024**2, f"the server grew by {growth / 1024**2:.0f} MiB"
    # 20 failures from one address lock it; checks already running when it locked may still fail.
    failed = statuses.count(401)
    assert 20 <= failed <= 22
    assert server_store.audit.list(action="login.failed").total == failed
    locked = server_store.audit.list(action="login.locked").items
    assert locked
    assert locked[0].details["scope"] == "address"


def test_busy_password_checks_answer_503(live: LiveServer, admin_user_id: str) -> None:
    url = live(password_check_concurrency=1, password_check_wait_s=0.001, login_failures_per_address=100)

    def attempt(i: int) -> httpx.Response:
        return httpx.post(url + LOGIN, json={"username": f"u{i}", "password": "wrong password"}, timeout=30)

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(attempt, range(6)))
    busy = [r for r in answers if r.status_code == 503]
    assert busy, [r.status_code for r in answers]
    assert_one_line(busy[0], 503)
    assert busy[0].headers["Retry-After"] == "5"
    assert {r.status_code for r in answers} <= {401, 503}


def test_account_locks_after_failures_and_unlocks_after_the_window(
    live: LiveServer, admin_user_id: str, server_store: SqlStore
) -> None:
    url = live(login_failures_per_user=3, login_lockout_window_s=3.0)
    wrong = {"username": "admin", "password": "not the password"}
    right = {"username": "admin", "password": ADMIN_PASSWORD}
    with httpx.Client(base_url=url, timeout=20) as http:
        for _ in range(3):
            assert_one_line(http.post(LOGIN, json=wrong), 401)
        r = http.post(LOGIN, json=right)  # the right password is refused while locked
        assert_one_line(r, 429)
        assert r.json()["detail"].startswith("Too many failed logins; try again in ")
        wait = int(r.headers["Retry-After"])
        assert 1 <= wait <= 3
        assert r.json()["detail"].endswith(f"in {wait} second{'s' if wait != 1 else ''}.")

        time.sleep(wait + 0.2)
        r = http.post(LOGIN, json=right)
        assert r.status_code == 200, r.text
        # A successful login clears the account's count.
        assert_one_line(http.post(LOGIN, json=wrong), 401)
        assert_one_line(http.post(LOGIN, json=wrong), 401)
        assert http.post(LOGIN, json=right).status_code == 200

    events = server_store.audit.list(action="login.", target="admin", size=100).items
    actions = [e.action for e in reversed(events)]
    assert actions == [
        *["login.failed"] * 3,
        "login.locked",
        "login.succeeded",
        *["login.failed"] * 2,
        "login.succeeded",
    ]
    assert all(e.client_address == "127.0.0.1" for e in events)
    succeeded = next(e for e in events if e.action == "login.succeeded")
    assert succeeded.actor_name == "admin"
    assert str(succeeded.actor_user_id) == admin_user_id


def test_lock_holds_across_servers_and_address_locks_too(
    live: LiveServer, admin_user_id: str, server_store: SqlStore
) -> None:
    rules = {"login_failures_per_user": 2, "login_failures_per_address": 3}
    first, second = live(**rules), live(**rules)
    wrong = {"username": "admin", "password": "not the password"}
    for _ in range(2):
        assert_one_line(httpx.post(first + LOGIN, json=wrong), 401)
    r = httpx.post(second + LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD})
    assert_one_line(r, 429)
    assert r.json()["detail"].endswith("minutes.")  # 15 minutes by default
    assert 840 <= int(r.headers["Retry-After"]) <= 900
    # One more failure for another name reaches the address's limit: every name is refused from here.
    assert_one_line(httpx.post(second + LOGIN, json={"username": "someone", "password": "x"}), 401)
    r = httpx.post(first + LOGIN, json={"username": "anyone", "password": "x"})
    assert_one_line(r, 429)
    assert "from this address" in r.json()["detail"]
    assert server_store.audit.list(action="login.failed").total == 3


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)]
)
def test_lockout_and_audit_on_server_databases(
    backend: str, server_settings: WaypostSettings, server_artifact_store: ArtifactStore
) -> None:
    db = store_databases()
    create, drop = {
        "postgres": (db.create_postgres_database, db.drop_postgres_database),
        "mysql": (db.create_mysql_database, db.drop_mysql_database),
    }[backend]
    url = create()
    store = SqlStore(url)
    try:
        store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        server = server_settings.server.model_copy(update={"login_failures_per_user": 2})
        app = create_app(server_settings.model_copy(update={"server": server}), store, server_artifact_store)
        with serve(app) as base:
            wrong = {"username": "admin", "password": "not the password"}
            assert httpx.post(base + LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 200
            for _ in range(2):
                assert_one_line(httpx.post(base + LOGIN, json=wrong), 401)
            r = httpx.post(base + LOGIN, json={"username": "admin", "password": ADMIN_PASSWORD})
            assert_one_line(r, 429)
            assert 840 <= int(r.headers["Retry-After"]) <= 900
        actions = [e.action for e in reversed(store.audit.list(action="login.", target="admin").items)]
        assert actions == ["login.succeeded", "login.failed", "login.failed", "login.locked"]
    finally:
        store.close()
        drop(url)
