"""Trivial pipelines for measuring orchestration overhead."""

from __future__ import annotations

from waypost import Pipeline, pipeline, step


@step
def source() -> int:
    return 1


@step
def inc(x: int) -> int:
    return x + 1


def chain(n: int, salt: int, cached: bool) -> Pipeline:
    @pipeline(name=f"bench_chain_{n}", enable_cache=cached)
    def p(seed: int = salt) -> None:
        v = source.with_options(extra={"salt": seed})()
        for _ in range(n - 1):
            v = inc(v)

    return p


def fan(width: int, salt: int, cached: bool) -> Pipeline:
    @step
    def gather(**parts: int) -> int:
        return sum(parts.values())

    @pipeline(name=f"bench_fan_{width}", enable_cache=cached)
    def p(seed: int = salt) -> None:
        root = source.with_options(extra={"salt": seed})()
        outs = [inc(root) for _ in range(width)]
        gather(**{f"x{i}": o for i, o in enumerate(outs)})

    return p
