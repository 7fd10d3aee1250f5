"""Alerter flavors: ``slack`` (a Slack-style incoming webhook) and ``email`` (SMTP).

Both deliver through :meth:`~waypost.stacks.alerting.AlerterFlavor.post` and verify by delivering
a short message. Failures are one line naming what went wrong; the webhook URL (it carries its own
token) and passwords never appear in them. httpx and smtplib are imported when a message is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ConnectorType
from waypost.stacks.alerting import AlerterFlavor, AlertError
from waypost.stacks.flavors import ConnectorCredentials, Flavor, VerifyError, secret_field
from waypost.stacks.messages import one_line

if TYPE_CHECKING:
    import smtplib
    import ssl


class SlackAlerterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Slack-style webhook alerter")

    webhook_url: str | None = secret_field(
        "The incoming webhook URL (it carries its own token), e.g. {{secret.slack.url}}.", max_length=2048
    )
    channel: str | None = Field(default=None, max_length=255, description="Post to this channel instead of the hook's.")
    username: str | None = Field(default=None, max_length=255, description="The name messages appear under.")
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="How long one post may take.")


def _site(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: where a webhook is, without the path that holds its token."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


class SlackAlerter(AlerterFlavor):
    name = "slack"
    description = "Posts messages to a Slack-style incoming webhook (Slack, Mattermost, Rocket.Chat …)."
    config = SlackAlerterConfig
    connector_types = (ConnectorType.BEARER,)

    @classmethod
    def target(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        assert isinstance(config, SlackAlerterConfig)
        where = _site(config.webhook_url) if config.webhook_url else "no webhook"
        return f"webhook at {where}" + (f" (channel {config.channel})" if config.channel else "")

    @classmethod
    def post(cls, config: BaseModel, message: str, connector: ConnectorCredentials | None = None) -> None:
        """POST ``{"text": message}`` (with ``channel`` and ``username`` when set) to the webhook as JSON."""
        assert isinstance(config, SlackAlerterConfig)
        if not config.webhook_url:
            raise AlertError("The slack alerter has no webhook_url; set it, e.g. --webhook-url {{secret.slack.url}}.")
        if not config.webhook_url.startswith(("http://", "https://")):
            raise AlertError("The slack alerter's webhook_url is not an http:// or https:// URL; check it.")
        import httpx

        payload: dict[str, Any] = {"text": message}
        if config.channel:
            payload["channel"] = config.channel
        if config.username:
            payload["username"] = config.username
        headers = {}
        token = connector.values.get("token") if connector is not None else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        site = _site(config.webhook_url)
        try:
            response = httpx.post(config.webhook_url, json=payload, headers=headers, timeout=config.timeout_s)
        except httpx.TimeoutException:
            raise AlertError(f"The webhook at {site} did not answer within {config.timeout_s:g} s.") from None
        except httpx.ConnectError as exc:
            raise AlertError(
                f"Could not connect to the webhook at {site} ({_reason(exc)}); check webhook_url."
            ) from None
        except httpx.HTTPError as exc:
            raise AlertError(f"Posting to the webhook at {site} failed: {one_line(_reason(exc))}.") from None
        if not 200 <= response.status_code < 300:
            body = one_line(response.text) or "(empty body)"
            raise AlertError(f"The webhook at {site} answered {response.status_code}: {body}")


def _reason(exc: BaseException) -> str:
    """The innermost cause's words (``connection refused``), not the wrapper's."""
    inner: BaseException = exc
    while inner.__cause__ is not None or inner.__context__ is not None:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
    if isinstance(inner, ConnectionRefusedError):
        return "connection refused"
    text = getattr(inner, "strerror", None) or str(inner) or type(inner).__name__
    return one_line(str(text), 120)


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


class EmailAlerter(AlerterFlavor):
    name = "email"
    description = "Sends messages by email through an SMTP server."
    config = EmailAlerterConfig
    connector_types = (ConnectorType.BASIC,)

    @classmethod
    def target(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        assert isinstance(config, EmailAlerterConfig)
        return f"smtp://{config.host}:{config.port} ({config.security})"

    @classmethod
    def post(cls, config: BaseModel, message: str, connector: ConnectorCredentials | None = None) -> None:
        """Send ``message`` to every recipient; its first line is the subject."""
        assert isinstance(config, EmailAlerterConfig)
        from email.message import EmailMessage

        mail = EmailMessage()
        first = message.strip().splitlines()[0] if message.strip() else "Waypost"
        mail["Subject"] = one_line(first, 120)
        mail["From"] = config.from_address
        mail["To"] = ", ".join(config.to)
        mail.set_content(message)
        with _smtp_session(config, connector) as smtp:
            _smtp_call(config, lambda: smtp.send_message(mail))

    @classmethod
    def verify(cls, config: BaseModel, connector: ConnectorCredentials | None) -> str:
        """Connect, greet, secure and log in as :meth:`post` would, without sending anything."""
        assert isinstance(config, EmailAlerterConfig)
        try:
            with _smtp_session(config, connector):
                pass
        except AlertError as exc:
            raise VerifyError(str(exc)) from None
        return cls.target(config, connector)


def _login(config: EmailAlerterConfig, connector: ConnectorCredentials | None) -> tuple[str | None, str | None]:
    """The SMTP user name and password: the config's, field by field, else the basic connector's."""
    values = connector.values if connector is not None else {}
    username = config.username or values.get("username")
    password = config.password or values.get("password")
    return (str(username) if username else None), (str(password) if password else None)


@contextmanager
def _smtp_session(config: EmailAlerterConfig, connector: ConnectorCredentials | None) -> Iterator[smtplib.SMTP]:
    """An SMTP connection that has greeted, secured itself as configured and logged in; closed after."""
    import smtplib

    smtp = _smtp_connect(config)
    where = f"{config.host}:{config.port}"
    try:
        _smtp_call(config, smtp.ehlo_or_helo_if_needed)
        if config.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise AlertError(
                    f"The SMTP server {where} does not offer STARTTLS; set security to tls (port 465) or none."
                )
            _smtp_call(config, lambda: smtp.starttls(context=_tls_context()))
            _smtp_call(config, smtp.ehlo)
        username, password = _login(config, connector)
        if username or password:
            if not (username and password):
                missing = "password" if username else "username"
                raise AlertError(f"The email alerter has a login without a {missing}; set both or neither.")
            _smtp_call(config, lambda: smtp.login(username, password), user=username)
        yield smtp
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _tls_context() -> ssl.SSLContext:
    import ssl

    return ssl.create_default_context()


def _smtp_connect(config: EmailAlerterConfig) -> smtplib.SMTP:
    import smtplib
    import ssl

    where = f"{config.host}:{config.port}"
    try:
        if config.security == "tls":
            return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_s, context=_tls_context())
        return smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    except ConnectionRefusedError:
        raise AlertError(
            f"Could not connect to the SMTP server {where} (connection refused); check host and port."
        ) from None
    except TimeoutError:
        raise AlertError(f"The SMTP server {where} did not answer within {config.timeout_s:g} s.") from None
    except ssl.SSLError as exc:
        raise AlertError(
            f"TLS with the SMTP server {where} failed ({one_line(exc.reason or str(exc), 120)}); "
            "port 465 takes security tls, 587 starttls."
        ) from None
    except OSError as exc:
        raise AlertError(f"Could not connect to the SMTP server {where}: {_reason(exc)}.") from None
    except smtplib.SMTPException as exc:
        raise AlertError(f"The SMTP server {where} refused the connection: {_smtp_reason(exc)}.") from None


def _code_words(code: object, error: object) -> str:
    words = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return one_line(f"{code} {words}", 160)


def _smtp_reason(exc: BaseException) -> str:
    """``535 authentication failed``: the server's code and words, or the exception's."""
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", None)
    if code is not None and error is not None:
        return _code_words(code, error)
    return one_line(str(exc) or type(exc).__name__, 160)


def _smtp_call(config: EmailAlerterConfig, call: Any, user: str | None = None) -> Any:
    """Run one SMTP command, its failures turned into one-line :class:`AlertError`."""
    import smtplib
    import ssl

    where = f"{config.host}:{config.port}"
    try:
        return call()
    except smtplib.SMTPAuthenticationError as exc:
        who = f" for user '{user}'" if user else ""
        raise AlertError(
            f"The SMTP server {where} rejected the login{who} ({_smtp_reason(exc)}); check the user name and password."
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise AlertError(f"The SMTP server {where} does not support that: {_smtp_reason(exc)}.") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(
            f"{addr} ({_smtp_reason(smtplib.SMTPResponseException(*err))})" for addr, err in exc.recipients.items()
        )
        raise AlertError(f"The SMTP server {where} refused the recipients: {one_line(refused, 300)}.") from None
    except smtplib.SMTPSenderRefused as exc:
        raise AlertError(
            f"The SMTP server {where} refused the sender {config.from_address} ({_smtp_reason(exc)}); "
            "check from_address."
        ) from None
    except smtplib.SMTPServerDisconnected:
        raise AlertError(f"The SMTP server {where} closed the connection.") from None
    except smtplib.SMTPException as exc:
        raise AlertError(f"The SMTP server {where} answered: {_smtp_reason(exc)}.") from None
    except ssl.SSLError as exc:
        raise AlertError(
            f"STARTTLS with the SMTP server {where} failed ({one_line(exc.reason or str(exc), 120)})."
        ) from None
    except TimeoutError:
        raise AlertError(f"The SMTP server {where} did not answer within {config.timeout_s:g} s.") from None
    except OSError as exc:
        raise AlertError(f"The connection to the SMTP server {where} failed: {_reason(exc)}.") from None


FLAVORS: list[type[Flavor]] = [SlackAlerter, EmailAlerter]
