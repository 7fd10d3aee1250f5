"""`ArtifactConfig` on a step's output, as ZenML's: name, version name, tags, metadata and model roles,
read back from real runs through the Client and the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from waypost import ArtifactConfig, Model, pipeline, step
from waypost.client import Client
from waypost.enums import ArtifactType
from waypost.exceptions import ParameterError
from waypost.schemas import PipelineSpec
from waypost.store.sql.repositories.model_links import ModelLinksRepository


def _metadata(client: Client, version_id: Any) -> dict[str, Any]:
    return {m.key: m.value for m in client.store.metadata.list(artifact_version_id=version_id)}


@step
def make_table() -> Annotated[
    pd.DataFrame, ArtifactConfig(name="features", version="raw-1", tags=["raw", "v1"], run_metadata={"rows": 3})
]:
    return pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 1]})


@step
def train(
    df: pd.DataFrame,
) -> tuple[
    Annotated[LogisticRegression, ArtifactConfig(name="clf", artifact_type=ArtifactType.MODEL)],
    Annotated[dict[str, float], ArtifactConfig(name="serving_config", is_deployment_artifact=True)],
    Annotated[list[int], ArtifactConfig(name="labels", artifact_type=ArtifactType.DATA)],
    Annotated[float, ArtifactConfig(name="score", is_model_artifact=True)],
]:
    clf = LogisticRegression().fit(df[["x"]], df["y"])
    return clf, {"threshold": 0.5}, [int(v) for v in df["y"]], 0.9


@pipeline(model=Model(name="churn", version="2.0"), enable_cache=False)
def churn_training() -> None:
    train(make_table())


def test_name_tags_version_name_and_metadata_are_recorded() -> None:
    churn_training()
    client = Client()
    av = client.get_artifact_version("features")
    assert av.name == "features"
    assert sorted(av.tags) == ["raw", "v1"]
    meta = _metadata(client, av.id)
    assert meta["rows"] == 3
    assert meta["version_name"] == "raw-1"
    assert client.load_artifact(av)["x"].tolist() == [1.0, 2.0, 3.0]


def test_explicit_roles_win_over_the_type_inferred_ones() -> None:
    churn_training()
    client = Client()
    store = client.store
    version = store.models.get_version("churn", "2.0")
    links = ModelLinksRepository(store.sessions)  # type: ignore[attr-defined]  # a local SQL store
    roles = {a.name: a.role for a in links.artifacts(version.id).items}
    assert roles["clf"] == "model"
    assert roles["serving_config"] == "deployment"  # a dict would be "other" by its type
    assert roles["labels"] == "data"  # a list would be "other" by its type
    assert roles["score"] == "model"  # a float would be "other" by its type
    assert roles["features"] == "data"  # no role given: a DataFrame is data by its type
    assert _metadata(client, client.get_artifact_version("clf").id)["artifact_type"] == "MODEL"


@step
def dated() -> Annotated[int, ArtifactConfig(name="snapshot_{date}_{time}")]:
    return 7


@pipeline
def dating() -> None:
    dated()


def test_date_and_time_placeholders_are_filled_when_the_run_starts() -> None:
    run = dating()
    client = Client()
    names = [a.name for a in client.list_artifacts("name~snapshot_").items]
    assert len(names) == 1
    started = run.started_at or datetime.now(UTC)
    assert names[0].startswith(f"snapshot_{started.strftime('%Y_%m_%d')}_")
    assert "{" not in names[0]
    # A second run hits the cache: its (dated) output is the first run's version.
    dating()
    assert len(client.list_artifacts("name~snapshot_").items) == 1


def test_old_specs_without_output_configs_still_load() -> None:
    spec = PipelineSpec.model_validate(
        {
            "name": "old",
            "steps": [
                {
                    "name": "s",
                    "step_name": "s",
                    "source": "m:s",
                    "source_hash": "h",
                    "outputs": [{"name": "output", "artifact_name": "a"}],
                }
            ],
        }
    )
    out = spec.steps[0].outputs[0]
    assert (out.tags, out.run_metadata, out.model_role, out.version_name) == ([], {}, None, None)


def test_artifact_config_without_a_type_is_one_line() -> None:
    with pytest.raises(TypeError) as err:

        @step
        def bare() -> ArtifactConfig(name="x"):  # type: ignore[valid-type]
            return 1

    assert str(err.value) == (
        "Step 'bare' puts an ArtifactConfig on an output without a type; write -> Annotated[TYPE, ArtifactConfig(...)]."
    )


def test_bad_config_values_are_one_line() -> None:
    with pytest.raises(ValueError, match=r"^ArtifactConfig\(tags=...\) takes a list"):
        ArtifactConfig(name="x", tags="raw")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"use one of waypost\.enums\.ArtifactType"):
        ArtifactConfig(artifact_type="weights")  # type: ignore[arg-type]

    @step
    def bad_meta() -> Annotated[int, ArtifactConfig(name="n", run_metadata={"when": object()})]:
        return 1

    @pipeline
    def bad_meta_pipeline() -> None:
        bad_meta()

    with pytest.raises(ParameterError) as err:
        bad_meta_pipeline()
    assert "\n" not in str(err.value)
    assert "'when' of type object" in str(err.value)
