"""``StepRetryConfig``: run a failing step again (``@step(retry=StepRetryConfig(...))``)."""

from __future__ import annotations

from pydantic import Field

from waypost.config.base_settings import BaseSettings

__all__ = ["StepRetryConfig"]


class StepRetryConfig(BaseSettings):
    """Retry a failed step ``max_retries`` times; wait ``delay`` seconds before the first retry and
    multiply the wait by ``backoff`` after each (``delay * backoff ** (retry - 1)``).

    Every attempt is recorded in the step's logs. Waypost caps ``max_retries`` at 100.
    """

    max_retries: int = Field(default=1, ge=0, le=100)
    delay: float = Field(default=0, ge=0)
    backoff: float = Field(default=0, ge=0)
