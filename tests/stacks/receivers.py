"""What the local receivers in ``conftest.py`` record: a webhook's posts, an SMTP server's mail and logins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Webhook:
    """A local HTTP receiver: what it was sent, and what it answers."""

    url: str = ""
    status: int = 200
    reply: str = "ok"
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Mailbox:
    """A local SMTP server: where it listens, the login it accepts, and what it received."""

    host: str = "127.0.0.1"
    port: int = 0
    username: str = "alerts"
    password: str = "mail-secret-123"
    messages: list[Any] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
