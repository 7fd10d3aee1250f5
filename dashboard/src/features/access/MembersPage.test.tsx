// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setActiveProject } from "../../api/project";
import { formatTime } from "../runs/format";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const at = "2026-11-01T10:00:00Z";
const EXPIRES = "2026-11-08T10:00:00Z";
const ADMIN = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
const MANAGER = { ...ADMIN, user: "ma", is_org_admin: false, organization: ["organization:read", "member:read", "member:manage_members", "team:read", "role:read"] };
const VIEWER = { ...ADMIN, user: "vi", is_org_admin: false, organization: ["organization:read", "member:read", "team:read", "role:read"] };

const user = (name: string, more: Record<string, unknown> = {}) => ({ id: `u-${name}`, name, is_active: true, is_admin: false, is_service_account: false, created_at: at, ...more });

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const state = {
    calls: [] as { method: string; path: string; body: string }[],
    access: {} as unknown,
    hasPassword: true,
    link: (_name: string): Response => new Response(null, { status: 500 }),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === "GET" ? "" : await input.text();
    state.calls.push({ method: input.method, path: url.pathname, body });
    const path = url.pathname;
    const me = state.access as { user: string; is_org_admin: boolean };
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: me.user, is_admin: me.is_org_admin }, via: "session", has_password: state.hasPassword });
    if (path === "/api/v1/auth/password") return new Response(null, { status: 204 });
    if (path === "/api/v1/access/me") return json(state.access);
    if (path === "/api/v1/organization") return json({ id: "o", name: "Acme", workspaces: 1, projects: 1 });
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: at }]);
    if (path === "/api/v1/workspaces") return json([{ id: "w1", name: "default", artifact_prefix: "", created_at: at }]);
    if (path === "/api/v1/users") return json({ items: [user("admin", { is_admin: true }), user("bo"), user("ci-bot", { is_service_account: true }), user("old", { is_active: false })], total: 4, page: 1, size: 1000 });
    if (path === "/api/v1/users/invitations") {
      const asked = JSON.parse(body) as { name: string };
      return json({ user: user(asked.name), url: `http://wp.example/login?token=invite-${asked.name}`, expires_at: EXPIRES }, 201);
    }
    const link = /^\/api\/v1\/users\/([^/]+)\/login-link$/.exec(path);
    if (link && input.method === "POST") return state.link(decodeURIComponent(link[1] ?? ""));
    if (path === "/api/v1/grants" || path === "/api/v1/teams") return json([]);
    if (path === "/api/v1/runs") return json({ items: [], total: 0, page: 1, size: 50 });
    if (path === "/api/v1/pipelines") return json({ items: [], total: 0, page: 1, size: 1000 });
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, json };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
}

const posts = (path: string) => server.state.calls.filter((c) => c.method === "POST" && c.path === path);

beforeEach(() => {
  window.localStorage.clear();
  setActiveProject(undefined);
  server.state.access = ADMIN;
  server.state.hasPassword = true;
  server.state.link = (name) => server.json({ url: `http://wp.example/login?token=fresh-${name}`, expires_at: EXPIRES }, 201);
});

afterEach(() => {
  cleanup();
  server.state.calls = [];
});

describe("inviting members", () => {
  it("creates the person without a password and shows their one-time link, its expiry and a copy button", async () => {
    renderAt("/settings/members");
    const form = await screen.findByRole("form", { name: "Invite a member" });
    fireEvent.change(within(form).getByLabelText(/^Login name/), { target: { value: " ana " } });
    fireEvent.change(within(form).getByLabelText(/^Full name/), { target: { value: "Ana Lima" } });
    fireEvent.click(within(form).getByRole("button", { name: "Invite" }));

    const shown = await screen.findByTestId("login-link-shown");
    expect(within(shown).getByText("ana is invited")).toBeTruthy();
    expect(within(shown).getByTestId("login-link").textContent).toBe("http://wp.example/login?token=invite-ana");
    expect(within(shown).getByTestId("login-link-expiry").textContent).toBe(formatTime(EXPIRES));
    expect(within(shown).getByRole("button", { name: "Copy link" })).toBeTruthy();
    expect(posts("/api/v1/users/invitations").map((c) => JSON.parse(c.body) as unknown)).toEqual([{ name: "ana", full_name: "Ana Lima", email: null }]);
    expect(posts("/api/v1/users")).toEqual([]); // no password is made up and sent
    expect((within(form).getByLabelText(/^Login name/) as HTMLInputElement).value).toBe("");

    fireEvent.click(within(shown).getByRole("button", { name: "Hide the link" }));
    await waitFor(() => expect(screen.queryByTestId("login-link")).toBeNull());
  });

  it("makes a fresh login link for an active person, not for service accounts or deactivated users", async () => {
    renderAt("/settings/members");
    const table = await screen.findByTestId("members-table");
    expect(within(table).getByRole("button", { name: "Login link for admin" })).toBeTruthy(); // an organization Admin may
    expect(within(table).queryByRole("button", { name: "Login link for ci-bot" })).toBeNull();
    expect(within(table).queryByRole("button", { name: "Login link for old" })).toBeNull();
    fireEvent.click(within(table).getByRole("button", { name: "Login link for bo" }));
    const shown = await screen.findByTestId("login-link-shown");
    expect(within(shown).getByText("A new login link for bo")).toBeTruthy();
    expect(within(shown).getByTestId("login-link").textContent).toBe("http://wp.example/login?token=fresh-bo");
    expect(posts("/api/v1/users/bo/login-link")).toHaveLength(1);
  });

  it("shows the server's refusal as it words it", async () => {
    server.state.link = (name) => server.json({ detail: `'${name}' is deactivated; a login link would not work.` }, 409);
    renderAt("/settings/members");
    fireEvent.click(await screen.findByRole("button", { name: "Login link for bo" }));
    expect((await screen.findByRole("alert")).textContent).toBe("'bo' is deactivated; a login link would not work.");
    expect(screen.queryByTestId("login-link")).toBeNull();
  });

  it("offers a Manager links for everyone but admins, and a Viewer neither invites nor links", async () => {
    server.state.access = MANAGER;
    renderAt("/settings/members");
    let table = await screen.findByTestId("members-table");
    expect(await within(table).findByRole("button", { name: "Login link for bo" })).toBeTruthy();
    expect(within(table).queryByRole("button", { name: "Login link for admin" })).toBeNull();
    expect(screen.getByRole("form", { name: "Invite a member" })).toBeTruthy();
    cleanup();

    server.state.access = VIEWER;
    renderAt("/settings/members");
    table = await screen.findByTestId("members-table");
    await within(table).findByText("bo");
    expect(screen.queryByRole("form", { name: "Invite a member" })).toBeNull();
    expect(within(table).queryByRole("button", { name: /^Login link/ })).toBeNull();
  });
});

describe("the invited person", () => {
  it("sets a first password without a current one", async () => {
    server.state.access = { ...VIEWER, user: "ana" };
    server.state.hasPassword = false;
    renderAt("/runs");
    fireEvent.click(await screen.findByRole("button", { name: "Account of ana" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Change password" }));
    const dialog = await screen.findByRole("dialog", { name: "Set your password" });
    expect(within(dialog).queryByLabelText(/^Current password/)).toBeNull();
    fireEvent.change(within(dialog).getByLabelText(/^New password$|^New password\s*\*/), { target: { value: "a-long-new-password" } });
    fireEvent.change(within(dialog).getByLabelText(/^New password again/), { target: { value: "a-long-new-password" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Set password" }));
    expect(await within(dialog).findByText("Password set")).toBeTruthy();
    expect(posts("/api/v1/auth/password").map((c) => JSON.parse(c.body) as unknown)).toEqual([{ new_password: "a-long-new-password" }]);
  });
});
