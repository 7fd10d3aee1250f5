"""What a run records of its stack: the components and configurations it used (a light module on every run's path).

:mod:`waypost.schemas.stacks` has the rest of the stacks' wire schemas and re-exports these.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel

__all__ = ["ComponentType", "StackComponentSnapshot", "StackSnapshot", "StackSource"]


class ComponentType(StrEnum):
    """What a component is for; a stack holds at most one of each."""

    ORCHESTRATOR = "orchestrator"
    ARTIFACT_STORE = "artifact_store"
    CONTAINER_REGISTRY = "container_registry"
    STEP_OPERATOR = "step_operator"
    EXPERIMENT_TRACKER = "experiment_tracker"
    ALERTER = "alerter"
    MODEL_DEPLOYER = "model_deployer"
    DATA_VALIDATOR = "data_validator"


class StackComponentSnapshot(BaseModel):
    """A component as one run used it (secret references as written, secret values masked)."""

    id: UUID | None = None
    name: str
    flavor: str
    config: dict[str, Any]
    connector: str | None = None


class StackSnapshot(BaseModel):
    """The stack a run used, as it was: later edits to the stack or its components do not change it."""

    id: UUID | None = None
    name: str
    components: dict[ComponentType, StackComponentSnapshot]


#: Where a run's stack choice came from (recorded with the run).
StackSource = Literal["argument", "environment", "folder", "user", "default"]
