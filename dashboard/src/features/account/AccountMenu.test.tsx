// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import { setSessionEnded } from "../../api/session";
import { expiresAt } from "./ApiKeysModal";
import { newPasswordProblem } from "./ChangePasswordModal";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

interface Key {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const state = {
    calls: [] as { method: string; path: string; body: string }[],
    keys: [] as Key[],
    loggedIn: true,
    password: (_body: { current_password: string; new_password: string }): Response => new Response(null, { status: 204 }),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === "GET" ? "" : await input.text();
    state.calls.push({ method: input.method, path: url.pathname, body });
    if (!state.loggedIn && url.pathname !== "/api/v1/auth/login") return json({ detail: "Log in first." }, 401);
    if (url.pathname === "/api/v1/auth/me") return json({ user: { name: "ana", full_name: "Ana Lima", is_admin: false }, via: "session" });
    if (url.pathname === "/api/v1/auth/logout") {
      state.loggedIn = false;
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/api/v1/auth/password") return state.password(JSON.parse(body));
    if (url.pathname === "/api/v1/auth/api-keys" && input.method === "GET") return json(state.keys);
    if (url.pathname === "/api/v1/auth/api-keys" && input.method === "POST") {
      const asked = JSON.parse(body) as { name: string; expires_at: string | null };
      const key = { id: `k${state.keys.length + 1}`, user_id: "u", name: asked.name, prefix: "wp_ab12", created_at: "2026-11-01T10:00:00Z", expires_at: asked.expires_at, last_used_at: null };
      state.keys = [key, ...state.keys];
      return json({ ...key, key: "wp_ab12_SECRET" }, 201);
    }
    const revoke = /^\/api\/v1\/auth\/api-keys\/(.+)$/.exec(url.pathname);
    if (revoke && input.method === "DELETE") {
      state.keys = state.keys.filter((k) => k.id !== revoke[1]);
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/api/v1/runs") return json({ items: [], total: 0, page: 1, size: 50 });
    if (url.pathname === "/api/v1/pipelines") return json({ items: [], total: 0, page: 1, size: 1000 });
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, json };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderApp() {
  const router = createAppRouter(createMemoryHistory({ initialEntries: ["/runs"] }));
  render(<App router={router} queryClient={createQueryClient()} />);
}

async function openMenuItem(name: string) {
  fireEvent.click(await screen.findByRole("button", { name: "Account of ana" }));
  fireEvent.click(await screen.findByRole("menuitem", { name }));
}

afterEach(() => {
  cleanup();
  setSessionEnded(false);
  server.state.calls = [];
  server.state.keys = [];
  server.state.loggedIn = true;
});

describe("the account menu", () => {
  it("lists, creates (showing the secret once) and revokes the user's API keys", async () => {
    server.state.keys = [{ id: "k0", user_id: "u", name: "laptop", prefix: "wp_zz99", created_at: "2026-10-01T10:00:00Z", expires_at: null, last_used_at: "2026-10-30T10:00:00Z" }];
    renderApp();
    await openMenuItem("My API keys");
    const dialog = await screen.findByRole("dialog", { name: "My API keys" });
    const table = await within(dialog).findByTestId("api-keys-table");
    expect(within(table).getByText("laptop")).toBeTruthy();
    expect(within(table).getByText("wp_zz99…")).toBeTruthy();
    expect(within(table).getAllByText("never")).toHaveLength(1); // expires never; last used has a time

    fireEvent.change(within(dialog).getByLabelText(/New key's name/), { target: { value: "ci" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect((await within(dialog).findByTestId("new-api-key")).textContent).toBe("wp_ab12_SECRET");
    expect(within(dialog).getByRole("button", { name: "Copy" })).toBeTruthy();
    const created = JSON.parse(server.state.calls.find((c) => c.method === "POST")!.body) as { name: string; expires_at: string };
    expect(created.name).toBe("ci");
    expect(Date.parse(created.expires_at) - Date.now()).toBeGreaterThan(89 * 86_400_000); // 90 days by default
    await within(table).findByText("ci");

    fireEvent.click(within(dialog).getByRole("button", { name: "Revoke laptop" }));
    expect(server.state.calls.some((c) => c.method === "DELETE")).toBe(false); // asks first
    fireEvent.click(within(dialog).getByRole("button", { name: "Confirm revoking laptop" }));
    await waitFor(() => expect(within(dialog).queryByText("laptop")).toBeNull());
    expect(server.state.calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual(["/api/v1/auth/api-keys/k0"]);
  });

  it("changes the password, showing the server's one-line error first", async () => {
    server.state.password = (body) => (body.current_password === "right-password" ? new Response(null, { status: 204 }) : server.json({ detail: "The current password is wrong." }, 403));
    renderApp();
    await openMenuItem("Change password");
    const dialog = await screen.findByRole("dialog", { name: "Change password" });
    const fill = (current: string, next: string, again: string) => {
      fireEvent.change(within(dialog).getByLabelText(/^Current password/), { target: { value: current } });
      fireEvent.change(within(dialog).getByLabelText(/^New password$|^New password\s*\*/), { target: { value: next } });
      fireEvent.change(within(dialog).getByLabelText(/^New password again/), { target: { value: again } });
      fireEvent.click(within(dialog).getByRole("button", { name: "Change password" }));
    };
    fill("wrong", "short", "short");
    expect(await within(dialog).findByText("The new password needs at least 12 characters.")).toBeTruthy();
    expect(server.state.calls.some((c) => c.path === "/api/v1/auth/password")).toBe(false);
    fill("wrong", "a-long-new-password", "a-long-new-password");
    expect(await within(dialog).findByText("The current password is wrong.")).toBeTruthy();
    fill("right-password", "a-long-new-password", "a-long-new-password");
    expect(await within(dialog).findByText("Password changed")).toBeTruthy();
  });

  it("logs out and shows the login form", async () => {
    renderApp();
    await openMenuItem("Log out");
    expect(await screen.findByRole("button", { name: "Log in" })).toBeTruthy();
    expect(server.state.calls.filter((c) => c.path === "/api/v1/auth/logout").map((c) => c.method)).toEqual(["POST"]);
  });
});

describe("helpers", () => {
  it("checks the new password and turns an expiry into a time", () => {
    expect(newPasswordProblem("x".repeat(12), "x".repeat(12))).toBeUndefined();
    expect(newPasswordProblem("x".repeat(12), "y".repeat(12))).toMatch(/differ/);
    expect(expiresAt("never", 0)).toBeNull();
    expect(expiresAt("30", 0)).toBe(new Date(30 * 86_400_000).toISOString());
  });
});
