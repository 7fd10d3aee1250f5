"""Artifact store flavors: ``local`` (a folder), ``s3`` (any S3-compatible endpoint), ``fsspec`` (any fsspec URL)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType, ConnectorType
from waypost.stacks.flavors import Flavor, secret_field


class LocalArtifactStoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Local artifact store")

    path: str | None = Field(
        default=None,
        max_length=4096,
        description="An absolute folder on this machine (default: the settings' artifact_store.uri).",
    )


class LocalArtifactStore(Flavor):
    type = ComponentType.ARTIFACT_STORE
    name = "local"
    description = "A folder on the machine that runs the steps."
    config = LocalArtifactStoreConfig


class S3ArtifactStoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="S3 artifact store")

    path: str = Field(
        pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$",
        description="The bucket and an optional prefix, e.g. s3://ml-artifacts/team-a.",
    )
    endpoint_url: str | None = Field(
        default=None, max_length=2048, description="An S3-compatible endpoint (MinIO, Ceph, moto); AWS when left out."
    )
    region: str | None = Field(default=None, max_length=64, description="The bucket's region, e.g. eu-west-1.")
    key: str | None = secret_field("Access key id (or take credentials from an aws connector).", max_length=256)
    secret: str | None = secret_field("Secret access key.", max_length=256)
    token: str | None = secret_field("Session token, for temporary credentials.", max_length=4096)


class S3ArtifactStore(Flavor):
    type = ComponentType.ARTIFACT_STORE
    name = "s3"
    description = "An S3 bucket (AWS or any S3-compatible endpoint), through s3fs."
    config = S3ArtifactStoreConfig
    connector_types = (ConnectorType.AWS,)


class FsspecArtifactStoreConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="fsspec artifact store")

    uri: str = Field(
        min_length=1, max_length=4096, description="Any fsspec URL, e.g. gcs://bucket/prefix or memory://x."
    )
    storage_options: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the filesystem (values may be {{secret.NAME.KEY}})."
    )


class FsspecArtifactStore(Flavor):
    type = ComponentType.ARTIFACT_STORE
    name = "fsspec"
    description = "Any filesystem fsspec knows (its package must be installed where steps run)."
    config = FsspecArtifactStoreConfig


FLAVORS: list[type[Flavor]] = [LocalArtifactStore, S3ArtifactStore, FsspecArtifactStore]
