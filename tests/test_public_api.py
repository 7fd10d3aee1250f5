"""The public surface is exactly what these lists say; importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import waypost
import waypost.client
import waypost.enums


def test_waypost_all() -> None:
    assert sorted(waypost.__all__) == [
        "ArtifactConfig",
        "BaseStep",
        "ExternalArtifact",
        "Model",
        "Pipeline",
        "Tag",
        "__version__",
        "add_tags",
        "get_pipeline_context",
        "get_step_context",
        "link_artifact_to_model",
        "load_artifact",
        "log_artifact_metadata",
        "log_metadata",
        "log_model_metadata",
        "pipeline",
        "register_artifact",
        "remove_tags",
        "save_artifact",
        "step",
    ]
    for name in waypost.__all__:
        assert hasattr(waypost, name)


def test_client_and_enums_all() -> None:
    assert waypost.client.__all__ == ["Client"]
    assert sorted(waypost.enums.__all__) == [
        "ArtifactType",
        "ExecutionStatus",
        "LogSource",
        "MetadataType",
        "ModelStages",
        "VisualizationType",
    ]
    assert waypost.enums.ModelStages.PRODUCTION.value == "production"


def test_import_waypost_loads_no_heavy_library() -> None:
    code = (
        "import sys, waypost\n"
        "heavy = [m for m in ('sqlalchemy', 'pydantic', 'pandas', 'numpy', 'alembic', 'fsspec') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import waypost pulled in {out}"


def test_testing_all() -> None:
    import waypost.testing

    assert sorted(waypost.testing.__all__) == [
        "StoreContract",
        "assert_one_line",
        "make_artifact_version",
        "make_metadata",
        "make_model_version",
        "make_pipeline",
        "make_run",
        "make_spec",
        "make_step_run",
        "metadata_type",
        "start_step",
        "unique_name",
    ]


def test_zenml_materializer_names() -> None:
    import waypost.artifacts.unmaterialized_artifact as unmaterialized
    import waypost.materializers
    import waypost.materializers.base_materializer as base

    assert waypost.materializers.__all__ == ["BaseMaterializer"]
    assert sorted(base.__all__) == ["BaseMaterializer", "BaseMaterializerMeta", "MaterializerArtifactStore"]
    assert sorted(unmaterialized.__all__) == ["UnmaterializedArtifact", "unmaterialized_inputs"]


def test_zenml_config_names() -> None:
    import waypost.config
    import waypost.config.retry_config

    assert sorted(waypost.config.__all__) == [
        "BaseSettings",
        "ByteUnit",
        "DockerSettings",
        "ResourceSettings",
        "SettingsWarning",
        "StepRetryConfig",
    ]
    assert waypost.config.retry_config.StepRetryConfig is waypost.config.StepRetryConfig
