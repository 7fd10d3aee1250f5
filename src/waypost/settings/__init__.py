"""The typed settings tree: the only code that reads the environment or the config file.

Every field maps to an environment variable derived from its path, e.g.
``store.url`` ← ``WAYPOST_STORE__URL``, ``execution.max_parallel_steps`` ←
``WAYPOST_EXECUTION__MAX_PARALLEL_STEPS``. Values not in the environment come from the
YAML config file (``WAYPOST_CONFIG``, else ``<user config dir>/waypost/config.yaml``), which
``waypost init`` writes.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from waypost.exceptions import ConfigurationError

__all__ = [
    "ArtifactSettings",
    "ArtifactStoreSettings",
    "ExecutionSettings",
    "SecretsSettings",
    "ServerSettings",
    "StoreSettings",
    "WaypostSettings",
    "config_path",
    "load_settings",
    "write_config",
]


def config_path() -> Path:
    """Where the YAML config file lives."""
    explicit = os.environ.get("WAYPOST_CONFIG")
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_config_dir("waypost")) / "config.yaml"


class StoreSettings(BaseModel):
    """The metadata store."""

    url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL (sqlite:///…, postgresql://…, mysql://…), or a Waypost server's http(s):// URL "
            "(`waypost login` sets it). Default: SQLite in the data dir."
        ),
    )
    api_key: str | None = Field(default=None, description="API key for a server store URL (`waypost login` sets it).")
    api_key_id: str | None = Field(
        default=None, description="Id of the API key `waypost login` created; `waypost logout` revokes it."
    )
    timeout_s: float = Field(default=30.0, gt=0, description="How long a server store waits for an answer.")
    artifact_transfer: Literal["auto", "direct", "upload"] = Field(
        default="auto",
        description="With a server store: write artifacts and logs to its artifact store directly, through the "
        "server (upload), or directly when this machine can reach it (auto).",
    )
    busy_timeout_s: float = Field(default=30.0, gt=0, description="How long SQLite waits for a lock.")
    pool_size: int = Field(default=5, ge=1)


class ArtifactStoreSettings(BaseModel):
    """Where artifacts and logs are written."""

    uri: str | None = Field(default=None, description="fsspec URI. Default: <data dir>/artifacts.")


class ArtifactSettings(BaseModel):
    """Which artifacts may be loaded: pickle and joblib files run code while they load."""

    trusted_producers: list[str] = Field(
        default_factory=list,
        description="User names (or ids) whose pickled artifacts load without asking; your own always do.",
    )
    allow_untrusted_unpickle: bool = Field(
        default=False,
        description="Load pickled artifacts of any producer, with an UnsafeDeserializationWarning. "
        "Only for stores whose every user you trust.",
    )


class ExecutionSettings(BaseModel):
    """How pipelines run."""

    max_parallel_steps: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    heartbeat_interval_s: float = Field(default=5.0, gt=0)
    heartbeat_timeout_s: float = Field(default=30.0, gt=0)
    resource_sample_interval_s: float = Field(default=1.0, gt=0)
    log_flush_interval_s: float = Field(default=1.0, gt=0)
    show_progress: bool = True


class ServerSettings(BaseModel):
    """The API server that ``waypost up`` runs."""

    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8742, ge=1, le=65535)
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names accepted besides 127.0.0.1, localhost and ::1 (DNS-rebinding guard).",
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS; none by default.")
    session_ttl_s: int = Field(default=7 * 24 * 3600, ge=60, description="How long a login session lasts.")
    invite_ttl_s: int = Field(
        default=7 * 24 * 3600, ge=60, description="How long a one-time login link for a member (an invite) works."
    )
    base_path: str = Field(default="", pattern=r"^(/[A-Za-z0-9._~-]+)*/?$", description="URL prefix, e.g. /waypost.")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="Largest JSON request body.")
    max_upload_bytes: int = Field(
        default=4 * 1024**3, ge=1024, description="Largest raw (application/octet-stream) upload body."
    )
    max_unpacked_bytes: int = Field(
        default=16 * 1024**3, ge=1024, description="Most bytes an uploaded artifact archive may unpack to."
    )
    max_archive_members: int = Field(
        default=100_000, ge=1, description="Most files and folders an uploaded artifact archive may hold."
    )
    log_search_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest one log search may run before it answers with what it found."
    )
    query_timeout_s: float = Field(
        default=30.0, gt=0, description="Longest one database statement of a request may run before it is cut."
    )
    filter_max_chars: int = Field(default=1000, ge=10, description="Longest filter query the API accepts.")
    filter_max_terms: int = Field(default=30, ge=1, description="Most terms one filter query may hold.")
    stream_auth_check_s: float = Field(
        default=5.0, gt=0, description="How often a live stream re-checks its caller's session or API key."
    )
    max_public_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Largest JSON body of a route anyone may call (login)."
    )
    password_check_concurrency: int = Field(
        default=2, ge=1, description="Password checks run at once (argon2 needs 64 MiB each); others queue."
    )
    password_check_wait_s: float = Field(
        default=10.0, gt=0, description="How long a login waits for a password-check slot before a 503."
    )
    login_failures_per_user: int = Field(
        default=5, ge=1, description="Failed logins to one account within the window that lock it."
    )
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed logins from one client address within the window that lock it."
    )
    login_lockout_window_s: float = Field(
        default=900.0, gt=0, description="The window failed logins are counted in; a lock lasts until it clears."
    )

    dashboard_dir: Path | None = Field(
        default=None,
        description="The dashboard build to serve at /. Default: the one the installed wheel carries, else "
        "dashboard/dist of the source tree.",
    )

    @property
    def prefix(self) -> str:
        """The base path without a trailing slash ("" at the root)."""
        return self.base_path.rstrip("/")


class SecretsSettings(BaseModel):
    """How secrets and service connectors' credentials are encrypted at rest (Fernet)."""

    key: str | None = Field(
        default=None,
        repr=False,
        description="A Fernet key (url-safe base64 of 32 bytes) that encrypts secrets; "
        "default: the key file, made at first use.",
    )
    key_file: Path | None = Field(
        default=None, description="Where the key is kept when `key` is not set. Default: <data dir>/secrets.key."
    )


class WaypostSettings(BaseModel):
    """All of Waypost's settings; :func:`load_settings` fills them from their sources."""

    model_config = ConfigDict(extra="ignore", validate_default=True)

    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("waypost")))
    store: StoreSettings = Field(default_factory=StoreSettings)
    artifact_store: ArtifactStoreSettings = Field(default_factory=ArtifactStoreSettings)
    artifacts: ArtifactSettings = Field(default_factory=ArtifactSettings)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    project: str = Field(
        default="default",
        min_length=1,
        max_length=201,
        description="The active project, 'workspace/project' or a project of the default workspace: "
        "runs, pipelines and models are recorded there (WAYPOST_PROJECT; `waypost project set`).",
    )

    @property
    def store_url(self) -> str:
        """The store URL, defaulting to a SQLite file in the data dir."""
        return self.store.url or f"sqlite:///{self.data_dir / 'waypost.db'}"

    @property
    def secrets_key_file(self) -> Path:
        """The file holding the secrets' encryption key, defaulting to one in the data dir."""
        return self.secrets.key_file or self.data_dir / "secrets.key"

    @property
    def store_is_remote(self) -> bool:
        """Whether the store URL names a Waypost server (http:// or https://)."""
        return self.store_url.startswith(("http://", "https://"))

    @property
    def artifact_store_uri(self) -> str:
        """The artifact store URI, defaulting to a folder in the data dir."""
        return self.artifact_store.uri or str(self.data_dir / "artifacts")


ENV_PREFIX = "WAYPOST_"
ENV_NESTING = "__"


def _merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``, nested tables merged key by key."""
    out = dict(base)
    for key, value in top.items():
        below = out.get(key)
        out[key] = _merge(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
    return out


def _is_structured(annotation: Any) -> bool:
    """Whether a field takes a list, a mapping or a settings table (given as JSON in the environment)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    origin = getattr(annotation, "__origin__", None)
    return origin in (list, dict, set, tuple)


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings named by ``WAYPOST_*`` variables (any case), ``__`` between levels.

    A field that takes a list, a mapping or a table reads its value as JSON
    (``WAYPOST_SERVER__CORS_ORIGINS='["https://a"]'``); every other value is passed as
    text for the field's own validation. Names that match no setting are ignored, as are
    ``WAYPOST_CONFIG`` (the config file's path) and empty names.
    """
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX):
            continue
        path = name[len(ENV_PREFIX) :].lower().split(ENV_NESTING)
        if not path or not all(path):
            continue
        model: type[BaseModel] | None = WaypostSettings
        annotation: Any = None
        for part in path:
            field = model.model_fields.get(part) if model is not None else None
            if field is None:
                break
            annotation = field.annotation
            model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        else:
            value: Any = raw
            if _is_structured(annotation):
                try:
                    value = json.loads(raw)
                except ValueError:
                    raise ConfigurationError(
                        f"Environment variable {name} is not valid JSON; give the value as JSON, "
                        f'e.g. {name}=\'["a", "b"]\'.'
                    ) from None
            node = out
            for part in path[:-1]:
                child = node.get(part)
                node = node.setdefault(part, {}) if not isinstance(child, dict) else child
            below = node.get(path[-1])
            node[path[-1]] = _merge(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
    return out


def _from_config_file(path: Path) -> dict[str, Any]:
    """The YAML config file's settings (none when it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigurationError(
            f"Config file {path} cannot be read ({exc.strerror}); fix its permissions or delete it."
        ) from None
    import yaml  # only when a config file exists (~10 ms of every start otherwise)

    data = yaml.safe_load(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"Config file {path} must hold a mapping of settings, not a {type(data).__name__}; fix or delete it."
        )
    return data


def load_settings(**overrides: Any) -> WaypostSettings:
    """Read settings; a bad value or config file raises a one-line ConfigurationError.

    Sources, strongest first: ``overrides``, the environment, the YAML config file, and the
    defaults; nested tables are merged key by key across sources.
    """
    try:
        values = _merge(_merge(_from_config_file(config_path()), _from_environment(os.environ)), overrides)
        return WaypostSettings.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigurationError(
            f"Invalid setting '{where}': {err['msg']}; fix it in {config_path()} or the "
            f"WAYPOST_{where.upper().replace('.', '__')} environment variable."
        ) from None
    except Exception as exc:
        # PyYAML is loaded only when a config file exists (~10 ms of every start otherwise).
        yaml = sys.modules.get("yaml")
        if yaml is None or not isinstance(exc, yaml.YAMLError):
            raise
        raise ConfigurationError(
            f"Config file {config_path()} is not valid YAML ({str(exc).splitlines()[0]}); fix or delete it."
        ) from None


def write_config(values: dict[str, Any]) -> Path:
    """Merge ``values`` into the YAML config file and return its path."""
    import yaml

    path = config_path()
    current: dict[str, Any] = {}
    if path.exists():
        current = yaml.safe_load(path.read_text()) or {}
    for key, value in values.items():
        node = current
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Private from the first byte: the file may hold an API key (`waypost login`).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fd, 0o600)  # also when an older .tmp was left with another mode
        fh.write(yaml.safe_dump(current, sort_keys=True))
    tmp.replace(path)
    return path
