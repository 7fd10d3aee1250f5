"""Stacks in a real browser (issue 11): a component registered through the form generated from its
flavor's JSON schema (an invalid value refused in place before anything is sent), a stack built from
it in the builder, verified against a local webhook receiver with each component's result in place;
a run on that stack shows the stack it used; secret values never reach the page.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from _access_support import call, pick, settled
from e2e_support import screenshot
from playwright.sync_api import ConsoleMessage, Page, expect

from live_server import LiveServer
from waypost import pipeline, step
from waypost.execution import runtime


class _Receiver(BaseHTTPRequestHandler):
    """A Slack-style incoming webhook: records each JSON body it is posted."""

    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.received.append(json.loads(self.rfile.read(length) or b"{}"))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/T0KEN-IN-THE-PATH", received
    server.shutdown()
    server.server_close()


@step
def measure() -> int:
    return 42


@pipeline
def on_alerting_stack() -> None:
    measure()


def _no_csp_refusals(page: Page) -> list[str]:
    """Collects what the Content-Security-Policy refused (a form validator that compiled code would be)."""
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text or "unsafe-eval" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    page.on("pageerror", lambda error: refused.append(str(error)))
    return refused


def test_register_a_component_through_its_form_build_a_stack_and_verify_it(
    page: Page, live: LiveServer, webhook: tuple[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = webhook
    refused = _no_csp_refusals(page)
    page.goto(f"{live.url}/components")
    settled(page)
    page.get_by_role("button", name="Register a component").click()
    form = page.get_by_test_id("component-form")
    pick(page, form.get_by_role("combobox", name="Type"), "alerter")
    pick(page, form.get_by_role("combobox", name="Flavor"), "slack")
    form.get_by_role("textbox", name="Name", exact=True).fill("team-hook")
    webhook_field = form.get_by_label("Webhook Url", exact=True)
    expect(webhook_field).to_have_attribute("type", "password")
    webhook_field.fill(url)

    # A value the schema refuses is said in place when the field is left, and nothing is sent.
    timeout = form.get_by_role("textbox", name="Timeout S")
    timeout.fill("500")
    timeout.blur()
    error = form.locator("#root_timeout_s-error")  # the field's own error line
    expect(error).to_have_text("must be at most 120")
    screenshot(page, "stacks-component-form-invalid")
    form.get_by_role("button", name="Register component").click()
    expect(error).to_have_text("must be at most 120")
    assert [c.name for c in live.store.stacks.list_components(None).items if c.name == "team-hook"] == []

    timeout.fill("5")
    expect(error).to_have_count(0)
    # Verify before saving reaches the webhook; the result shows in place, and nothing is saved.
    form.get_by_role("button", name="Verify before saving").click()
    expect(form.get_by_test_id("verify-result")).to_have_attribute("data-ok", "true")
    expect(form.get_by_test_id("verify-result")).to_contain_text("webhook at http://127.0.0.1:")
    assert len(received) == 1
    form.get_by_role("button", name="Register component").click()
    expect(page.get_by_test_id("components-table")).to_contain_text("team-hook")
    row = page.get_by_test_id("component-row-alerter-team-hook")
    expect(page.get_by_role("dialog")).to_have_count(0)  # what was typed leaves with the form
    # The webhook URL carries a token: a secret field, never sent back to the page.
    assert "T0KEN-IN-THE-PATH" not in page.content()
    status, listed = call(page, "GET", "/api/v1/components?type=alerter")
    assert status == 200
    assert "T0KEN-IN-THE-PATH" not in json.dumps(listed)
    expect(row).to_contain_text("slack")

    # Build a stack of it: the required slots are said before anything is sent.
    page.goto(f"{live.url}/stacks")
    page.get_by_role("button", name="New stack").click()
    builder = page.get_by_test_id("stack-builder")
    builder.get_by_role("textbox", name="Name", exact=True).fill("alerting")
    builder.get_by_role("button", name="Create stack").click()
    expect(builder.get_by_text("A stack needs an orchestrator; pick one.")).to_be_visible()
    for kind, name, shown in (
        ("orchestrator", "default", "default (local)"),
        ("artifact_store", "default", "default (local)"),
        ("alerter", "team-hook", "team-hook (slack)"),
    ):
        pick(page, builder.get_by_test_id(f"slot-{kind}").get_by_role("combobox"), name, shown=shown)
    screenshot(page, "stacks-builder")
    builder.get_by_role("button", name="Create stack").click()

    # Its page draws the stack: the orchestrator above, the artifact store and the alerter below.
    expect(page.get_by_test_id("stack-name")).to_have_text("alerting")
    architecture = page.get_by_test_id("architecture")
    for kind in ("orchestrator", "artifact_store", "alerter"):
        expect(architecture.get_by_test_id(f"arch-{kind}")).to_be_visible()
    top = architecture.get_by_test_id("arch-orchestrator").bounding_box()
    below = architecture.get_by_test_id("arch-alerter").bounding_box()
    assert top
    assert below
    assert below["y"] > top["y"] + top["height"]

    page.get_by_role("button", name="Verify", exact=True).click()
    for kind in ("orchestrator", "artifact_store", "alerter"):
        expect(architecture.get_by_test_id(f"arch-{kind}").get_by_test_id("verify-result")).to_have_attribute(
            "data-ok", "true"
        )
    expect(page.get_by_test_id("stack-verify-summary")).to_have_text("Every component was reached.")
    assert len(received) == 2
    assert "verified" in received[-1]["text"]
    screenshot(page, "stacks-stack-verified")

    # Changing its components: the alerter taken out, the drawing follows.
    page.get_by_role("button", name="Change components").click()
    builder = page.get_by_test_id("stack-builder")
    builder.get_by_role("button", name="No alerter").click()
    builder.get_by_role("button", name="Save stack").click()
    expect(architecture.get_by_test_id("arch-alerter")).to_have_count(0)
    expect(architecture.get_by_test_id("arch-artifact_store")).to_be_visible()
    assert "alerter" not in live.store.stacks.get_stack("alerting").components
    page.get_by_role("button", name="Change components").click()
    pick(page, builder.get_by_test_id("slot-alerter").get_by_role("combobox"), "team-hook", shown="team-hook (slack)")
    builder.get_by_role("button", name="Save stack").click()
    expect(architecture.get_by_test_id("arch-alerter")).to_be_visible()

    # A run on the stack: listed on the stack's page, and its page shows the stack it used.
    monkeypatch.setenv("WAYPOST_STACK", "alerting")
    runtime.reset()
    run = on_alerting_stack()
    runtime.reset()
    page.reload()
    runs = page.get_by_test_id("stack-runs")
    expect(runs.get_by_role("link", name=run.name)).to_be_visible()
    runs.get_by_role("link", name=run.name).click()
    stack = page.get_by_test_id("run-stack")
    expect(stack.get_by_role("link", name="alerting")).to_be_visible()
    expect(stack.get_by_test_id("run-stack-component")).to_have_count(3)
    stack.get_by_test_id("run-stack-component").filter(has_text="team-hook").click()
    expect(page.get_by_text("webhook_url: ********")).to_be_visible()
    assert "T0KEN-IN-THE-PATH" not in page.content()
    screenshot(page, "stacks-run-snapshot")

    # The stacks list: each stack's components as chips, whose active stack it is.
    call(page, "PUT", "/api/v1/stacks/active", {"stack": "alerting"})
    page.goto(f"{live.url}/stacks")
    row = page.get_by_test_id("stack-row-alerting")
    expect(row.get_by_test_id("component-chip")).to_have_count(3)
    expect(row).to_contain_text("admin (you)")
    screenshot(page, "stacks-list")
    assert refused == []


def test_secret_values_are_write_only_and_a_used_secret_is_not_deleted(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/secrets")
    settled(page)
    page.get_by_role("button", name="New secret").click()
    dialog = page.get_by_role("dialog", name="New secret")
    dialog.get_by_role("textbox", name="Name", exact=True).fill("slack")
    dialog.get_by_role("textbox", name="Key 1").fill("url")
    dialog.get_by_label("Value 1").fill("https://hooks.example/V4LUE-0F-THE-SECRET")
    dialog.get_by_role("button", name="Create secret").click()
    card = page.get_by_test_id("secret-slack")
    expect(card.get_by_test_id("secret-key")).to_have_text(["url"])
    expect(dialog).to_have_count(0)
    assert "V4LUE-0F-THE-SECRET" not in page.content()

    # A component refers to it; deleting it is refused with the server's one line, in place.
    status, _ = call(
        page,
        "POST",
        "/api/v1/components",
        {"name": "hook", "type": "alerter", "flavor": "slack", "config": {"webhook_url": "{{secret.slack.url}}"}},
    )
    assert status == 201
    card.get_by_role("button", name="Delete secret slack").click()
    card.get_by_role("button", name="Confirm: delete secret slack").click()
    expect(card.get_by_role("alert")).to_contain_text("hook")
    expect(page.get_by_test_id("secret-slack")).to_be_visible()

    # A new value for a key: typed into a password field, never shown back.
    card.get_by_label("Key of slack to set").fill("url")
    card.get_by_label("New value of url").fill("https://hooks.example/N3W-VALUE")
    card.get_by_role("button", name="Update").click()
    expect(card.get_by_label("New value of url")).to_have_count(0)
    assert "N3W-VALUE" not in page.content()
    screenshot(page, "stacks-secrets")

    # The component's form shows the reference as written, not the value behind it.
    page.goto(f"{live.url}/components?type=alerter")
    page.get_by_role("button", name="Edit hook").click()
    field = page.get_by_test_id("component-form").get_by_label("Webhook Url", exact=True)
    expect(field).to_have_value("{{secret.slack.url}}")
    assert "N3W-VALUE" not in page.content()
    assert "V4LUE-0F-THE-SECRET" not in page.content()


def test_a_connector_is_registered_with_its_secret_fields_write_only(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/connectors")
    settled(page)
    page.get_by_role("button", name="Register a connector").click()
    dialog = page.get_by_role("dialog", name="Register a connector")
    dialog.get_by_role("radiogroup", name="Connector type").get_by_text("User name and password").click()
    dialog.get_by_role("textbox", name="Name", exact=True).fill("smtp-login")
    dialog.get_by_role("textbox", name="User name", exact=True).fill("mailer")
    dialog.get_by_label("Password", exact=True).fill("P4SSW0RD-NEVER-SHOWN")
    dialog.get_by_role("button", name="Register connector").click()
    row = page.get_by_test_id("connector-row-smtp-login")
    expect(row).to_contain_text("mailer")
    expect(row).to_contain_text("password ••••••••")
    expect(dialog).to_have_count(0)
    assert "P4SSW0RD-NEVER-SHOWN" not in page.content()

    # Changing it: the password field is empty with the dots; left empty, the password stays.
    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Change connector smtp-login")
    password = dialog.get_by_label("Password", exact=True)
    expect(password).to_have_value("")
    expect(password).to_have_attribute("placeholder", "•••••••• (set; type to replace)")
    dialog.get_by_role("textbox", name="User name", exact=True).fill("mailer2")
    dialog.get_by_role("button", name="Save changes").click()
    expect(row).to_contain_text("mailer2")
    expect(row).to_contain_text("password ••••••••")
    expect(dialog).to_have_count(0)
    screenshot(page, "stacks-connectors")
