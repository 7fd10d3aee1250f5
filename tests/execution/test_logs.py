"""Step log capture and reading, on real chunk files in a temporary artifact store."""

from __future__ import annotations

import logging
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from waypost.artifacts.store import ArtifactStore
from waypost.execution import logs
from waypost.execution.logs import StepLogSink, capture


@pytest.fixture(autouse=True)
def _restore_capture() -> Iterator[None]:
    level = logging.root.level
    yield
    logs.uninstall_capture()
    logging.root.setLevel(level)


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(str(tmp_path / "store"))


def _sink(store: ArtifactStore, name: str = "step", **kwargs: Any) -> StepLogSink:
    return StepLogSink(store, store.join("logs", name), **kwargs)


def _content(store: ArtifactStore, sink: StepLogSink) -> list[tuple[str, str | None, str]]:
    return [(x["s"], x["l"], x["m"]) for x in logs.read_lines(store, sink.uri, limit=10**6)]


def _print_lines(store: ArtifactStore, count: int, **kwargs: Any) -> StepLogSink:
    sink = _sink(store, **kwargs)
    with capture(sink):
        for i in range(count):
            print(f"line {i}")
    sink.close()
    return sink


# -- capture -------------------------------------------------------------------------
def test_parallel_threads_each_capture_only_their_own_lines(
    store: ArtifactStore, capsys: pytest.CaptureFixture[str]
) -> None:
    sinks = {name: _sink(store, name) for name in ("a", "b")}
    barrier = threading.Barrier(2)

    def step(name: str) -> None:
        log = logging.getLogger(f"user.{name}")
        with capture(sinks[name]):
            for i in range(50):
                barrier.wait()  # both threads write between the same two barriers
                print(f"{name} out {i}")
                log.info("%s log %d", name, i)
        sinks[name].close()

    threads = [threading.Thread(target=step, args=(n,)) for n in sinks]
    for t in threads:
        t.start()
    print("main thread line")
    for t in threads:
        t.join()

    for name, sink in sinks.items():
        expected: list[tuple[str, str | None, str]] = []
        for i in range(50):
            expected.append(("stdout", None, f"{name} out {i}"))
            expected.append(("logging", "INFO", f"user.{name}: {name} log {i}"))
        assert _content(store, sink) == expected
        lines = logs.read_lines(store, sink.uri, limit=1000)
        assert [x["n"] for x in lines] == list(range(100))
    # Everything still reached the terminal too.
    out = capsys.readouterr().out
    for text in ("a out 49", "b out 0", "main thread line"):
        assert text in out


def test_sources_and_levels_are_told_apart(store: ArtifactStore) -> None:
    sink = _sink(store)
    log = logging.getLogger("user.step")
    with capture(sink):
        print("to stdout")
        print("to stderr", file=sys.stderr)
        log.debug("hidden at INFO")
        log.info("an info")
        log.warning("a warning")
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("it failed")
    sink.close()

    content = _content(store, sink)
    assert content[:4] == [
        ("stdout", None, "to stdout"),
        ("stderr", None, "to stderr"),
        ("logging", "INFO", "user.step: an info"),
        ("logging", "WARNING", "user.step: a warning"),
    ]
    source, level, text = content[4]
    assert (source, level) == ("logging", "ERROR")
    assert text.startswith("user.step: it failed\nTraceback")
    assert "ValueError: boom" in text
    assert len(content) == 5


def test_partial_writes_and_carriage_returns(store: ArtifactStore) -> None:
    sink = _sink(store)
    with capture(sink):
        sys.stdout.write("par")
        sys.stdout.write("tial\nnext")
        sys.stdout.write(" line\r\n")
        sys.stderr.write("10%\r50%\r100%\n")
        sys.stdout.write("unfinished")
    sink.close()
    assert _content(store, sink) == [
        ("stdout", None, "partial"),
        ("stdout", None, "next line"),
        ("stderr", None, "100%"),
        ("stdout", None, "unfinished"),
    ]


def test_root_level_is_lowered_from_default_only(store: ArtifactStore) -> None:
    logging.root.setLevel(logging.WARNING)
    logs.install_capture()
    assert logging.root.level == logging.INFO
    logs.uninstall_capture()
    assert logging.root.level == logging.WARNING
    logging.root.setLevel(logging.ERROR)
    logs.install_capture()
    assert logging.root.level == logging.ERROR


def test_disabled_sink_echoes_but_stores_nothing(store: ArtifactStore, capsys: pytest.CaptureFixture[str]) -> None:
    sink = _sink(store, enabled=False)
    with capture(sink):
        print("only on the terminal")
        logging.getLogger("user").warning("not stored")
    sink.close()
    assert "only on the terminal" in capsys.readouterr().out
    assert not store.exists(sink.uri)
    assert logs.read_lines(store, sink.uri) == []


def test_sink_without_lines_writes_nothing(store: ArtifactStore) -> None:
    for i in range(20):
        sink = _sink(store, f"s{i}")
        sink.activate()
        sink.close()
    assert not store.exists(store.join("logs"))


def test_lines_become_readable_within_the_flush_interval(store: ArtifactStore) -> None:
    sink = _sink(store, flush_interval=1.0)
    with capture(sink):
        print("first")
        written = time.monotonic()
        while not logs.read_lines(store, sink.uri):
            assert time.monotonic() - written < 1.5, "line not stored within 1.5 s"
            time.sleep(0.05)
        # The growing chunk is rewritten under the same name as it grows.
        print("second")
        while logs.count_lines(store, sink.uri) < 2:
            assert time.monotonic() - written < 3.0
            time.sleep(0.05)
    sink.close()
    assert store.listdir(sink.uri) == ["000000000000.jsonl"]


def test_output_of_a_long_step_is_not_held_in_memory(store: ArtifactStore) -> None:
    sink = _sink(store, max_chunk_lines=1000)
    tracemalloc.start()
    try:
        for i in range(30_000):
            sink.write("stdout", f"line {i} {'x' * 50}\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    sink.close()
    assert peak < 1_000_000  # the text written is about 2 MB
    assert logs.count_lines(store, sink.uri) == 30_000


# -- reading -------------------------------------------------------------------------
class _CountingStore(ArtifactStore):
    """A real store that remembers which files were read."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.reads: list[str] = []

    def read_bytes(self, uri: str, start: int | None = None, end: int | None = None) -> bytes:
        self.reads.append(uri.rsplit("/", 1)[-1])
        return super().read_bytes(uri, start, end)


def test_offset_reads_across_chunk_boundaries(tmp_path: Path) -> None:
    store = _CountingStore(str(tmp_path / "store"))
    sink = _print_lines(store, 50, max_chunk_lines=7)
    names = store.listdir(sink.uri)
    assert names[:3] == ["000000000000.jsonl", "000000000007.jsonl", "000000000014.jsonl"]
    assert len(names) == 8

    store.reads.clear()
    lines = logs.read_lines(store, sink.uri, offset=12, limit=5)
    assert [x["m"] for x in lines] == [f"line {i}" for i in range(12, 17)]
    assert store.reads == ["000000000007.jsonl", "000000000014.jsonl"]

    assert [x["n"] for x in logs.read_lines(store, sink.uri, offset=45)] == list(range(45, 50))
    assert logs.read_lines(store, sink.uri, offset=50) == []
    assert logs.read_lines(store, sink.uri, offset=0, limit=0) == []
    assert len(logs.read_lines(store, sink.uri, limit=1000)) == 50
    assert logs.count_lines(store, sink.uri) == 50
    with pytest.raises(ValueError):
        logs.read_lines(store, sink.uri, offset=-1)


def test_chunks_also_rotate_on_size(store: ArtifactStore) -> None:
    sink = _print_lines(store, 40, max_chunk_bytes=300)
    assert len(store.listdir(sink.uri)) > 5
    assert [x["n"] for x in logs.read_lines(store, sink.uri)] == list(range(40))


def test_missing_log_folder_reads_as_empty(store: ArtifactStore) -> None:
    uri = store.join("logs", "never-ran")
    assert logs.read_lines(store, uri) == []
    assert logs.count_lines(store, uri) == 0
    assert logs.tail(store, uri) == []
    assert logs.search(store, uri, "x") == []


def test_tail(store: ArtifactStore) -> None:
    sink = _print_lines(store, 50, max_chunk_lines=7)
    assert [x["m"] for x in logs.tail(store, sink.uri, 10)] == [f"line {i}" for i in range(40, 50)]
    assert len(logs.tail(store, sink.uri, 100)) == 50
    assert logs.tail(store, sink.uri, 0) == []


def test_search(store: ArtifactStore) -> None:
    sink = _sink(store, max_chunk_lines=4)
    messages = [
        "epoch 1 loss=0.91",
        "ERROR: disk full",
        "epoch 2 loss=0.52",
        "an error, lower case",
        'path "C:\\tmp" with quotes',
        "ÉCOLE",
        "epoch 3 loss=0.33",
        "done",
    ]
    with capture(sink):
        for m in messages:
            print(m)
    sink.close()
    uri = sink.uri

    def found(text: str, **kw: bool) -> list[str]:
        return [h["line"]["m"] for h in logs.search(store, uri, text, **kw)]

    assert found("error") == ["ERROR: disk full", "an error, lower case"]
    assert found("error", case_sensitive=True) == ["an error, lower case"]
    assert found(r"loss=0\.[35]\d", regex=True) == ["epoch 2 loss=0.52", "epoch 3 loss=0.33"]
    assert found(r"^EPOCH \d", regex=True) == [messages[0], messages[2], messages[6]]
    assert found('"C:\\tmp"') == [messages[4]]
    assert found("école") == ["ÉCOLE"]
    assert found("stdout") == []  # the source is not the message
    assert len(logs.search(store, uri, "epoch", limit=2)) == 2

    hits = logs.search(store, uri, "loss=0.52", context=2)
    assert len(hits) == 1
    assert [x["m"] for x in hits[0]["before"]] == messages[0:2]
    assert [x["m"] for x in hits[0]["after"]] == messages[3:5]  # across a chunk boundary
    first, last = logs.search(store, uri, "epoch [13]", regex=True, context=3)
    assert first["before"] == []
    assert len(first["after"]) == 3
    assert [x["m"] for x in last["after"]] == ["done"]


def test_follow_sees_lines_of_a_running_writer(store: ArtifactStore) -> None:
    sink = _sink(store, flush_interval=0.05, max_chunk_lines=10)
    finished = threading.Event()
    first_seen_while_running: list[bool] = []

    def writer() -> None:
        with capture(sink):
            for i in range(30):
                print(f"tick {i}")
                time.sleep(0.01)
        time.sleep(0.2)
        sink.close()
        finished.set()

    thread = threading.Thread(target=writer)
    thread.start()
    seen: list[str] = []
    for line in logs.follow(store, sink.uri, 0, 0.02, finished.is_set):
        if not seen:
            first_seen_while_running.append(not finished.is_set())
        seen.append(line["m"])
    thread.join()
    assert seen == [f"tick {i}" for i in range(30)]
    assert first_seen_while_running == [True]
    assert list(logs.follow(store, sink.uri, 25, 0.01, lambda: True)) == logs.read_lines(store, sink.uri, 25)
