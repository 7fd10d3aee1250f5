"""Step log routes the dashboard reads: line counts, search counts and offsets, first error, download."""

from __future__ import annotations

import logging
import sys

import pytest
from _api_helpers import share_stores
from fastapi.testclient import TestClient
from server_support import assert_one_line

from waypost import pipeline, step
from waypost.schemas import RunRead
from waypost.settings import WaypostSettings

API = "/api/v1"
QUOTED = 'path "C:\\tmp\\x" done'


@step
def chatty() -> None:
    for i in range(30):
        print(f"plain line {i}")
    print(QUOTED)
    print("Mixed CASE Needle")
    print("warning: disk almost full", file=sys.stderr)
    logging.getLogger("user").error("the model diverged")
    print("tab\tand newline-escape n here")


@pipeline
def chatty_pipeline() -> None:
    chatty()


@pytest.fixture
def base(monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings, client: TestClient) -> str:
    share_stores(monkeypatch, server_settings)
    run: RunRead = chatty_pipeline.with_options(enable_cache=False)()
    return f"{API}/runs/{run.id}/steps/chatty/logs"


def _hits(client: TestClient, base: str, **params: object) -> tuple[list[int], int, bool]:
    r = client.get(f"{base}/search", params=params)
    assert r.status_code == 200, r.text
    numbers = [hit["line"]["n"] for hit in r.json()]
    return numbers, int(r.headers["x-total-hits"]), r.headers["x-more-hits"] == "true"


def test_pages_and_tail_say_how_many_lines_there_are(client: TestClient, base: str) -> None:
    page = client.get(base, params={"offset": 10, "limit": 5})
    assert [line["n"] for line in page.json()] == [10, 11, 12, 13, 14]
    assert page.headers["x-total-lines"] == "35"
    tail = client.get(f"{base}/tail", params={"n": 2})
    assert [line["n"] for line in tail.json()] == [33, 34]
    assert tail.headers["x-total-lines"] == "35"
    past = client.get(base, params={"offset": 1000})
    assert past.json() == []
    assert past.headers["x-total-lines"] == "35"


def test_search_counts_matches_and_pages_by_offset(client: TestClient, base: str) -> None:
    numbers, total, more = _hits(client, base, q="plain line", limit=4)
    assert numbers == [0, 1, 2, 3]
    assert (total, more) == (30, False)
    numbers, total, _ = _hits(client, base, q="plain line", limit=4, offset=28)
    assert numbers == [28, 29]
    assert total == 2


def test_search_is_case_insensitive_unless_asked(client: TestClient, base: str) -> None:
    assert _hits(client, base, q="mixed case NEEDLE")[0] == [31]
    assert _hits(client, base, q="mixed case NEEDLE", case_sensitive=True)[0] == []
    assert _hits(client, base, q="Mixed CASE", case_sensitive=True)[0] == [31]


def test_search_finds_quotes_and_backslashes_but_not_json_syntax(client: TestClient, base: str) -> None:
    assert _hits(client, base, q='"C:\\tmp\\x"')[0] == [30]
    assert _hits(client, base, q="\\")[0] == [30]
    # What only the stored JSON holds is no match: keys, the source, escape letters.
    assert _hits(client, base, q="stdout")[1] == 0
    assert _hits(client, base, q='"m":')[1] == 0
    assert _hits(client, base, q="tand")[1] == 0  # "\t" + "and" is stored as \tand
    assert _hits(client, base, q="\tand")[0] == [34]


def test_search_context_and_regex(client: TestClient, base: str) -> None:
    r = client.get(f"{base}/search", params={"q": "plain line 0", "context": 2})
    hit = r.json()[0]
    assert hit["before"] == []
    assert [x["n"] for x in hit["after"]] == [1, 2]
    assert _hits(client, base, q=r"^plain line 2\d$", regex=True)[0] == list(range(20, 30))
    assert _hits(client, base, q=r"NEEDLE$", regex=True, case_sensitive=True)[0] == []
    # A leading (?i) wins over case_sensitive; escapes in the stored JSON do not hide a match.
    assert _hits(client, base, q=r"(?i)mixed case NEEDLE", regex=True, case_sensitive=True)[0] == [31]
    assert _hits(client, base, q=r'"C:\\tmp\\x"', regex=True)[0] == [30]
    assert _hits(client, base, q=r"tab\tand", regex=True)[0] == [34]
    # No plain text to look for first: every line is tried.
    assert _hits(client, base, q=r"^\w+ \w+ \d+$", regex=True)[1] == 30


def test_search_bad_input_is_one_line(client: TestClient, base: str) -> None:
    assert_one_line(client.get(f"{base}/search", params={"q": "(", "regex": True}), 400)
    assert_one_line(client.get(f"{base}/search", params={"q": ""}), 422)
    assert_one_line(client.get(f"{base}/search", params={"q": "x", "limit": 0}), 422)
    assert_one_line(client.get(f"{base}/search", params={"q": "x", "offset": -1}), 422)
    assert_one_line(client.get(f"{API}/runs/nope/steps/chatty/logs/search", params={"q": "x"}), 404)


def test_first_error_is_the_first_stderr_or_error_line(client: TestClient, base: str) -> None:
    line = client.get(f"{base}/first-error").json()
    assert line["n"] == 32
    assert line["s"] == "stderr"


def test_download_is_the_whole_log_as_text(client: TestClient, base: str) -> None:
    r = client.get(f"{base}/download")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith('-chatty.log"')
    assert "/" not in disposition
    lines = r.text.split("\n")
    assert lines[0] == "plain line 0"
    assert lines[30] == QUOTED
    assert lines[33] == "user: the model diverged"
    assert len(lines) == 36
    assert lines[-1] == ""
    assert_one_line(client.get(f"{API}/runs/nope/steps/chatty/logs/download"), 404)
