"""Steps and hooks for the dask orchestrator's hook tests: module level, importable by the worker processes."""

from __future__ import annotations

import os

from waypost import get_step_context, log_metadata, pipeline, step


def note_success() -> None:
    context = get_step_context()
    log_metadata(metadata={"hook.success_pid": os.getpid(), "hook.step": context.step_run.name})


def note_failure(exception: BaseException) -> None:
    log_metadata(metadata={"hook.failure": f"{type(exception).__name__}: {exception}", "hook.failure_pid": os.getpid()})


@step(on_success=note_success, enable_cache=False)
def grow(x: int) -> int:
    return x * 2


@step(on_failure="dask_hook_pipelines.note_failure", enable_cache=False)
def break_on(x: int) -> int:
    raise ValueError(f"cannot take {x}")


@pipeline
def hooked(fail: bool = False) -> None:
    y = grow(3)
    if fail:
        break_on(y)


@step(enable_cache=False)
def gather_all(values: list[int]) -> list[int]:
    return values


@pipeline
def fanned_in() -> None:
    gather_all([grow(i, id=f"grow_{i}") for i in (3, 1, 2)])
