"""The dashboard under its Content-Security-Policy: every view still works, nothing is refused."""

from __future__ import annotations

import time

from playwright.sync_api import ConsoleMessage, Page, expect

from live_server import LiveServer
from waypost import pipeline, step


@step
def busy() -> int:
    print("busy for a moment")
    end = time.monotonic() + 1.5  # long enough for resource samples, so the Metrics tab draws charts
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


@step
def halve(n: int) -> float:
    return n / 2


@pipeline
def e2e_csp() -> None:
    halve(busy())


def test_every_view_runs_under_the_policy_without_a_refusal(page: Page, live: LiveServer) -> None:
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    page.on("pageerror", lambda error: refused.append(f"page error: {error}"))
    run = e2e_csp()
    response = page.goto(f"{live.url}/runs/{run.id}?view=dag")
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    expect(page.locator('[data-testid="dag"][data-state="ready"]')).to_be_visible()  # ELK in its worker
    page.goto(f"{live.url}/runs/{run.id}?view=timeline&step=busy&tab=metrics")
    expect(page.locator('[data-testid="timeline"][data-state="ready"]')).to_be_visible()
    expect(page.locator('[data-testid="step-panel"] canvas').first).to_be_visible()  # ECharts
    page.goto(f"{live.url}/runs/{run.id}?step=busy&tab=logs")
    expect(page.locator('[data-testid="log-view"][data-state="ready"]')).to_be_visible()
    expect(page.get_by_text("busy for a moment")).to_be_visible()
    assert refused == []
