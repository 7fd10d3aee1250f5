"""The dask orchestrator's worker fields: server_url, worker_api_key (secret) and worker_resources."""

from __future__ import annotations

import pytest

from waypost.stacks.builtin.orchestrators import DaskOrchestrator, DaskOrchestratorConfig
from waypost.stacks.flavors import FlavorError, secret_fields, validate_config


def test_worker_api_key_is_the_one_secret_field() -> None:
    assert secret_fields(DaskOrchestrator) == {"worker_api_key"}
    schema = DaskOrchestratorConfig.model_json_schema()["properties"]["worker_api_key"]
    assert schema["writeOnly"] is True


def test_the_worker_fields_are_stored_as_given() -> None:
    config = {
        "server_url": "https://waypost.example.com/team",
        "worker_api_key": "{{secret.workers.key}}",
        "worker_resources": {"GPU": 1, "MEMORY": 8e9},
    }
    assert validate_config("orchestrator", "dask", config) == config


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ({"server_url": "tcp://10.0.0.5:8786"}, "'server_url' is not valid (The Waypost server the workers report"),
        ({"server_url": "https://x.example.com/" + "a" * 512}, "'server_url' string should have at most 512"),
        ({"worker_resources": {"GPU-count": 1}}, "'worker_resources.GPU-count.[key]'"),
        ({"worker_resources": {"G" * 33: 1}}, "at most 32 characters"),
        ({"worker_resources": {"GPU": 0}}, "'worker_resources.GPU' input should be greater than 0"),
        ({"worker_resources": {"GPU": "many"}}, "'worker_resources.GPU' input should be a valid number"),
    ],
)
def test_bad_worker_fields_are_refused_in_one_line(config: dict[str, object], names: str) -> None:
    with pytest.raises(FlavorError) as refused:
        validate_config("orchestrator", "dask", config)
    message = str(refused.value)
    assert names in message, message
    assert "\n" not in message


def test_verify_names_the_server_the_workers_report_to_and_what_they_offer() -> None:
    pytest.importorskip("distributed")
    config = DaskOrchestratorConfig(server_url="https://waypost.example.com", worker_resources={"GPU": 2})
    said = DaskOrchestrator.verify(config, None)
    assert "offering GPU=2" in said
    assert said.endswith("; workers report to https://waypost.example.com")
    assert "report" not in DaskOrchestrator.verify(DaskOrchestratorConfig(), None)
