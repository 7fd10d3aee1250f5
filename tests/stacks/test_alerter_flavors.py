"""Alerter flavors deliver to real receivers: an HTTP webhook on loopback and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket

import pytest
from receivers import Mailbox, Webhook

from waypost.schemas.stacks import ConnectorType
from waypost.stacks.alerting import VERIFY_MESSAGE, AlertError
from waypost.stacks.builtin.alerters import EmailAlerter, EmailAlerterConfig, SlackAlerter, SlackAlerterConfig
from waypost.stacks.flavors import ConnectorCredentials, VerifyError, get_flavor


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_slack_posts_the_message_as_json(webhook: Webhook) -> None:
    config = SlackAlerterConfig(webhook_url=webhook.url, channel="#ml-alerts", username="waypost")
    SlackAlerter.post(config, "Run train-42 failed at step 'fit'")
    sent = {"text": "Run train-42 failed at step 'fit'", "channel": "#ml-alerts", "username": "waypost"}
    assert webhook.received == [sent]
    assert webhook.headers[0]["content-type"] == "application/json"
    assert "authorization" not in webhook.headers[0]


def test_slack_verify_posts_a_verification_message(webhook: Webhook) -> None:
    assert get_flavor("alerter", "slack") is SlackAlerter
    reached = SlackAlerter.verify(SlackAlerterConfig(webhook_url=webhook.url), None)
    assert webhook.received == [{"text": VERIFY_MESSAGE}]
    assert reached.startswith("webhook at http://127.0.0.1:")
    assert "secret-token" not in reached  # the hook's path is its credential


def test_slack_sends_a_bearer_connector_token(webhook: Webhook) -> None:
    connector = ConnectorCredentials(name="hook-token", type=ConnectorType.BEARER, values={"token": "tok-123"})
    SlackAlerter.post(SlackAlerterConfig(webhook_url=webhook.url), "hello", connector)
    assert webhook.headers[0]["authorization"] == "Bearer tok-123"


def test_slack_names_the_status_and_the_body_when_the_hook_refuses(webhook: Webhook) -> None:
    webhook.status, webhook.reply = 500, "invalid_payload\n" + "x" * 500
    with pytest.raises(AlertError) as caught:
        SlackAlerter.post(SlackAlerterConfig(webhook_url=webhook.url), "hello")
    message = str(caught.value)
    assert message.startswith("The webhook at http://127.0.0.1:")
    assert " answered 500: invalid_payload xxx" in message
    assert "\n" not in message
    assert len(message) < 300
    assert "secret-token" not in message
    with pytest.raises(VerifyError, match=r"answered 500: invalid_payload"):
        SlackAlerter.verify(SlackAlerterConfig(webhook_url=webhook.url), None)


def test_slack_names_a_webhook_nobody_listens_on() -> None:
    port = _closed_port()
    config = SlackAlerterConfig(webhook_url=f"http://127.0.0.1:{port}/hooks/secret-token", timeout_s=3)
    with pytest.raises(VerifyError) as caught:
        SlackAlerter.verify(config, None)
    assert str(caught.value) == (
        f"Could not connect to the webhook at http://127.0.0.1:{port} (connection refused); check webhook_url."
    )
    with pytest.raises(VerifyError, match=r"has no webhook_url; set it"):
        SlackAlerter.verify(SlackAlerterConfig(), None)


def _email(mailbox: Mailbox, **overrides: object) -> EmailAlerterConfig:
    fields: dict[str, object] = {
        "host": mailbox.host,
        "port": mailbox.port,
        "security": "none",
        "from_address": "waypost@example.com",
        "to": ["ml-team@example.com", "oncall@example.com"],
        "username": mailbox.username,
        "password": mailbox.password,
        "timeout_s": 5,
    }
    fields.update(overrides)
    return EmailAlerterConfig.model_validate(fields)


def test_email_sends_the_message_with_its_first_line_as_subject(mailbox: Mailbox) -> None:
    EmailAlerter.post(_email(mailbox), "Run train-42 failed\n\nStep 'fit' raised ValueError.")
    assert mailbox.logins == [mailbox.username]
    [mail] = mailbox.messages
    assert mail["Subject"] == "Run train-42 failed"
    assert mail["From"] == "waypost@example.com"
    assert mail["To"] == "ml-team@example.com, oncall@example.com"
    assert "Step 'fit' raised ValueError." in mail.get_content()


def test_email_takes_the_login_from_a_basic_connector(mailbox: Mailbox) -> None:
    connector = ConnectorCredentials(
        name="smtp-login",
        type=ConnectorType.BASIC,
        values={"username": mailbox.username, "password": mailbox.password},
    )
    EmailAlerter.post(_email(mailbox, username=None, password=None), "hello", connector)
    assert mailbox.logins == [mailbox.username]
    assert len(mailbox.messages) == 1


def test_email_verify_logs_in_without_sending(mailbox: Mailbox) -> None:
    assert EmailAlerter.verify(_email(mailbox), None) == f"smtp://127.0.0.1:{mailbox.port} (none)"
    assert mailbox.logins == [mailbox.username]
    assert mailbox.messages == []


def test_email_verify_names_a_wrong_password(mailbox: Mailbox) -> None:
    with pytest.raises(VerifyError) as caught:
        EmailAlerter.verify(_email(mailbox, password="not-the-password"), None)
    message = str(caught.value)
    assert message.startswith(f"The SMTP server 127.0.0.1:{mailbox.port} rejected the login for user 'alerts' (535")
    assert message.endswith("; check the user name and password.")
    assert "not-the-password" not in message
    assert mailbox.logins == []


def test_email_verify_names_a_server_without_starttls(mailbox: Mailbox) -> None:
    with pytest.raises(VerifyError, match=r"does not offer STARTTLS; set security to tls \(port 465\) or none"):
        EmailAlerter.verify(_email(mailbox, security="starttls"), None)


def test_email_verify_names_a_refused_connection() -> None:
    port = _closed_port()
    config = EmailAlerterConfig(host="127.0.0.1", port=port, security="none", from_address="a@b.c", to=["d@e.f"])
    with pytest.raises(VerifyError) as caught:
        EmailAlerter.verify(config, None)
    assert str(caught.value) == (
        f"Could not connect to the SMTP server 127.0.0.1:{port} (connection refused); check host and port."
    )
