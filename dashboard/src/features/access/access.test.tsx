// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { STORAGE_KEY, setActiveProject } from "../../api/project";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const ADMIN_PERMISSIONS = ["organization:read", "organization:update", "usage:read", "member:read", "member:manage_members", "role:read", "role:create", "role:update", "role:delete", "run:read", "run:share", "audit_log:read"];
const at = "2026-11-01T10:00:00Z";

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const admin = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
  const state = {
    calls: [] as { method: string; path: string; query: URLSearchParams; body: string; project: string | null }[],
    me: admin as unknown,
    admin,
    audit: (_q: URLSearchParams): Response => new Response("[]"),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const body = input.method === "GET" ? "" : await input.text();
    state.calls.push({ method: input.method, path: url.pathname, query: url.searchParams, body, project: input.headers.get("X-Waypost-Project") });
    const path = url.pathname;
    const user = (state.me as { user: string }).user;
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: user, is_admin: user === "admin" }, via: "session" });
    if (path === "/api/v1/access/me") return json(state.me);
    if (path === "/api/v1/organization") return json({ id: "o", name: "Acme", workspaces: 2, projects: 3 });
    if (path === "/api/v1/projects")
      return json([
        { id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: at },
        { id: "p2", workspace_id: "w2", workspace: "ml", name: "churn", created_at: at },
        { id: "p3", workspace_id: "w2", workspace: "ml", name: "vision", created_at: at },
      ]);
    if (path === "/api/v1/workspaces") return json([{ id: "w1", name: "default", artifact_prefix: "", created_at: at }]);
    if (path === "/api/v1/roles" && input.method === "GET")
      return json([
        { id: "r-admin", name: "Admin", level: "organization", builtin: true, description: "Everything.", permissions: ADMIN_PERMISSIONS, created_at: at },
        { id: "r-viewer", name: "Viewer", level: "project", builtin: true, description: "Reads the project.", permissions: ["run:read"], created_at: at },
        { id: "r-custom", name: "Steward", level: "project", builtin: false, description: null, permissions: ["run:read", "run:share"], created_at: at },
      ]);
    if (path === "/api/v1/roles" && input.method === "POST") return json({ id: "r-new", builtin: false, created_at: at, ...JSON.parse(body) }, 201);
    if (path === "/api/v1/users") return json({ items: [{ id: "u1", name: "admin", is_active: true, is_admin: true, is_service_account: false, created_at: at }, { id: "u2", name: "bo", is_active: true, is_admin: false, is_service_account: false, created_at: at }], total: 2, page: 1, size: 1000 });
    if (path === "/api/v1/grants") return json([{ id: "g1", role_id: "r", role: "Admin", level: "organization", principal_type: "user", principal_id: "u1", principal: "admin", scope_type: "organization", scope_id: "o", scope: "organization", created_at: at }]);
    if (path === "/api/v1/teams") return json([]);
    if (path === "/api/v1/audit-events") return state.audit(url.searchParams);
    if (path === "/api/v1/runs") return json({ items: [], total: 0, page: 1, size: 50 });
    if (path === "/api/v1/pipelines") return json({ items: [], total: 0, page: 1, size: 1000 });
    if (path === "/api/v1/runs/r1") return json({ id: "r1", name: "train-1", pipeline_name: "train", project_id: "p2", status: "completed", tags: [], created_at: at, step_counts: {} });
    if (path === "/api/v1/runs/r1/graph") return json({ run_id: "r1", steps: [], edges: [] });
    if (path === "/api/v1/shares/run/r1") return json([{ id: "s1", resource_type: "run", resource_id: "r1", principal_type: "team", principal_id: "t", principal: "ml", role_id: "r", role: "Viewer", created_at: at }]);
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, json };
});

const VIEWER = {
  user: "vi",
  is_org_admin: false,
  organization: ["organization:read", "member:read", "team:read", "role:read"],
  workspaces: [{ id: "w2", name: "ml", permissions: ["run:read", "project:read"] }],
  projects: [],
  shares: [],
};

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const calls = (path: string, method = "GET") => server.state.calls.filter((c) => c.path === path && c.method === method);

beforeEach(() => {
  window.localStorage.clear();
  setActiveProject(undefined);
});

afterEach(() => {
  cleanup();
  server.state.calls = [];
  server.state.me = server.state.admin;
});

describe("the project switcher", () => {
  it("lists projects by workspace; picking one puts it in the URL and storage and sends it on every list request", async () => {
    const router = renderAt("/runs");
    const switcher = await screen.findByRole("combobox", { name: "Project" });
    await waitFor(() => expect((switcher as HTMLInputElement).value).toBe("All projects"));
    expect(calls("/api/v1/runs").every((c) => c.project === null)).toBe(true);

    fireEvent.click(switcher);
    const churn = await screen.findByRole("option", { name: "churn", hidden: true });
    expect(churn.closest(".mantine-Select-group")?.textContent).toMatch(/^ml/); // under its workspace's heading
    fireEvent.click(churn);

    await waitFor(() => expect(router.state.location.search).toEqual({ project: "ml/churn" }));
    expect(window.localStorage.getItem(STORAGE_KEY)).toBe("ml/churn");
    await waitFor(() => expect(calls("/api/v1/runs").some((c) => c.project === "ml/churn")).toBe(true));
    // Organization-wide routes are not narrowed.
    expect(server.state.calls.filter((c) => c.path.startsWith("/api/v1/access") || c.path === "/api/v1/projects").every((c) => c.project === null)).toBe(true);

    // Links keep the project; "All projects" drops it.
    fireEvent.click(screen.getByRole("link", { name: "Pipelines" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/pipelines"));
    expect(router.state.location.search).toEqual({ project: "ml/churn" });
    fireEvent.click(screen.getByRole("combobox", { name: "Project" }));
    fireEvent.click(await screen.findByRole("option", { name: "All projects", hidden: true }));
    await waitFor(() => expect(router.state.location.search).toEqual({}));
    expect(window.localStorage.getItem(STORAGE_KEY)).toBeNull();
    server.state.calls = [];
    fireEvent.click(screen.getByRole("link", { name: "Runs" }));
    await waitFor(() => expect(calls("/api/v1/runs").length).toBeGreaterThan(0));
    expect(calls("/api/v1/runs").every((c) => c.project === null)).toBe(true);
  });

  it("opens on the project remembered from the last visit, and names it in the URL", async () => {
    window.localStorage.setItem(STORAGE_KEY, "ml/vision");
    setActiveProject("ml/vision");
    const router = renderAt("/runs");
    await waitFor(() => expect(router.state.location.search).toEqual({ project: "ml/vision" }));
    await waitFor(() => expect(calls("/api/v1/runs").length).toBeGreaterThan(0));
    expect(calls("/api/v1/runs").every((c) => c.project === "ml/vision")).toBe(true);
  });
});

describe("the permission grid", () => {
  it("offers only the pairs the server knows, ticks whole rows, and saves in catalogue order", async () => {
    renderAt("/settings/roles");
    fireEvent.click(await screen.findByRole("button", { name: "New role" }));
    const dialog = await screen.findByRole("dialog", { name: "New role" });
    const grid = within(dialog).getByTestId("permission-grid");
    expect(within(grid).getByRole("checkbox", { name: "usage:read" })).toBeTruthy();
    expect(within(grid).queryByRole("checkbox", { name: "usage:update" })).toBeNull(); // not a permission
    expect(within(grid).queryByRole("checkbox", { name: "audit_log:delete" })).toBeNull();

    fireEvent.change(within(dialog).getByLabelText(/^Name/), { target: { value: "Auditor" } });
    // A project-level role can hold nothing of the audit log: the row is dimmed and cannot be ticked.
    expect((within(grid).getByRole("checkbox", { name: "audit_log:read" }) as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(within(dialog).getByLabelText("organization"));
    fireEvent.click(within(grid).getByRole("checkbox", { name: "audit_log:read" }));
    fireEvent.click(within(grid).getByRole("button", { name: "run" })); // the whole row
    fireEvent.click(within(grid).getByRole("checkbox", { name: "run:share" })); // and one back off
    expect(within(dialog).getByText(/^2 permissions/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Create role" }));
    await waitFor(() => expect(calls("/api/v1/roles", "POST")).toHaveLength(1));
    expect(JSON.parse(calls("/api/v1/roles", "POST")[0]!.body)).toEqual({ name: "Auditor", level: "organization", permissions: ["run:read", "audit_log:read"], description: null });
  });

  it("shows a built-in role read-only", async () => {
    renderAt("/settings/roles");
    fireEvent.click(await screen.findByRole("button", { name: "View project role Viewer" }));
    const dialog = await screen.findByRole("dialog");
    const box = within(dialog).getByRole("checkbox", { name: "run:read" }) as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect(box.checked).toBe(true);
    expect((within(dialog).getByRole("checkbox", { name: "run:share" }) as HTMLInputElement).disabled).toBe(true);
    expect(within(dialog).queryByRole("button", { name: "Save" })).toBeNull();
  });
});

describe("controls the caller may not use", () => {
  it("are not shown to a Viewer: no audit log, no invite or deactivate, no new role, no share", async () => {
    server.state.me = VIEWER;
    renderAt("/settings/members");
    const nav = await screen.findByRole("navigation", { name: "Settings" });
    await within(nav).findByText("Members");
    expect(within(nav).queryByText("Audit log")).toBeNull();
    expect(within(nav).getByText("Access explorer")).toBeTruthy();
    await screen.findByTestId("members-table");
    expect(screen.queryByRole("form", { name: "Invite a member" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Deactivate/ })).toBeNull();

    fireEvent.click(within(nav).getByText("Roles"));
    await screen.findByTestId("roles-project");
    expect(screen.queryByRole("button", { name: "New role" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Delete/ })).toBeNull();
    expect(screen.getByRole("button", { name: "View project role Steward" })).toBeTruthy(); // custom, but not theirs to edit
  });

  it("shows Share on a run only where the caller may share it", async () => {
    server.state.me = VIEWER;
    renderAt("/runs/r1");
    expect(await screen.findByTestId("run-name")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Share" })).toBeNull();
    cleanup();

    server.state.me = { ...VIEWER, workspaces: [{ id: "w2", name: "ml", permissions: ["run:read", "run:share"] }] };
    renderAt("/runs/r1");
    fireEvent.click(await screen.findByRole("button", { name: "Share" }));
    const dialog = await screen.findByRole("dialog", { name: "Share run train-1" });
    expect(await within(dialog).findByText("ml")).toBeTruthy(); // the current share, with a team
  });
});

describe("the audit log", () => {
  const event = (n: number) => ({ id: `e${n}`, created_at: at, actor_name: "admin", client_address: "127.0.0.1", action: "grant.created", target: `Viewer to user u${n}`, details: { grant_id: `g${n}` } });

  it("lists events, filters through the URL, pages, and links a CSV of what matches", async () => {
    server.state.audit = (q) =>
      q.get("q") === "bad:key"
        ? server.json({ detail: "Unknown filter key 'bad'; use one of: action, actor, target, address, created." }, 400)
        : server.json({ items: [event(Number(q.get("page") ?? 1))], total: 120, page: Number(q.get("page") ?? 1), size: 50 });
    const router = renderAt("/settings/audit");
    const table = await screen.findByTestId("audit-table");
    expect(within(table).getByText("Viewer to user u1")).toBeTruthy();
    expect(screen.getByText("120 events, newest first")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "2" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ page: 2 }));
    expect(await screen.findByText("Viewer to user u2")).toBeTruthy();

    const box = screen.getByLabelText("Filter the audit log");
    fireEvent.change(box, { target: { value: "action:grant.created" } });
    fireEvent.submit(box.closest("form")!);
    await waitFor(() => expect(router.state.location.search).toEqual({ q: "action:grant.created" }));
    await waitFor(() => expect(calls("/api/v1/audit-events").some((c) => c.query.get("q") === "action:grant.created" && c.query.get("page") === "1")).toBe(true));
    expect(screen.getByRole("link", { name: "Export CSV" }).getAttribute("href")).toBe(`${window.location.origin}/api/v1/audit-events/export.csv?q=action%3Agrant.created`);

    fireEvent.change(box, { target: { value: "bad:key" } });
    fireEvent.submit(box.closest("form")!);
    expect(await screen.findByText(/Unknown filter key 'bad'/)).toBeTruthy();
  });

  it("is closed to those without audit_log:read, without asking the server", async () => {
    server.state.me = VIEWER;
    renderAt("/settings/audit");
    expect(await screen.findByText("The audit log is for administrators")).toBeTruthy();
    expect(calls("/api/v1/audit-events")).toHaveLength(0);
  });
});
