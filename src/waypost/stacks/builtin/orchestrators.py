"""Orchestrator flavors: ``local`` runs steps as threads of the launching process."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType
from waypost.stacks.flavors import ConnectorCredentials, Flavor


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


FLAVORS: list[type[Flavor]] = [LocalOrchestrator]
