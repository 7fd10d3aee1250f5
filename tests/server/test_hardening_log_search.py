"""Log search under hostile patterns: linear-time regexes, a time budget, and a server that keeps answering."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from _api_helpers import share_stores
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import assert_one_line, serve

from waypost import pipeline, step
from waypost.schemas import RunRead
from waypost.settings import WaypostSettings

API = "/api/v1"
LINES = 20_000
#: 24 characters; Python's backtracking ``re`` takes seconds on one line of 25 "a" and a "!" (and
#: minutes on 30), holding the GIL: nothing else in the server runs meanwhile.
EVIL = r"^(\w+\s?)*$|^never here$"


@step
def shouty() -> None:
    for i in range(LINES):
        # Each of a few lines costs backtracking seconds; the others, short runs, are cheap.
        print("a" * 25 + "!" if i % 4000 == 1 else f"line {i} ok, aa!")


@pipeline
def shouty_pipeline() -> None:
    shouty()


@pytest.fixture
def base(monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings, client: TestClient) -> str:
    share_stores(monkeypatch, server_settings)
    run: RunRead = shouty_pipeline.with_options(enable_cache=False)()
    return f"{API}/runs/{run.id}/steps/shouty/logs"


@pytest.fixture
def live_url(server_app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port."""
    with serve(server_app) as url:
        yield url


def test_a_catastrophic_regex_neither_stalls_the_server_nor_outlives_its_budget(
    base: str, live_url: str, admin_key: str, server_settings: WaypostSettings
) -> None:
    budget = server_settings.server.log_search_timeout_s
    headers = {"Authorization": f"Bearer {admin_key}"}
    answer: dict[str, object] = {}

    def search() -> None:
        with httpx.Client(base_url=live_url, headers=headers, timeout=budget + 30) as http:
            began = time.monotonic()
            r = http.get(f"{base}/search", params={"q": EVIL, "regex": True, "limit": 10})
            answer.update(status=r.status_code, seconds=time.monotonic() - began, body=r.text)

    searcher = threading.Thread(target=search, daemon=True)
    latencies: list[float] = []
    with httpx.Client(base_url=live_url, timeout=5) as http:
        searcher.start()
        while searcher.is_alive() and len(latencies) < 200:
            began = time.monotonic()
            assert http.get(f"{API}/health").status_code == 200
            latencies.append(time.monotonic() - began)
            time.sleep(0.02)
    searcher.join(timeout=budget + 30)
    assert max(latencies) < 1.0, f"health waited {max(latencies):.2f} s while the regex ran"
    assert answer["status"] == 200, answer
    assert float(str(answer["seconds"])) < budget + 2


def test_a_search_past_its_budget_says_where_it_stopped(
    client: TestClient, base: str, server_settings: WaypostSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_settings.server, "log_search_timeout_s", 0.005)
    # Nothing found before the budget ran out: a one-line 422 naming where to go on from.
    nothing = client.get(f"{base}/search", params={"q": EVIL, "regex": True})
    assert_one_line(nothing, 422)
    assert "budget" in nothing.json()["detail"]
    assert "offset=" in nothing.json()["detail"]
    # Hits found before it ran out: they are answered, with the line the search stopped at.
    some = client.get(f"{base}/search", params={"q": r"a+!", "regex": True, "limit": 5})
    assert some.status_code == 200, some.text
    assert len(some.json()) == 5
    assert some.headers["x-more-hits"] == "true"
    stopped = int(some.headers["x-search-cut"])
    assert 5 <= stopped < LINES
    # Searching on from there goes on where it stopped.
    monkeypatch.setattr(server_settings.server, "log_search_timeout_s", 30.0)
    rest = client.get(f"{base}/search", params={"q": r"a+!", "regex": True, "offset": stopped, "limit": 1})
    assert rest.status_code == 200, rest.text
    assert "x-search-cut" not in rest.headers
    assert rest.json()[0]["line"]["n"] == stopped


def test_regex_features_re2_lacks_are_a_one_line_400(client: TestClient, base: str) -> None:
    for pattern in (r"(a)\1", r"a(?=b)", r"(?<!x)a"):
        r = client.get(f"{base}/search", params={"q": pattern, "regex": True})
        assert_one_line(r, 400)
        assert "not supported" in r.json()["detail"], r.json()
    assert_one_line(client.get(f"{base}/search", params={"q": "(unclosed", "regex": True}), 400)
