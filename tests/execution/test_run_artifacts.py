"""What a run's outputs become: versioned, hashed, typed artifacts; or a clean failure."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pandas as pd
import pytest

from waypost import pipeline, step
from waypost.artifacts.materializers.pickle_fallback import PickleFallbackWarning
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import StepFailedError


def _artifact_files(home: Path) -> list[str]:
    """Every file under the artifact store's artifacts folder (the staging area included)."""
    root = home / "artifacts"
    return sorted(
        os.path.relpath(os.path.join(d, f), root)
        for d, _, files in os.walk(root)
        for f in files
        if not os.path.relpath(d, root).startswith("logs")
    )


@step
def frame() -> Annotated[pd.DataFrame, "table"]:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})


@step
def summary(table: pd.DataFrame) -> tuple[Annotated[int, "rows"], Annotated[dict[str, float], "means"]]:
    return len(table), {"a": float(table["a"].mean())}


def test_each_output_version_records_size_hash_type_materializer_and_producer() -> None:
    @pipeline
    def tables():
        summary(frame())

    run = tables()

    client = Client()
    steps = {s.name: s for s in client.list_step_runs(run.id)}
    table = client.get_artifact_version(steps["frame"].outputs["table"])
    rows = client.get_artifact_version(steps["summary"].outputs["rows"])
    means = client.get_artifact_version("means")
    for av, producer in ((table, "frame"), (rows, "summary"), (means, "summary")):
        assert av.size > 0
        assert len(av.content_hash) == 64
        assert av.producer_step_run_id == steps[producer].id
        assert av.producer_run_id == run.id
        assert av.version == 1
        assert Path(av.uri).is_dir()
    assert table.data_type == f"{pd.DataFrame.__module__}.DataFrame"  # "pandas.DataFrame" from pandas 3 on
    assert table.materializer.endswith("PandasMaterializer")
    assert rows.data_type == "builtins.int"
    assert means.data_type == "builtins.dict"
    assert rows.materializer == means.materializer
    assert steps["summary"].inputs == {"table": table.id}
    assert client.load_artifact(means) == {"a": 2.0}


def test_equal_values_hash_alike_and_each_run_adds_a_version() -> None:
    @step
    def constant(marker: int) -> Annotated[list[int], "constant"]:
        return [1, 2, 3]

    @pipeline
    def p(marker: int):
        constant(marker=marker)

    p(marker=1)
    p(marker=2)

    versions = Client().list_artifact_versions("name:constant").items
    assert sorted(v.version for v in versions) == [1, 2]
    assert versions[0].content_hash == versions[1].content_hash
    assert versions[0].uri != versions[1].uri


class _HoldsALock:
    def __init__(self) -> None:
        self.lock = threading.Lock()


def _numbers() -> Iterator[int]:
    yield 1


@pytest.mark.parametrize(
    ("make", "type_name"),
    [(_numbers, "builtins.generator"), (_HoldsALock, f"{__name__}._HoldsALock")],
    ids=["generator", "lock"],
)
def test_an_unsaveable_output_fails_the_step_and_leaves_nothing(
    waypost_home: Path, make: object, type_name: str
) -> None:
    @step
    def unsaveable() -> tuple[Annotated[int, "fine"], Annotated[object, "bad"]]:
        return 1, make()  # type: ignore[operator]

    @pipeline
    def p():
        unsaveable()

    with pytest.raises(StepFailedError) as exc:
        p()

    assert "\n" not in str(exc.value)
    client = Client()
    run = client.list_pipeline_runs().items[0]
    sr = client.get_step_run(run.id, "unsaveable")
    assert sr.status == ExecutionStatus.FAILED
    assert sr.error_type == "MaterializerError"
    assert sr.error_message is not None
    assert "\n" not in sr.error_message
    assert f"No materializer can save a value of type '{type_name}'" in sr.error_message
    assert "register a Materializer subclass for it, or return a supported type" in sr.error_message
    assert sr.outputs == {}
    assert client.list_artifact_versions().total == 0
    # Not even the output saved before the failing one is left behind.
    assert _artifact_files(waypost_home) == []


class Custom:
    def __init__(self, weights: list[float]) -> None:
        self.weights = weights


def test_the_cloudpickle_fallback_warns_and_round_trips_a_custom_class() -> None:
    @step
    def custom() -> Custom:
        return Custom([0.5, 0.25])

    @pipeline(max_parallel_steps=1)
    def p():
        custom()

    with pytest.warns(PickleFallbackWarning, match=f"No materializer is registered for type '{__name__}.Custom'"):
        run = p()

    av = Client().get_artifact_version(Client().get_step_run(run.id, "custom").outputs["output"])
    assert av.materializer.endswith("PickleMaterializer")
    assert av.data_type == f"{__name__}.Custom"
    assert Client().load_artifact(av).weights == [0.5, 0.25]
