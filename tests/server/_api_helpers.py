"""Pipelines that really run against the store and artifact store a test's app serves."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from waypost import Model, log_metadata, pipeline, step
from waypost.execution import runtime
from waypost.schemas import RunRead
from waypost.settings import WaypostSettings

HTML_REPORT = "<html><body><h1>Report</h1><script>document.title = 'x'</script></body></html>"


def share_stores(monkeypatch: pytest.MonkeyPatch, settings: WaypostSettings) -> None:
    """Make ``@pipeline`` runs in this process write to the app's store and artifact store."""
    monkeypatch.setenv("WAYPOST_STORE__URL", settings.store_url)
    monkeypatch.setenv("WAYPOST_ARTIFACT_STORE__URI", settings.artifact_store_uri)
    runtime.reset()


@step
def make_numbers(count: int = 3) -> Annotated[list[int], "numbers"]:
    print("starting make_numbers")
    for i in range(40):
        print(f"progress line {i}")
    print("the needle is here")
    log_metadata(metadata={"accuracy": 0.93})
    return list(range(count))


@step
def report(numbers: list[int]) -> Annotated[str, "report_html"]:
    print(f"reporting {len(numbers)} numbers")
    return HTML_REPORT


@pipeline(model=Model(name="numbers_model"), tags=["nightly"])
def numbers_pipeline(count: int = 3) -> None:
    report(make_numbers(count=count))


def run_numbers(count: int = 3, **options: Any) -> RunRead:
    """Run the pipeline now (without the cache, so every step really runs)."""
    run: RunRead = numbers_pipeline.with_options(enable_cache=False, **options)(count=count)
    return run
