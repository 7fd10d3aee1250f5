"""Artifact store flavors reach real stores: S3 on a local moto server, fsspec filesystems, local folders."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from moto_s3 import S3Server, add_user

from waypost.schemas.stacks import ConnectorType
from waypost.stacks.builtin.artifact_stores import (
    FsspecArtifactStore,
    FsspecArtifactStoreConfig,
    LocalArtifactStore,
    LocalArtifactStoreConfig,
    S3ArtifactStore,
    S3ArtifactStoreConfig,
    storage_options,
)
from waypost.stacks.flavors import ConnectorCredentials, VerifyError


def _aws(**values: str) -> ConnectorCredentials:
    return ConnectorCredentials(name="aws-dev", type=ConnectorType.AWS, values=values)


def _s3(server: S3Server, **overrides: str) -> S3ArtifactStoreConfig:
    fields = {
        "path": f"s3://{server.bucket}/team-a",
        "endpoint_url": server.endpoint_url,
        "region": "us-east-1",
        "key": server.access_key,
        "secret": server.secret_key,
    }
    fields.update(overrides)
    return S3ArtifactStoreConfig(**fields)


def _failure(config: S3ArtifactStoreConfig, connector: ConnectorCredentials | None = None) -> str:
    with pytest.raises(VerifyError) as caught:
        S3ArtifactStore.verify(config, connector)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_storage_options_take_the_config_over_the_connector_field_by_field() -> None:
    connector = _aws(
        access_key_id="AKIACONNECTOR",
        secret_access_key="connector-secret",
        session_token="connector-token",
        region="eu-west-1",
        endpoint_url="http://minio:9000",
    )
    config = S3ArtifactStoreConfig(path="s3://bucket/x", key="AKIACONFIG", secret="config-secret")
    assert storage_options(config, connector) == {
        "key": "AKIACONFIG",
        "secret": "config-secret",
        "token": "connector-token",
        "endpoint_url": "http://minio:9000",
        "client_kwargs": {"region_name": "eu-west-1"},
    }
    # Nothing set anywhere: s3fs falls back to the environment's AWS configuration.
    assert storage_options(S3ArtifactStoreConfig(path="s3://bucket"), None) == {}


def test_s3_verify_lists_the_bucket_with_the_right_credentials(s3_server: S3Server) -> None:
    assert S3ArtifactStore.verify(_s3(s3_server), None) == f"s3://{s3_server.bucket}/team-a"
    # The same credentials from an aws connector, the config naming only the bucket.
    connector = _aws(
        access_key_id=s3_server.access_key,
        secret_access_key=s3_server.secret_key,
        region="us-east-1",
        endpoint_url=s3_server.endpoint_url,
    )
    config = S3ArtifactStoreConfig(path=f"s3://{s3_server.bucket}")
    assert S3ArtifactStore.verify(config, connector) == f"s3://{s3_server.bucket}"


def test_storage_options_write_and_read_back_through_s3fs(s3_server: S3Server) -> None:
    import s3fs

    config = S3ArtifactStoreConfig(path=f"s3://{s3_server.bucket}/roundtrip", region="us-east-1")
    connector = _aws(
        access_key_id=s3_server.access_key,
        secret_access_key=s3_server.secret_key,
        endpoint_url=s3_server.endpoint_url,
    )
    fs = s3fs.S3FileSystem(skip_instance_cache=True, **storage_options(config, connector))
    key = f"{s3_server.bucket}/roundtrip/{uuid.uuid4().hex}.txt"
    fs.pipe(key, b"weights")
    assert fs.cat(key) == b"weights"


def test_s3_verify_names_a_wrong_secret(s3_server: S3Server) -> None:
    message = _failure(_s3(s3_server, secret="not-the-secret-at-all"))
    assert "SignatureDoesNotMatch" in message
    assert "secret access key is wrong" in message
    assert "not-the-secret-at-all" not in message
    assert s3_server.access_key not in message


def test_s3_verify_names_an_unknown_access_key(s3_server: S3Server) -> None:
    message = _failure(_s3(s3_server, key="AKIANOBODYHASTHIS00"))
    assert "InvalidAccessKeyId" in message
    assert "AKIANOBODYHASTHIS00" not in message


def test_s3_verify_names_a_missing_bucket(s3_server: S3Server) -> None:
    message = _failure(_s3(s3_server, path="s3://no-such-bucket-here/x"))
    assert message.startswith("The bucket 'no-such-bucket-here' does not exist at http://127.0.0.1:")
    assert "NoSuchBucket" in message


def test_s3_verify_names_credentials_that_may_not_list(s3_server: S3Server) -> None:
    key, secret = add_user(s3_server)  # a user with no policy: allowed nothing
    message = _failure(_s3(s3_server, key=key, secret=secret))
    assert "AccessDenied" in message
    assert f"denied listing s3://{s3_server.bucket}/team-a" in message


def test_s3_verify_fails_fast_on_an_endpoint_nobody_listens_on(s3_server: S3Server) -> None:
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: connecting is refused
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    started = time.monotonic()
    message = _failure(_s3(s3_server, endpoint_url=closed))
    assert time.monotonic() - started < 10  # botocore's retries with backoff would take far longer
    assert message == f"Could not connect to the S3 endpoint {closed} (connection refused); check endpoint_url."


def test_fsspec_verify_lists_or_makes_the_root(tmp_path: Path) -> None:
    uri = f"memory://waypost-verify-{uuid.uuid4().hex}/artifacts"
    assert FsspecArtifactStore.verify(FsspecArtifactStoreConfig(uri=uri), None) == uri
    folder = tmp_path / "made" / "by-verify"
    assert FsspecArtifactStore.verify(FsspecArtifactStoreConfig(uri=f"file://{folder}"), None)
    assert folder.is_dir()


def test_fsspec_verify_names_what_is_wrong(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(VerifyError, match=r"^Cannot make file://.*a-file/below: part of its path is a file"):
        FsspecArtifactStore.verify(FsspecArtifactStoreConfig(uri=f"file://{blocker}/below"), None)
    with pytest.raises(VerifyError, match=r"^file://.*a-file is a file, not a folder; choose another uri"):
        FsspecArtifactStore.verify(FsspecArtifactStoreConfig(uri=f"file://{blocker}"), None)
    with pytest.raises(VerifyError, match=r"^fsspec cannot open nosuchproto://x: .*nosuchproto"):
        FsspecArtifactStore.verify(FsspecArtifactStoreConfig(uri="nosuchproto://x"), None)


def test_fsspec_verify_reaches_s3_with_its_storage_options(s3_server: S3Server) -> None:
    uri = f"s3://{s3_server.bucket}/through-fsspec"
    options = {
        "key": s3_server.access_key,
        "secret": s3_server.secret_key,
        "endpoint_url": s3_server.endpoint_url,
        "client_kwargs": {"region_name": "us-east-1"},
    }
    assert FsspecArtifactStore.verify(FsspecArtifactStoreConfig(uri=uri, storage_options=options), None) == uri
    wrong = FsspecArtifactStoreConfig(uri=uri, storage_options={**options, "secret": "wrong-secret-value"})
    with pytest.raises(VerifyError, match=rf"^Cannot list or make {uri}: SignatureDoesNotMatch: ") as caught:
        FsspecArtifactStore.verify(wrong, None)
    assert "wrong-secret-value" not in str(caught.value)


def test_local_verify_makes_the_folder_and_leaves_nothing_behind(tmp_path: Path) -> None:
    folder = tmp_path / "store" / "artifacts"
    assert LocalArtifactStore.verify(LocalArtifactStoreConfig(path=str(folder)), None) == str(folder)
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_local_verify_without_a_path_checks_the_settings_folder(waypost_home: Path) -> None:
    assert LocalArtifactStore.verify(LocalArtifactStoreConfig(), None) == str(waypost_home / "artifacts")


def test_local_verify_names_a_path_it_cannot_use(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(VerifyError, match=rf"^Cannot make the folder {blocker}/store \({blocker} is a file\)"):
        LocalArtifactStore.verify(LocalArtifactStoreConfig(path=str(blocker / "store")), None)
    with pytest.raises(VerifyError, match=r"is a file, not a folder; choose another path"):
        LocalArtifactStore.verify(LocalArtifactStoreConfig(path=str(blocker)), None)
    with pytest.raises(VerifyError, match=r"path 'relative/store' is not absolute"):
        LocalArtifactStore.verify(LocalArtifactStoreConfig(path="relative/store"), None)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes through folder permissions")
def test_local_verify_names_a_folder_it_cannot_write(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(VerifyError, match=r"is not writable \(permission denied\); fix its permissions"):
            LocalArtifactStore.verify(LocalArtifactStoreConfig(path=str(folder)), None)
    finally:
        folder.chmod(0o700)
