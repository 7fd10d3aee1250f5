"""What the CLI tests share: real steps and pipelines, a runner, and the one-line-error check."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Annotated

from typer.testing import CliRunner, Result

from waypost import log_metadata, pipeline, step
from waypost.cli.main import app


@step
def load(n: int = 3) -> Annotated[list[int], "numbers"]:
    print("loading numbers")
    print("careful: numbers are small", file=sys.stderr)
    logging.getLogger("loader").warning("only %d numbers", n)
    return list(range(n))


@step
def total(xs: list[int]) -> float:
    log_metadata(metadata={"accuracy": 0.95})
    return float(sum(xs))


@step
def explode(xs: list[int]) -> int:
    raise ValueError("the numbers exploded")


@pipeline(tags=["prod"])
def good(n: int = 3) -> None:
    total(load(n))


@pipeline
def bad() -> None:
    explode(load())


@dataclass
class Runs:
    """Names of the runs the ``runs`` fixture made, oldest first."""

    first: str  # good, computed
    cached: str  # good again, every step a cache hit
    failed: str  # bad: load runs, then explode raises


def invoke(*args: str) -> Result:
    """Run ``waypost ARGS`` in-process; output is captured, not a terminal."""
    return CliRunner().invoke(app, list(args))


def assert_one_line_error(result: Result, *fragments: str) -> None:
    """The command failed with exit code 1 and one red ``Error:`` line on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]
