"""Stage requests and their decisions reach the alerter of the workspace's default stack (a real webhook
receiver and a real SMTP server); an alerter that fails never fails the request."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from receivers import Mailbox, Webhook

from waypost.artifacts.store import ArtifactStore
from waypost.schemas.model_approvals import ModelApprovalPolicyUpdate
from waypost.schemas.stacks import ComponentCreate, SecretCreate, StackUpdate
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore

with warnings.catch_warnings():
    # Starlette prefers the httpx2 fork; the locked environment has httpx, which works the same.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

API = "/api/v1"
PASSWORD = "correct horse battery staple"


class Server:
    """An app over a SQLite store, model ``iris`` (two versions) needing one approval for production."""

    def __init__(self, folder: Path) -> None:
        settings = load_settings(
            store={"url": f"sqlite:///{folder / 'server.db'}"}, artifact_store={"uri": str(folder / "artifacts")}
        )
        self.store = SqlStore(settings.store_url)
        self.app = create_app(settings, self.store, ArtifactStore(settings.artifact_store_uri))
        for _ in range(2):
            self.store.models.get_or_create_version("iris", None)
        self.store.promotions.set_policy("iris", ModelApprovalPolicyUpdate(stages=["production"], approvals_required=1))
        self.keys = {}
        for name, admin in (("alice", True), ("bob", True)):
            user = self.store.users.create(name, password=PASSWORD, is_admin=admin)
            self.keys[name] = self.store.auth.create_api_key(user.id, "tests").key

    def client(self, name: str) -> TestClient:
        return TestClient(self.app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {self.keys[name]}"})

    def alert_with(self, flavor: str, config: dict[str, object]) -> None:
        """Give the default stack an alerter."""
        self.store.stacks.create_component(ComponentCreate(name="alerts", type="alerter", flavor=flavor, config=config))
        self.store.stacks.update_stack("default", StackUpdate(components={"alerter": "alerts"}))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    made = Server(tmp_path)
    yield made
    made.store.close()


def _ask_and_approve(server: Server) -> None:
    with server.client("alice") as alice, server.client("bob") as bob:
        asked = alice.post(f"{API}/models/iris/versions/2/stage-requests", json={"stage": "production", "reason": "f1"})
        assert asked.json()["outcome"] == "pending", asked.text
        request_id = asked.json()["request"]["id"]
        done = bob.post(f"{API}/model-requests/{request_id}/approve", json={"comment": "ship it"})
        assert done.json()["status"] == "approved", done.text


def test_the_webhook_hears_of_the_request_and_the_approval(server: Server, webhook: Webhook) -> None:
    server.store.stacks.create_secret(SecretCreate(name="hook", values={"url": webhook.url}))
    server.alert_with("slack", {"webhook_url": "{{secret.hook.url}}", "channel": "#models"})
    _ask_and_approve(server)
    texts = [post["text"] for post in webhook.received]
    assert len(texts) == 2, texts
    assert texts[0].startswith(
        "Waypost: alice asks to move version 2 of model 'iris' into production (default/default)"
    )
    assert "Reason: f1." in texts[0]
    assert "waypost model approve" in texts[0]
    assert texts[1] == (
        "Waypost: version 2 of model 'iris' into production (default/default) is done: approved by bob (\"ship it\")."
    )
    assert {post["channel"] for post in webhook.received} == {"#models"}


def test_a_rejection_is_mailed(server: Server, mailbox: Mailbox) -> None:
    server.alert_with(
        "email",
        {
            "host": mailbox.host,
            "port": mailbox.port,
            "security": "none",
            "from_address": "waypost@example.com",
            "to": ["ml-team@example.com"],
            "username": mailbox.username,
            "password": mailbox.password,
        },
    )
    with server.client("alice") as alice, server.client("bob") as bob:
        request_id = alice.post(f"{API}/models/iris/versions/1/stage-requests", json={"stage": "production"}).json()[
            "request"
        ]["id"]
        bob.post(f"{API}/model-requests/{request_id}/reject", json={"comment": "accuracy too low"})
    subjects = [m["Subject"] for m in mailbox.messages]
    assert subjects[0].startswith("Waypost: alice asks to move version 1 of model 'iris' into production")
    assert subjects[1].startswith("Waypost: bob rejected moving version 1 of model 'iris'")  # cut at 120 characters
    assert mailbox.messages[1].get_content().strip() == (
        "Waypost: bob rejected moving version 1 of model 'iris' into production (default/default) "
        '("accuracy too low"); nothing changed.'
    )


def test_an_alerter_that_fails_does_not_fail_the_request(
    server: Server, webhook: Webhook, caplog: pytest.LogCaptureFixture
) -> None:
    webhook.status = 500
    server.alert_with("slack", {"webhook_url": webhook.url})
    _ask_and_approve(server)
    assert server.store.models.get("iris").stages == {"production": "2"}
    assert len(webhook.received) == 2  # it was tried
    assert "did not deliver a model request alert" in caplog.text
    assert "secret-token" not in caplog.text  # the webhook's path is its token


def test_no_alerter_no_message(server: Server, webhook: Webhook) -> None:
    _ask_and_approve(server)
    assert webhook.received == []
