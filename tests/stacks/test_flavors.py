"""The flavor registry: built-in flavors, schemas, validation, stack rules, plug-ins, secret references."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from waypost.schemas.stacks import ComponentType
from waypost.stacks import flavors, references
from waypost.stacks.flavors import FlavorError


def test_built_in_flavors_describe_their_configuration_as_json_schema() -> None:
    names = {(f.type.value, f.name) for f in flavors.list_flavors()}
    assert {
        ("orchestrator", "local"),
        ("artifact_store", "local"),
        ("artifact_store", "s3"),
        ("artifact_store", "fsspec"),
        ("alerter", "slack"),
        ("alerter", "email"),
        ("data_validator", "great_expectations"),
        ("data_validator", "evidently"),
    } <= names
    s3 = flavors.get_flavor("artifact_store", "s3").read()
    assert s3.config_schema["required"] == ["path"]
    assert s3.config_schema["properties"]["secret"]["writeOnly"] is True
    assert s3.connector_types == ["aws"]
    assert flavors.secret_fields(flavors.get_flavor("alerter", "email")) == {"password"}


def test_a_bad_config_names_the_field_and_what_is_wrong() -> None:
    with pytest.raises(FlavorError, match=r"'path' is not valid \(The bucket and an optional prefix"):
        flavors.validate_config("artifact_store", "s3", {"path": "not-a-bucket"})
    with pytest.raises(FlavorError, match=r"'port' input should be less than or equal to 65535"):
        flavors.validate_config("alerter", "email", {"host": "h", "from_address": "a@b", "to": ["c@d"], "port": 70000})
    with pytest.raises(FlavorError, match=r"'colour' is not a field; fields: max_parallel_steps"):
        flavors.validate_config("orchestrator", "local", {"colour": "red"})
    with pytest.raises(FlavorError, match=r"Unknown artifact_store flavor 'gcs'; known: fsspec, local, s3"):
        flavors.get_flavor("artifact_store", "gcs")
    with pytest.raises(FlavorError, match=r"Unknown component type 'database'"):
        flavors.get_flavor("database", "x")
    stored = flavors.validate_config("artifact_store", "s3", {"path": "s3://ml-bucket/a", "key": "{{secret.aws.key}}"})
    assert stored == {"path": "s3://ml-bucket/a", "key": "{{secret.aws.key}}"}


def test_a_stack_needs_an_orchestrator_and_an_artifact_store() -> None:
    with pytest.raises(FlavorError, match="A stack needs an artifact store; add one with --artifact-store NAME"):
        flavors.check_stack({ComponentType.ORCHESTRATOR: "local"})
    with pytest.raises(FlavorError, match="A stack needs an orchestrator"):
        flavors.check_stack({ComponentType.ARTIFACT_STORE: "local"})
    flavors.check_stack({ComponentType.ORCHESTRATOR: "local", ComponentType.ARTIFACT_STORE: "s3"})


def test_a_third_party_flavor_registers_through_an_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real installed distribution (a dist-info on sys.path) with a waypost.flavors entry point."""
    (tmp_path / "acme_flavors.py").write_text(
        "from pydantic import BaseModel\n"
        "from waypost.schemas.stacks import ComponentType\n"
        "from waypost.stacks.flavors import Flavor\n"
        "class PagerConfig(BaseModel):\n"
        "    service_key: str\n"
        "class Pager(Flavor):\n"
        "    type = ComponentType.ALERTER\n"
        "    name = 'pager'\n"
        "    description = 'Pages the on-call person.'\n"
        "    config = PagerConfig\n"
        "    requires = (ComponentType.DATA_VALIDATOR,)\n"
    )
    dist = tmp_path / "acme_flavors-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-flavors\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[waypost.flavors]\npager = acme_flavors:Pager\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(flavors, "_loaded_entry_points", False)
    try:
        pager = flavors.get_flavor("alerter", "pager")
        assert pager.read().source == "acme-flavors"
        with pytest.raises(FlavorError, match="'pager' needs a data validator in the same stack"):
            flavors.check_stack({"orchestrator": "local", "artifact_store": "local", "alerter": "pager"})  # type: ignore[dict-item]
    finally:
        flavors._REGISTRY.pop((ComponentType.ALERTER, "pager"), None)
        sys.modules.pop("acme_flavors", None)


def test_secret_references_resolve_in_memory_and_stay_masked_for_display() -> None:
    config = {"path": "s3://b", "key": "{{secret.aws.key}}", "extra": ["https://{{ secret.hook.host }}/x"]}
    assert references.references(config) == {("aws", "key"), ("hook", "host")}
    values = {"aws": {"key": "AKIAEXAMPLE"}, "hook": {"host": "example.org"}}
    assert references.resolve(config, values.get) == {
        "path": "s3://b",
        "key": "AKIAEXAMPLE",
        "extra": ["https://example.org/x"],
    }
    missing_key = r"secret 'aws' has no key 'key' .*waypost secret update aws"
    with pytest.raises(references.UnresolvedSecretError, match=missing_key):
        references.resolve(config, {"aws": {"id": "x"}, "hook": {"host": "h"}}.get)
    with pytest.raises(references.UnresolvedSecretError, match="there is no secret 'aws'; create it with"):
        references.resolve({"key": "{{secret.aws.key}}"}, {}.get)
    stored = {"key": "AKIAEXAMPLE", "secret": "{{secret.aws.secret}}", "path": "s3://b"}
    shown = references.mask_config(stored, {"key", "secret"})
    assert shown == {"key": references.MASK, "secret": "{{secret.aws.secret}}", "path": "s3://b"}
    assert references.mask_text("key=AKIAEXAMPLE in a log", ["AKIAEXAMPLE"]) == f"key={references.MASK} in a log"
