"""Fixtures of the CLI tests: undo log capture after each test; a store holding three real runs."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from cli_support import Runs, bad, good

from waypost.client import Client
from waypost.exceptions import StepFailedError
from waypost.execution import logs


@pytest.fixture(autouse=True)
def _restore_capture() -> Iterator[None]:
    """Undo the stdout/stderr/logging capture that running steps installs."""
    level = logging.root.level
    yield
    logs.uninstall_capture()
    logging.root.setLevel(level)


@pytest.fixture
def runs() -> Runs:
    """Three real runs: a good one, the same again from cache, and a failing one."""
    first = good(n=4).name
    cached = good(n=4).name
    with pytest.raises(StepFailedError):
        bad()
    failed = Client().list_pipeline_runs("bad").items[0].name
    return Runs(first=first, cached=cached, failed=failed)
