"""Reading a million-line (>100 MB) log written through the real sink: pages, tail, count, search.

Correctness only at that size; the timings live in the benchmarks.
"""

from __future__ import annotations

import pytest

from waypost.artifacts.store import ArtifactStore
from waypost.execution import logs
from waypost.execution.logs import StepLogSink

LINES = 1_000_000


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArtifactStore, str]:
    store = ArtifactStore(str(tmp_path_factory.mktemp("huge") / "store"))
    sink = StepLogSink(store, store.join("logs", "huge"), flush_interval=3600)
    pad = "x" * 40
    for i in range(LINES):
        if i % 100_000 == 99_999:
            sink.write_line("logging", f'user: checkpoint "C:\\ckpt\\{i}" Saved', "WARNING")
        elif i == 777_777:
            sink.write("stderr", "RuntimeError: CUDA out of memory\n")
        else:
            sink.write("stdout", f"step {i:07d} loss {i % 997 / 997:.6f} {pad}\n")
    sink.close()
    return store, sink.uri


def test_it_is_over_100_mb_in_many_chunks(huge: tuple[ArtifactStore, str]) -> None:
    store, uri = huge
    names = store.listdir(uri)
    assert len(names) > 50
    assert sum(store.size(f"{uri}/{name}") for name in names) > 100 * 1024 * 1024


def test_count_pages_and_tail(huge: tuple[ArtifactStore, str]) -> None:
    store, uri = huge
    assert logs.count_lines(store, uri) == LINES
    for offset in (0, 9_999, 10_000, 523_456, LINES - 3):
        page = logs.read_lines(store, uri, offset, 5)
        assert [x["n"] for x in page] == list(range(offset, min(offset + 5, LINES)))
        assert page[0]["m"].startswith(f"step {offset:07d}")
    assert [x["n"] for x in logs.tail(store, uri, 3)] == [LINES - 3, LINES - 2, LINES - 1]
    assert logs.read_lines(store, uri, LINES, 5) == []


def test_search_counts_everything_and_caps(huge: tuple[ArtifactStore, str]) -> None:
    store, uri = huge
    rare = logs.search_log(store, uri, "cuda OUT of memory", context=1)
    assert rare.total == 1
    assert not rare.more
    assert [h["line"]["n"] for h in rare.hits] == [777_777]
    assert [x["n"] for x in rare.hits[0]["before"] + rare.hits[0]["after"]] == [777_776, 777_778]

    quoted = logs.search_log(store, uri, '"c:\\ckpt\\', limit=3)
    assert quoted.total == 10
    assert [h["line"]["n"] for h in quoted.hits] == [99_999, 199_999, 299_999]
    assert logs.search_log(store, uri, "Saved", case_sensitive=True).total == 10
    assert logs.search_log(store, uri, "saved", case_sensitive=True).total == 0

    later = logs.search_log(store, uri, "checkpoint", offset=500_000)
    assert [h["line"]["n"] for h in later.hits] == [599_999, 699_999, 799_999, 899_999, 999_999]

    common = logs.search_log(store, uri, "loss", limit=10)
    assert common.more
    assert common.total == logs.reading.COUNT_CAP
    assert [h["line"]["n"] for h in common.hits] == list(range(10))
    assert logs.search_log(store, uri, "stdout").total == 0  # a field of the JSON, not of any message


def test_first_error_and_regex(huge: tuple[ArtifactStore, str]) -> None:
    store, uri = huge
    first = logs.first_error(store, uri)
    assert first is not None
    assert first["n"] == 777_777
    found = logs.search_log(store, uri, r"^step 099999\d loss", regex=True)
    assert [h["line"]["n"] for h in found.hits] == list(range(999_990, 999_999))
