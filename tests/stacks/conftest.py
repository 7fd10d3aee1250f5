"""Real servers for the flavor tests: S3 (moto), a webhook receiver, SMTP (aiosmtpd)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from moto_s3 import S3Server, shared_s3_server
from receivers import Mailbox, Webhook


@pytest.fixture(scope="session")
def s3_server() -> S3Server:
    """moto's S3 on 127.0.0.1 checking credentials: (endpoint_url, bucket, access_key, secret_key)."""
    return shared_s3_server()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """An HTTP server on a free loopback port recording each POST's JSON body and headers."""
    hook = Webhook()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            hook.received.append(json.loads(body))
            hook.headers.append({k.lower(): v for k, v in self.headers.items()})
            reply = hook.reply.encode()
            self.send_response(hook.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret-token"
    yield hook
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """aiosmtpd on a free loopback port; AUTH (PLAIN/LOGIN) without TLS, checking ``username``/``password``."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    box = Mailbox()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 Message accepted for delivery"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode()
        ok = login == box.username and auth_data.password.decode() == box.password
        if ok:
            box.logins.append(login)
        return AuthResult(success=ok, handled=False)

    box.port = _free_port()
    controller = Controller(
        Handler(), hostname=box.host, port=box.port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    yield box
    controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
