"""Helpers for the access-control browser tests: people logged in side by side, the API called
with a page's own session, and Mantine's selects and segmented controls driven as a user would."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from live_server import LiveServer

# The session's CSRF token (the cookie the dashboard reads, src/api/session.ts), echoed in a write.
_FETCH = """async ([method, path, body]) => {
  const name = location.port ? `waypost_csrf_${location.port}` : "waypost_csrf";
  const match = new RegExp(`(?:^|;\\\\s*)${name}=([^;]*)`).exec(document.cookie);
  const headers = { "X-CSRF-Token": match ? decodeURIComponent(match[1]) : "" };
  if (body !== null) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === null ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return [r.status, json];
}"""


def person(store: Any, name: str, *, keep_default_grants: bool = False) -> Any:
    """A new user; without their default-workspace Developer grant unless kept (an organization Member only)."""
    user = store.users.create(name, password=f"{name} has a long password")
    if not keep_default_grants:
        grant = store.access.find_grant("Developer", user=name, workspace="default")
        store.access.revoke(grant.id)
    return user


def log_in(browser: Browser, live: LiveServer, user_name: str) -> tuple[BrowserContext, Page]:
    """A browser context of its own, logged in as ``user_name`` through a one-time login link."""
    user = next(u for u in live.store.users.list() if u.name == user_name)
    token = live.store.auth.create_login_token(user.id)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{live.url}/login?token={token}")
    expect(page.get_by_role("button", name=f"Account of {user_name}")).to_be_visible()
    return context, page


def call(page: Page, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """Call the API from inside the page, with its session cookie and CSRF token: (status, JSON body)."""
    status, payload = page.evaluate(_FETCH, [method, path, body])
    return int(status), payload


def pick(page: Page, field: Locator, option: str, *, shown: str | None = None) -> None:
    """Choose ``option`` in a Mantine Select or MultiSelect: open it, type to narrow it, click the option.

    ``shown`` is how the option reads when it differs from what is typed (the project switcher
    shows a project by its own name under its workspace's heading).
    """
    field.click()
    if field.get_attribute("readonly") is None:
        field.fill(option)
    page.get_by_role("option", name=shown or option, exact=True).click()


def segment(scope: Locator | Page, group: str, label: str) -> None:
    """Click ``label`` in the SegmentedControl named ``group``."""
    scope.get_by_role("radiogroup", name=group).locator("label").filter(
        has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
    ).click()


def settled(page: Page) -> None:
    """Wait until the header knows who the caller is and what they may do (GET /access/me and the
    projects): before that no guarded control shows, so a check that one is absent would prove nothing."""
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Settings")).to_be_visible()
    expect(banner.get_by_role("combobox", name="Project")).to_be_visible()
