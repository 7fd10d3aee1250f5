"""Browser tests: Debian's Chromium driven by Playwright, against a live server over the built dashboard."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from live_server import LiveServer
from waypost.execution import runtime
from waypost.server.web import SOURCE_DASHBOARD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    if not (SOURCE_DASHBOARD / "index.html").exists():
        pytest.skip("The dashboard is not built: run `make dashboard`")
    # The reference machine has 2 cores shared with the server, the pipelines and Chromium itself.
    expect.set_options(timeout=10_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """A server over the built dashboard; local pipeline runs record into its store."""
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.settings.store_url)
    monkeypatch.setenv("WAYPOST_ARTIFACT_STORE__URI", server.settings.artifact_store_uri)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


@pytest.fixture
def page(browser: Browser, live: LiveServer) -> Iterator[Page]:
    """A page logged in through a one-time login link, as `waypost up` prints it."""
    store = live.store
    admin = next(u for u in store.users.list() if u.name == "admin")
    token = store.auth.create_login_token(admin.id)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{live.url}/login?token={token}")
    yield page
    context.close()
