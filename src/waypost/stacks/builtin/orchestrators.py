"""Orchestrator flavors: ``local`` runs steps as threads of the launching process."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType
from waypost.stacks.flavors import Flavor


class LocalOrchestratorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Local orchestrator")

    max_parallel_steps: int | None = Field(
        default=None, ge=1, le=256, description="Steps run at once (default: as many as the DAG allows, up to 32)."
    )


class LocalOrchestrator(Flavor):
    type = ComponentType.ORCHESTRATOR
    name = "local"
    description = "Runs each step as a thread of the process that launched the pipeline."
    config = LocalOrchestratorConfig


FLAVORS: list[type[Flavor]] = [LocalOrchestrator]
