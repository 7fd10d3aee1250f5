"""Artifact store flavors: ``local`` (a folder), ``s3`` (any S3-compatible endpoint), ``fsspec`` (any fsspec URL).

:func:`storage_options` turns an ``s3`` config (and an ``aws`` connector) into s3fs keyword
arguments for the runtime. Each flavor's ``verify`` reaches its store the way a run would and
raises :class:`~waypost.stacks.flavors.VerifyError` with one line naming the failure; s3fs and
fsspec are imported only then.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType, ConnectorType
from waypost.stacks.flavors import ConnectorCredentials, Flavor, VerifyError, secret_field
from waypost.stacks.messages import one_line

#: How long verify waits for an S3 endpoint to accept a connection, and then to answer (seconds).
VERIFY_CONNECT_TIMEOUT_S = 5.0
VERIFY_READ_TIMEOUT_S = 15.0


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

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """The folder exists (or is made) and a file can be written in it and removed."""
        assert isinstance(config, LocalArtifactStoreConfig)
        folder = local_path(config)
        _check_writable_folder(folder)
        return str(folder)


def local_path(config: LocalArtifactStoreConfig) -> Path:
    """The folder a ``local`` artifact store writes to: its ``path``, else the settings' artifact store."""
    raw = config.path
    if raw is None:
        from waypost.settings import load_settings

        raw = load_settings().artifact_store_uri
        if "://" in raw and not raw.startswith("file://"):
            raise VerifyError(
                f"The local artifact store has no path and the settings' artifact store ({raw}) is not a "
                "folder; set path."
            )
    if raw.startswith("file://"):
        raw = raw.removeprefix("file://")
    folder = Path(raw).expanduser()
    if not folder.is_absolute():
        raise VerifyError(f"The local artifact store path '{raw}' is not absolute; give the full folder path.")
    return folder


def _check_writable_folder(folder: Path) -> None:
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise VerifyError(f"{folder} is a file, not a folder; choose another path.") from None
    except NotADirectoryError:
        blocker = next((p for p in folder.parents if p.exists() and not p.is_dir()), None)
        where = f" ({blocker} is a file)" if blocker else ""
        raise VerifyError(f"Cannot make the folder {folder}{where}; choose another path.") from None
    except PermissionError:
        raise VerifyError(
            f"Cannot make the folder {folder}: permission denied; create it or choose another path."
        ) from None
    except OSError as exc:
        raise VerifyError(f"Cannot make the folder {folder}: {exc.strerror or exc}.") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".waypost-verify-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except PermissionError:
        raise VerifyError(f"The folder {folder} is not writable (permission denied); fix its permissions.") from None
    except OSError as exc:
        raise VerifyError(f"Cannot write in the folder {folder}: {exc.strerror or exc}.") from None


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

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Lists (at most one key of) the bucket under the prefix, with one attempt and short timeouts."""
        assert isinstance(config, S3ArtifactStoreConfig)
        return verify_s3(config, connector)


def storage_options(config: S3ArtifactStoreConfig, connector: ConnectorCredentials | None = None) -> dict[str, Any]:
    """s3fs keyword arguments for ``config``: its fields win, field by field, over the ``aws`` connector's.

    The connector's values are ``access_key_id``, ``secret_access_key``, ``session_token``,
    ``region`` and ``endpoint_url``. Fields set nowhere are left out (s3fs then uses the
    environment's AWS configuration).
    """
    values = connector.values if connector is not None else {}
    pairs = {
        "key": config.key or values.get("access_key_id"),
        "secret": config.secret or values.get("secret_access_key"),
        "token": config.token or values.get("session_token"),
        "endpoint_url": config.endpoint_url or values.get("endpoint_url"),
    }
    options: dict[str, Any] = {name: value for name, value in pairs.items() if value}
    region = config.region or values.get("region")
    if region:
        options["client_kwargs"] = {"region_name": region}
    return options


def split_s3_path(path: str) -> tuple[str, str]:
    """``s3://bucket/a/b/`` → ``("bucket", "a/b")``."""
    bucket, _, prefix = path.removeprefix("s3://").partition("/")
    return bucket, prefix.strip("/")


def verify_s3(config: S3ArtifactStoreConfig, connector: ConnectorCredentials | None) -> str:
    """List the bucket under the prefix; :class:`VerifyError` naming the S3 error (or the unreachable endpoint)."""
    try:
        import s3fs
    except ModuleNotFoundError:
        raise VerifyError('The s3 artifact store needs s3fs: pip install "waypost[s3]".') from None

    options = storage_options(config, connector)
    endpoint = options.get("endpoint_url") or "AWS S3"
    options["config_kwargs"] = {
        "connect_timeout": VERIFY_CONNECT_TIMEOUT_S,
        "read_timeout": VERIFY_READ_TIMEOUT_S,
        "retries": {"total_max_attempts": 1, "mode": "standard"},
    }
    bucket, prefix = split_s3_path(config.path)
    where = f"s3://{bucket}/{prefix}".rstrip("/")
    fs = s3fs.S3FileSystem(skip_instance_cache=True, **options)
    fs.retries = 1  # s3fs retries timeouts itself; a verify should fail fast instead
    try:
        fs.call_s3("list_objects_v2", Bucket=bucket, Prefix=f"{prefix}/" if prefix else "", MaxKeys=1)
    except Exception as exc:
        raise VerifyError(_s3_failure(exc, bucket, where, str(endpoint))) from None
    return where


def _s3_failure(exc: BaseException, bucket: str, where: str, endpoint: str) -> str:
    """One line for what listing ``where`` at ``endpoint`` raised."""
    code, message = _s3_error(exc)
    at = f" at {endpoint}"
    if code == "NoSuchBucket":
        return f"The bucket '{bucket}' does not exist{at} (NoSuchBucket); create it or fix path."
    if code == "InvalidAccessKeyId":
        return f"S3{at} does not know the access key id (InvalidAccessKeyId); check key or the aws connector."
    if code == "SignatureDoesNotMatch":
        return (
            f"S3{at} rejected the signature (SignatureDoesNotMatch): the secret access key is wrong for "
            "this key id; check secret or the aws connector."
        )
    if code in ("AccessDenied", "AllAccessDisabled", "Forbidden", "403"):
        return f"S3{at} denied listing {where} ({code}); grant these credentials s3:ListBucket on the bucket."
    if code in ("InvalidToken", "ExpiredToken", "TokenRefreshRequired"):
        return f"S3{at} rejected the session token ({code}); renew the temporary credentials."
    if code is not None:
        return f"S3{at} answered {code} listing {where}: {one_line(message or '', 160)}."
    return _s3_transport_failure(exc, endpoint)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _s3_error(exc: BaseException) -> tuple[str | None, str | None]:
    """The S3 error code and message in ``exc``'s chain (s3fs turns a ClientError into an OSError)."""
    for inner in _chain(exc):
        response = getattr(inner, "response", None)
        if isinstance(response, dict):
            error = response.get("Error") or {}
            code = error.get("Code")
            if code:
                return str(code), str(error.get("Message") or "")
    return None, None


def _s3_transport_failure(exc: BaseException, endpoint: str) -> str:
    names = {type(inner).__name__ for inner in _chain(exc)}
    words = " ".join(str(inner) for inner in _chain(exc)).lower()
    if "NoCredentialsError" in names or "PartialCredentialsError" in names:
        return "No AWS credentials found; set key and secret, attach an aws connector, or configure the environment."
    if names & {"ConnectTimeoutError"} or "connect timeout" in words:
        return f"The S3 endpoint {endpoint} did not accept a connection within {VERIFY_CONNECT_TIMEOUT_S:g} s."
    if names & {"ReadTimeoutError", "TimeoutError", "FSTimeoutError"}:
        return f"The S3 endpoint {endpoint} did not answer within {VERIFY_READ_TIMEOUT_S:g} s."
    if "ConnectionRefusedError" in names or "connection refused" in words or "connect call failed" in words:
        return f"Could not connect to the S3 endpoint {endpoint} (connection refused); check endpoint_url."
    if "EndpointConnectionError" in names or "ClientConnectorError" in names:
        return f"Could not connect to the S3 endpoint {endpoint}; check endpoint_url and the network."
    if "ssl" in words and "certificate" in words:
        return f"The S3 endpoint {endpoint} has a TLS certificate this machine does not trust."
    return f"Listing S3 at {endpoint} failed: {one_line(str(exc) or type(exc).__name__, 200)}."


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

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Lists the root, or makes it when it does not exist yet."""
        assert isinstance(config, FsspecArtifactStoreConfig)
        import fsspec

        try:
            fs, root = fsspec.core.url_to_fs(config.uri, **config.storage_options)
        except ImportError as exc:
            raise VerifyError(f"The filesystem for {config.uri} is not installed here: {one_line(str(exc))}.") from None
        except ValueError as exc:
            raise VerifyError(f"fsspec cannot open {config.uri}: {one_line(str(exc))}.") from None
        except TypeError as exc:
            raise VerifyError(f"A storage option for {config.uri} is wrong: {one_line(str(exc))}.") from None
        try:
            if fs.isfile(root):
                raise VerifyError(f"{config.uri} is a file, not a folder; choose another uri.")
            try:
                fs.ls(root, detail=False)
            except FileNotFoundError:  # object stores: an empty prefix; folders: not made yet
                fs.makedirs(root, exist_ok=True)
        except VerifyError:
            raise
        except (FileExistsError, NotADirectoryError):
            raise VerifyError(f"Cannot make {config.uri}: part of its path is a file; choose another uri.") from None
        except Exception as exc:
            code, message = _s3_error(exc)  # s3fs and other botocore-based filesystems
            if code is not None:
                reason = f"{code}: {message}" if message else code
            elif isinstance(exc, PermissionError):
                reason = "permission denied; check the storage options' credentials"
            else:
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise VerifyError(f"Cannot list or make {config.uri}: {one_line(str(reason))}.") from None
        return config.uri


FLAVORS: list[type[Flavor]] = [LocalArtifactStore, S3ArtifactStore, FsspecArtifactStore]
