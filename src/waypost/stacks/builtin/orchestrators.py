"""Orchestrator flavors: ``local`` runs steps as threads of the launching process, ``dask`` as tasks on a
Dask cluster (``distributed``, imported only when a dask component is verified or runs)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from waypost.schemas.stacks import ComponentType
from waypost.stacks.flavors import ConnectorCredentials, Flavor, VerifyError, secret_field
from waypost.stacks.messages import one_line


class LocalOrchestratorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Local orchestrator")

    max_parallel_steps: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Steps run at once (default: the settings' execution.max_parallel_steps, the CPU count).",
    )


class LocalOrchestrator(Flavor):
    type = ComponentType.ORCHESTRATOR
    name = "local"
    description = "Runs each step as a thread of the process that launched the pipeline."
    config = LocalOrchestratorConfig

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Nothing to reach: says where steps run and how many at once."""
        import os
        import socket

        assert isinstance(config, LocalOrchestratorConfig)
        steps = max_parallel_steps(config)
        return f"threads on {socket.gethostname()} ({os.cpu_count() or 1} CPUs), up to {steps} steps at once"


def max_parallel_steps(config: LocalOrchestratorConfig) -> int:
    """How many steps the local orchestrator runs at once: the config's, else the settings' default."""
    if config.max_parallel_steps is not None:
        return config.max_parallel_steps
    from waypost.settings import load_settings

    return load_settings().execution.max_parallel_steps


#: A Dask worker resource's name (``GPU``, ``MEMORY``) and the amount a worker offers.
ResourceName = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")]
ResourceAmount = Annotated[float, Field(gt=0)]


class DaskOrchestratorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Dask orchestrator")

    scheduler_address: str | None = Field(
        default=None,
        max_length=512,
        pattern=r"^(tcp|tls)://[^\s/]+:\d{1,5}$",
        description=(
            "The Dask scheduler's address, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster of n_workers "
            "processes starts on the launching machine for each run)."
        ),
    )
    n_workers: int = Field(default=2, ge=1, le=64, description="Worker processes of the LocalCluster.")
    threads_per_worker: int = Field(default=1, ge=1, le=256, description="Threads of each LocalCluster worker.")
    memory_limit: str | None = Field(
        default=None,
        max_length=32,
        description="Memory of each LocalCluster worker, e.g. '4GiB' (default: the machine's memory shared out).",
    )
    processes: bool = Field(
        default=True, description="LocalCluster workers are processes (true: steps use every core) or threads."
    )
    server_url: str | None = Field(
        default=None,
        max_length=512,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description=(
            "The Waypost server the workers report to, e.g. https://waypost.example.com (default: the launcher's "
            "store: its server, or its database URL)."
        ),
    )
    worker_api_key: str | None = secret_field(
        "API key of a service account the workers authenticate with, normally {{secret.NAME.KEY}}; needed with "
        "server_url or a server store.",
        max_length=512,
    )
    worker_resources: dict[ResourceName, ResourceAmount] = Field(
        default_factory=dict,
        description=(
            'Resources each LocalCluster worker offers, e.g. {"GPU": 1, "MEMORY": 8e9}; steps\' resource hints are '
            "matched against them."
        ),
    )


class DaskOrchestrator(Flavor):
    type = ComponentType.ORCHESTRATOR
    name = "dask"
    description = "Runs each step as a task on a Dask distributed cluster, or on a LocalCluster of processes."
    config = DaskOrchestratorConfig

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Connects to the scheduler and counts its workers; without an address, says what will start."""
        assert isinstance(config, DaskOrchestratorConfig)
        try:
            distributed = import_distributed()
        except ImportError as exc:
            raise VerifyError(str(exc)) from None
        address = config.scheduler_address
        reports = f"; workers report to {config.server_url}" if config.server_url else ""
        if address is None:
            import socket

            kind = "processes" if config.processes else "threads"
            offers = ", ".join(f"{k}={v:g}" for k, v in sorted(config.worker_resources.items()))
            return (
                f"a LocalCluster of {config.n_workers} worker {kind} ({config.threads_per_worker} thread(s) each"
                f"{', offering ' + offers if offers else ''}) will start on {socket.gethostname()} for each run"
                f"{reports}"
            )
        try:
            client = distributed.Client(address, timeout=VERIFY_TIMEOUT_S, set_as_default=False)
        except Exception as exc:  # OSError, TimeoutError, a TLS error: all mean "cannot reach it"
            raise VerifyError(unreachable(address, exc)) from None
        try:
            workers = len(client.scheduler_info().get("workers", {}))
        finally:
            client.close()
        return f"Dask scheduler at {address} with {workers} worker(s){reports}"


#: How long verify, and a run, wait for a Dask scheduler to accept a connection (seconds).
VERIFY_TIMEOUT_S = 5


def import_distributed() -> Any:
    """The ``distributed`` package; ImportError in one line naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise ImportError(
            'The dask orchestrator needs the distributed package; install it with pip install "waypost[dask]".'
        ) from None
    return distributed


def unreachable(address: str, exc: BaseException) -> str:
    """The one-line message for a scheduler that does not answer."""
    detail = one_line(str(exc) or type(exc).__name__, 160).rstrip(".")
    return (
        f"Cannot reach the Dask scheduler at {address} ({detail}); start the scheduler or fix the orchestrator's "
        "scheduler_address."
    )


FLAVORS: list[type[Flavor]] = [LocalOrchestrator, DaskOrchestrator]
