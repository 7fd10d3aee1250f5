"""Alerter flavors: ``slack`` (a Slack-style incoming webhook) and ``email`` (SMTP)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType, ConnectorType
from waypost.stacks.flavors import Flavor, secret_field


class SlackAlerterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Slack-style webhook alerter")

    webhook_url: str | None = secret_field(
        "The incoming webhook URL (it carries its own token), e.g. {{secret.slack.url}}.", max_length=2048
    )
    channel: str | None = Field(default=None, max_length=255, description="Post to this channel instead of the hook's.")
    username: str | None = Field(default=None, max_length=255, description="The name messages appear under.")
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="How long one post may take.")


class SlackAlerter(Flavor):
    type = ComponentType.ALERTER
    name = "slack"
    description = "Posts messages to a Slack-style incoming webhook (Slack, Mattermost, Rocket.Chat …)."
    config = SlackAlerterConfig
    connector_types = (ConnectorType.BEARER,)


class EmailAlerterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Email alerter (SMTP)")

    host: str = Field(min_length=1, max_length=255, description="The SMTP server.")
    port: int = Field(default=587, ge=1, le=65535, description="587 with STARTTLS, 465 with TLS, 25 plain.")
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="How the connection is encrypted."
    )
    from_address: str = Field(min_length=3, max_length=320, description="The sender, e.g. waypost@example.com.")
    to: list[str] = Field(min_length=1, max_length=100, description="Recipients.")
    username: str | None = Field(default=None, max_length=320, description="SMTP login (or from a basic connector).")
    password: str | None = secret_field("SMTP password.", max_length=1024)
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="How long one message may take.")


class EmailAlerter(Flavor):
    type = ComponentType.ALERTER
    name = "email"
    description = "Sends messages by email through an SMTP server."
    config = EmailAlerterConfig
    connector_types = (ConnectorType.BASIC,)


FLAVORS: list[type[Flavor]] = [SlackAlerter, EmailAlerter]
