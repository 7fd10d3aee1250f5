"""In a real browser: two servers on one host keep their sessions apart (cookies carry the port)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, expect

from live_server import LiveServer

# The CSRF cookie, found by the name the dashboard derives (src/api/session.ts), echoed in a write.
WRITE_WITH_CSRF = """async () => {
  const name = location.port ? `waypost_csrf_${location.port}` : "waypost_csrf";
  const match = new RegExp(`(?:^|;\\\\s*)${name}=([^;]*)`).exec(document.cookie);
  const r = await fetch("/api/v1/auth/api-keys", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": match ? decodeURIComponent(match[1]) : "" },
    body: JSON.stringify({ name: "from the browser" }),
  });
  return r.status;
}"""


def test_two_servers_in_one_browser_keep_their_sessions(browser: Browser, tmp_path: Path) -> None:
    servers = [LiveServer(tmp_path / name).start() for name in ("a", "b")]
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = context.new_page()
        for server in servers:  # log in to a, then to b, in the same browser
            admin = next(u for u in server.store.users.list() if u.name == "admin")
            page.goto(f"{server.url}/login?token={server.store.auth.create_login_token(admin.id)}")
            expect(page).to_have_url(re.compile(f"^{re.escape(server.url)}/"))
            expect(page.get_by_role("heading", name="Runs")).to_be_visible()
        names = {c["name"] for c in context.cookies()}
        for server in servers:
            assert {f"waypost_session_{server.port}", f"waypost_csrf_{server.port}"} <= names
        for server in servers:  # the first login survived the second
            page.goto(f"{server.url}/runs")
            expect(page.get_by_text("No runs yet")).to_be_visible()  # not the "log in again" dialog
            expect(page.get_by_role("dialog")).to_have_count(0)
            assert page.evaluate(WRITE_WITH_CSRF) == 201, server.url
    finally:
        context.close()
        for server in servers:
            server.stop()
