// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { setActiveProject } from "../../api/project";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const at = "2026-11-01T10:00:00Z";
const VIEWER = { user: "vi", is_org_admin: false, organization: ["member:read", "team:read", "role:read"], workspaces: [{ id: "w2", name: "ml", permissions: ["artifact:read", "project:read"] }], projects: [], shares: [] };

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const state = { calls: [] as { method: string; path: string; body: string }[], access: {} as unknown };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === "GET" ? "" : await input.text();
    state.calls.push({ method: input.method, path: url.pathname, body });
    const path = url.pathname;
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "vi", is_admin: false }, via: "session" });
    if (path === "/api/v1/access/me") return json(state.access);
    if (path === "/api/v1/projects") return json([{ id: "p2", workspace_id: "w2", workspace: "ml", name: "churn", created_at: at }]);
    if (path === "/api/v1/users") return json({ items: [{ id: "u2", name: "bo", is_active: true, is_admin: false, is_service_account: false, created_at: at }], total: 1, page: 1, size: 1000 });
    if (path === "/api/v1/teams") return json([]);
    if (path === "/api/v1/roles") return json([{ id: "r-viewer", name: "Viewer", level: "project", builtin: true, description: null, permissions: ["artifact:read"], created_at: at }]);
    if (path === "/api/v1/artifacts/dataset") return json({ id: "a1", name: "dataset", created_at: at, latest_version: 0, tags: [], project_id: "p2" });
    if (path === "/api/v1/shares/artifact/a1" && input.method === "GET") return json([]);
    if (path === "/api/v1/shares/artifact/a1" && input.method === "POST")
      return json({ id: "s1", resource_type: "artifact", resource_id: "a1", principal_type: "user", principal_id: "u2", principal: "bo", role_id: "r-viewer", role: "Viewer", created_at: at }, 201);
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
}

/** Once the page has asked who the caller is and where the projects are, and had the answers drawn. */
async function settled() {
  await waitFor(() => expect(["/api/v1/access/me", "/api/v1/projects"].every((p) => server.state.calls.some((c) => c.path === p))).toBe(true));
  await new Promise((resolve) => setTimeout(resolve, 100));
}

beforeEach(() => {
  window.localStorage.clear();
  setActiveProject(undefined);
});

afterEach(() => {
  cleanup();
  server.state.calls = [];
});

describe("Share on the artifact page", () => {
  it("shows only where the caller may share the artifact, in its project's workspace", async () => {
    server.state.access = VIEWER;
    renderAt("/artifacts/dataset");
    expect(await screen.findByTestId("artifact-page")).toBeTruthy();
    await settled();
    expect(screen.queryByRole("button", { name: "Share" })).toBeNull();
    cleanup();

    server.state.access = { ...VIEWER, workspaces: [{ id: "w2", name: "ml", permissions: ["artifact:read", "artifact:share"] }] };
    renderAt("/artifacts/dataset");
    fireEvent.click(await screen.findByRole("button", { name: "Share" }));
    const dialog = await screen.findByRole("dialog", { name: "Share artifact dataset" });
    expect(await within(dialog).findByText(/dataset is not shared with anyone yet/)).toBeTruthy();
  });

  it("is not offered for an artifact of another workspace", async () => {
    server.state.access = { ...VIEWER, workspaces: [{ id: "w9", name: "other", permissions: ["artifact:read", "artifact:share"] }] };
    renderAt("/artifacts/dataset");
    expect(await screen.findByTestId("artifact-page")).toBeTruthy();
    await settled();
    expect(screen.queryByRole("button", { name: "Share" })).toBeNull();
  });
});
