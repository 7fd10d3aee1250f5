"""Store contract: many writers at once (threads here; processes share the same code paths)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from waypost.store import Store
from waypost.testing.factories import make_pipeline, make_run, make_spec, make_step_run, unique_name

T = TypeVar("T")
WRITERS = 8


def race(work: Callable[[int], T], writers: int = WRITERS) -> list[T]:
    """Call ``work(i)`` from ``writers`` threads released at the same instant; return the results."""
    barrier = threading.Barrier(writers)

    def go(i: int) -> T:
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(writers) as pool:
        return list(pool.map(go, range(writers)))


class ConcurrencyContract:
    """Concurrent writers never see a unique-key clash, and numbers have no gaps or duplicates."""

    def test_concurrent_get_or_create_pipeline_agrees_on_one(self, store: Store) -> None:
        name = unique_name("racing")
        pipelines = race(lambda _: store.pipelines.get_or_create(name))
        assert len({p.id for p in pipelines}) == 1

    def test_concurrent_snapshots_agree_on_one(self, store: Store) -> None:
        pipe = make_pipeline(store)
        snapshots = race(lambda _: store.pipelines.snapshot(pipe.id, make_spec(pipe.name)))
        assert len({s.id for s in snapshots}) == 1

    def test_concurrent_model_versions(self, store: Store) -> None:
        name = unique_name("racing-model")
        named = race(lambda _: store.models.get_or_create_version(name, "1.0"))
        assert len({v.id for v in named}) == 1
        numbered = race(lambda _: store.models.get_or_create_version(name, None))
        assert sorted(v.number for v in numbered) == list(range(2, 2 + WRITERS))
        assert [v.number for v in store.models.list_versions(name)] == list(range(1 + WRITERS, 0, -1))

    def test_concurrent_finishes_number_versions_without_gaps(self, store: Store) -> None:
        pipe = make_pipeline(store)
        artifact = unique_name("racing-artifact")
        per_writer = 3

        def work(i: int) -> list[int]:
            run = make_run(store, pipe)
            return [
                make_step_run(store, run, f"step_{j}", outputs={"out": artifact})[1]["out"].version
                for j in range(per_writer)
            ]

        numbers = sorted(n for batch in race(work) for n in batch)
        assert numbers == list(range(1, WRITERS * per_writer + 1))
        assert store.artifacts.get(artifact).latest_version == WRITERS * per_writer
