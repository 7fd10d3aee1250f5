"""Service connector types: the fields each holds, which of them are secret, and their validation.

``aws``: ``access_key_id``, ``secret_access_key``, ``session_token`` (secret), ``region``,
``endpoint_url``; ``bearer``: ``token`` (secret); ``basic``: ``username``, ``password`` (secret).
The store keeps the non-secret fields as JSON and encrypts the secret ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from waypost.schemas.stacks import ConnectorType
from waypost.stacks.flavors import FlavorError, _one_line, secret_field

__all__ = ["CONNECTOR_MODELS", "connector_secret_fields", "split_connector_config"]


class AwsConnectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="AWS-style access keys")

    access_key_id: str | None = secret_field("Access key id.", max_length=256)
    secret_access_key: str | None = secret_field("Secret access key.", max_length=256)
    session_token: str | None = secret_field("Session token, for temporary credentials.", max_length=4096)
    region: str | None = Field(default=None, max_length=64, description="The region, e.g. eu-west-1.")
    endpoint_url: str | None = Field(
        default=None, max_length=2048, description="An S3-compatible endpoint (MinIO, Ceph, moto); AWS when left out."
    )


class BearerConnectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Bearer token")

    token: str | None = secret_field("The token sent as 'Authorization: Bearer …'.", max_length=8192)


class BasicConnectorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="User name and password")

    username: str = Field(min_length=1, max_length=320, description="The user name.")
    password: str | None = secret_field("The password.", max_length=1024)


CONNECTOR_MODELS: dict[ConnectorType, type[BaseModel]] = {
    ConnectorType.AWS: AwsConnectorConfig,
    ConnectorType.BEARER: BearerConnectorConfig,
    ConnectorType.BASIC: BasicConnectorConfig,
}


def connector_secret_fields(connector_type: ConnectorType | str) -> set[str]:
    """The fields of a connector type whose values are write-only."""
    model = CONNECTOR_MODELS[ConnectorType(connector_type)]
    out = set()
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, Mapping) and extra.get("secret"):
            out.add(name)
    return out


def split_connector_config(
    connector_type: ConnectorType | str, config: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``config`` validated, as (non-secret fields, secret fields set); :class:`FlavorError` names the bad field."""
    ctype = ConnectorType(connector_type)
    model = CONNECTOR_MODELS[ctype]
    try:
        checked = model.model_validate(dict(config))
    except ValidationError as exc:
        raise FlavorError(_one_line(exc, f"The {ctype.value} connector config is invalid", model)) from None
    values = checked.model_dump(mode="json", exclude_unset=True)
    hidden = connector_secret_fields(ctype)
    public = {k: v for k, v in values.items() if k not in hidden}
    secret = {k: v for k, v in values.items() if k in hidden and v not in (None, "")}
    return public, secret
