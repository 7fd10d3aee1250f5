"""Alerters: the flavor base class every alerter extends, and the one error they raise.

An alerter flavor implements :meth:`AlerterFlavor.post`; :meth:`AlerterFlavor.verify` posts a
short message through it, so a working verify means alerts will arrive. A third-party alerter::

    class TeamsAlerter(AlerterFlavor):
        name = "teams"
        description = "Posts to a Microsoft Teams webhook."
        config = TeamsConfig

        @classmethod
        def post(cls, config, message, connector=None):
            response = httpx.post(config.url, json={"text": message}, timeout=10)
            if response.status_code >= 300:
                raise AlertError(f"Teams answered {response.status_code}")
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel

from waypost.schemas.stacks import ComponentType
from waypost.stacks.flavors import ConnectorCredentials, Flavor, VerifyError

__all__ = ["VERIFY_MESSAGE", "AlertError", "AlerterFlavor"]

#: What :meth:`AlerterFlavor.verify` posts.
VERIFY_MESSAGE = "Waypost: alerter verified"


class AlertError(Exception):
    """A message the alerter could not deliver, in one line naming the failure (never a secret)."""


class AlerterFlavor(Flavor):
    """An alerter: :meth:`post` delivers a message; :meth:`verify` delivers :data:`VERIFY_MESSAGE`."""

    type: ClassVar[ComponentType] = ComponentType.ALERTER

    @classmethod
    def post(cls, config: BaseModel, message: str, connector: ConnectorCredentials | None = None) -> None:
        """Deliver ``message``; raises :class:`AlertError` with the exact failure."""
        raise NotImplementedError

    @classmethod
    def target(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Where messages go, safe to show (no token, no password)."""
        return f"alerter {cls.name}"

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        try:
            cls.post(config, VERIFY_MESSAGE, connector)
        except AlertError as exc:
            raise VerifyError(str(exc)) from None
        return cls.target(config, connector)
