"""Step log lines on the wire."""

from __future__ import annotations

from pydantic import BaseModel, Field

from waypost.enums import LogSource


class LogLineRead(BaseModel):
    """One stored log line of a step run."""

    n: int = Field(description="Line number, from 0.")
    t: float = Field(description="Unix time the line was written.")
    s: LogSource = Field(description="stdout, stderr or logging.")
    l: str | None = Field(default=None, description="Level name of a logging line.")  # noqa: E741  # stored key
    m: str = Field(description="The text.")


class LogSearchHit(BaseModel):
    """A matching line with up to ``context`` lines before and after it."""

    line: LogLineRead
    before: list[LogLineRead] = Field(default_factory=list)
    after: list[LogLineRead] = Field(default_factory=list)
