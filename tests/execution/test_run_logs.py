"""Each step's stdout, stderr and logging, captured per step in real runs and read back
through the Client (from an offset, the tail, a search)."""

from __future__ import annotations

import logging
import sys
import threading

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import NotFoundError


def _messages(lines: list[dict[str, object]]) -> list[str]:
    return [str(line["m"]) for line in lines]


def test_parallel_steps_each_keep_only_their_own_output() -> None:
    barrier = threading.Barrier(2, timeout=10)

    def chatter(name: str) -> int:
        log = logging.getLogger(f"user.{name}")
        barrier.wait()  # both steps are running now
        for i in range(40):
            print(f"{name} out {i}")
            print(f"{name} err {i}", file=sys.stderr)
            log.info("%s log %d", name, i)
        return 1

    @step
    def left() -> int:
        return chatter("left")

    @step
    def right() -> int:
        return chatter("right")

    @pipeline(max_parallel_steps=2)
    def both():
        left()
        right()

    run = both()

    client = Client()
    for name, other in (("left", "right"), ("right", "left")):
        lines = client.get_step_logs(run.id, name, limit=1000)
        assert len(lines) == 120
        assert not any(other in str(line["m"]) for line in lines)
        by_source: dict[str, list[str]] = {}
        for line in lines:
            by_source.setdefault(str(line["s"]), []).append(str(line["m"]))
        assert by_source["stdout"] == [f"{name} out {i}" for i in range(40)]
        assert by_source["stderr"] == [f"{name} err {i}" for i in range(40)]
        assert by_source["logging"] == [f"user.{name}: {name} log {i}" for i in range(40)]
        assert {line["l"] for line in lines if line["s"] == "logging"} == {"INFO"}
        assert [line["n"] for line in lines] == list(range(120))


@step
def counter(lines: int = 30) -> int:
    for i in range(lines):
        print(f"line {i}")
    logging.getLogger("counter").warning("almost done")
    print("done")
    return lines


@pipeline
def counting():
    counter()


def test_logs_read_from_an_offset_tail_and_search() -> None:
    run = counting()
    client = Client()

    assert _messages(client.get_step_logs(run.id, "counter", offset=28, limit=3)) == [
        "line 28",
        "line 29",
        "counter: almost done",
    ]
    assert client.get_step_logs(run.id, "counter", offset=1000) == []
    assert _messages(client.tail_step_logs(run.id, "counter", n=2)) == ["counter: almost done", "done"]
    hits = client.search_step_logs(run.id, "counter", "LINE 2", context=1)
    assert [hit["line"]["m"] for hit in hits] == ["line 2"] + [f"line {i}" for i in range(20, 30)]
    assert _messages(hits[0]["before"]) == ["line 1"]
    assert _messages(hits[0]["after"]) == ["line 3"]
    regex = client.search_step_logs(run.id, "counter", r"^line 1\d$", regex=True)
    assert [hit["line"]["n"] for hit in regex] == list(range(10, 20))
    assert client.search_step_logs(run.id, "counter", "nothing like this") == []


def test_a_failed_steps_output_and_traceback_are_in_its_log() -> None:
    @step
    def crashes() -> None:
        print("about to fail")
        raise KeyError("missing column")

    @pipeline
    def p():
        crashes()

    with pytest.raises(Exception, match="missing column"):
        p()

    run = Client().list_pipeline_runs().items[0]
    first, last = Client().get_step_logs(run.id, "crashes")
    assert (first["s"], first["m"]) == ("stdout", "about to fail")
    assert (last["s"], last["l"]) == ("stderr", "ERROR")
    assert str(last["m"]).startswith("Traceback (most recent call last):")
    assert str(last["m"]).endswith("KeyError: 'missing column'")
    assert Client().search_step_logs(run.id, "crashes", 'raise KeyError("missing column")') != []


def test_a_cached_step_shows_the_logs_of_the_run_that_produced_it() -> None:
    first = counting()
    second = counting()

    client = Client()
    assert client.get_step_run(second.id, "counter").cached_from_run_id == first.id
    assert client.get_step_logs(second.id, "counter") == client.get_step_logs(first.id, "counter")


def test_logs_of_an_unknown_step_name_the_way_to_find_steps() -> None:
    run = counting()

    with pytest.raises(NotFoundError, match="No step 'nope' exists"):
        Client().get_step_logs(run.id, "nope")
