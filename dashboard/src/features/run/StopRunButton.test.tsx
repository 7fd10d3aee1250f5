// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Run } from "../../api/runs";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const RUN_ID = "3f1c0d7e-0000-4000-8000-0000000000a1";
const at = "2026-11-01T10:00:00Z";

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const admin = { user: "admin", is_org_admin: true, organization: [] as string[], workspaces: [], projects: [], shares: [] };
  const state = {
    run: undefined as unknown as Record<string, unknown>,
    me: admin as unknown,
    stops: [] as { path: string; body: string }[],
    /** How the stop route answers; by default as the server does for a running run. */
    stop: undefined as undefined | ((body: string) => Response),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const path = url.pathname;
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json(state.me);
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: "2026-11-01T10:00:00Z" }]);
    if (path.endsWith("/stop") && input.method === "POST") {
      const body = await input.text();
      state.stops.push({ path, body });
      if (state.stop) return state.stop(body);
      const reason = (JSON.parse(body || "{}") as { reason?: string }).reason;
      state.run = { ...state.run, status: "stopped", status_reason: reason ? `Stopped by admin: ${reason}` : "Stopped by admin", ended_at: "2026-11-01T10:05:00Z" };
      return json(state.run);
    }
    if (path.endsWith("/graph")) return json({ run_id: state.run.id, status: state.run.status, started_at: "2026-11-01T10:00:00Z", ended_at: null, steps: [] });
    if (/\/api\/v1\/runs\/[^/]+$/.test(path)) return json(state.run);
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, admin, json };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: RUN_ID,
    name: "nightly-train",
    pipeline_id: "3f1c0d7e-0000-4000-8000-0000000000a2",
    pipeline_name: "train",
    snapshot_id: "3f1c0d7e-0000-4000-8000-0000000000a3",
    archived: false,
    project_id: "p1",
    status: "running",
    config: {},
    parameters: {},
    orchestrator: "dask",
    orchestrator_run_id: null,
    stack_id: null,
    user_id: null,
    created_at: at,
    started_at: at,
    ended_at: null,
    heartbeat_at: at,
    tags: [],
    ...overrides,
  };
}

function renderRun() {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [`/runs/${RUN_ID}`] }));
  render(<App router={router} queryClient={createQueryClient()} />);
}

/** What the caller may do has loaded, so a guarded control that is absent stays absent. */
const accessLoaded = () => new Promise((resolve) => setTimeout(resolve, 300));

beforeEach(() => {
  server.state.me = server.admin;
  server.state.stops = [];
  server.state.stop = undefined;
});
afterEach(cleanup);

describe("Stop run", { timeout: 20_000 }, () => {
  it("asks for a reason, stops the run and shows it stopped", async () => {
    server.state.run = run();
    renderRun();
    fireEvent.click(await screen.findByRole("button", { name: "Stop run" }));
    const dialog = await screen.findByRole("dialog", { name: "Stop run nightly-train?" });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: "  wrong data set " } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Stop run" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(server.state.stops).toEqual([{ path: `/api/v1/runs/${RUN_ID}/stop`, body: JSON.stringify({ reason: "wrong data set" }) }]);
    // The run is read again: stopped, with the reason, and nothing left to stop.
    expect((await screen.findByTestId("run-status-reason")).textContent).toBe("Stopped by admin: wrong data set");
    await waitFor(() => expect(screen.queryByRole("button", { name: "Stop run" })).toBeNull());
  });

  it("sends no reason when none is given, and Cancel stops nothing", async () => {
    server.state.run = run({ status: "initializing" });
    renderRun();
    fireEvent.click(await screen.findByRole("button", { name: "Stop run" }));
    let dialog = await screen.findByRole("dialog", { name: "Stop run nightly-train?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(server.state.stops).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Stop run" }));
    dialog = await screen.findByRole("dialog", { name: "Stop run nightly-train?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Stop run" }));
    await waitFor(() => expect(server.state.stops).toHaveLength(1));
    expect(server.state.stops[0]?.body).toBe("{}");
  });

  it("shows the server's refusal in the dialog", async () => {
    server.state.run = run();
    server.state.stop = () => {
      server.state.run = { ...server.state.run, status: "completed", ended_at: "2026-11-01T10:04:00Z" };
      return server.json({ detail: "Run 'nightly-train' already ended (completed); there is nothing to stop." }, 409);
    };
    renderRun();
    fireEvent.click(await screen.findByRole("button", { name: "Stop run" }));
    const dialog = await screen.findByRole("dialog", { name: "Stop run nightly-train?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Stop run" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toContain("Run 'nightly-train' already ended (completed); there is nothing to stop.");
    // The run was read again (it ended meanwhile), and the dialog stays open for its answer to be read.
    await waitFor(() => expect(screen.getAllByText("completed").length).toBeGreaterThan(0));
    expect(screen.getByRole("dialog", { name: "Stop run nightly-train?" })).toBeTruthy();
  });

  it("is offered only for a run that is going, to those who may update it", async () => {
    server.state.run = run({ status: "completed", ended_at: "2026-11-01T10:04:00Z" });
    renderRun();
    expect(await screen.findByTestId("run-name")).toBeTruthy();
    await accessLoaded();
    expect(screen.queryByRole("button", { name: "Stop run" })).toBeNull();
    cleanup();

    server.state.run = run();
    server.state.me = { user: "vi", is_org_admin: false, organization: [], workspaces: [{ id: "w1", name: "default", permissions: ["run:read"] }], projects: [], shares: [] };
    renderRun();
    expect(await screen.findByTestId("run-name")).toBeTruthy();
    await accessLoaded();
    expect(screen.queryByRole("button", { name: "Stop run" })).toBeNull();
    cleanup();

    server.state.me = { user: "dev", is_org_admin: false, organization: [], workspaces: [], projects: [{ id: "p1", name: "default/default", permissions: ["run:read", "run:update"] }], shares: [] };
    renderRun();
    expect(await screen.findByRole("button", { name: "Stop run" })).toBeTruthy();
  });
});
