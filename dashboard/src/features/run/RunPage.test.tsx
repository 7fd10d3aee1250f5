// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { GraphStep, RunGraph } from "../../api/graph";
import type { Run } from "../../api/runs";

configure({ asyncUtilTimeout: 4000 });

const RUN_ID = "3f1c0d7e-0000-4000-8000-000000000001";

/** The server, faked at the one boundary outside the product: fetch. */
const server = vi.hoisted(() => {
  const admin = { user: "admin", is_org_admin: true, organization: [], workspaces: [], projects: [], shares: [] };
  const state = { run: undefined as unknown, graph: undefined as unknown, step: undefined as unknown, access: admin as unknown };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const p = url.pathname;
    if (p === "/api/v1/auth/me") return json({ user: { name: "admin" }, via: "session" });
    if (p === "/api/v1/access/me") return json(state.access);
    if (p === "/api/v1/projects") return json([]);
    if (p.endsWith("/graph")) return state.graph ? json(state.graph) : json({ detail: "Run 'nope' was not found." }, 404);
    if (/\/api\/v1\/runs\/[^/]+$/.test(p)) return state.run ? json(state.run) : json({ detail: "Run 'nope' was not found; list runs with `waypost runs list`." }, 404);
    if (/\/steps\/[^/]+$/.test(p)) return json(state.step);
    if (p.includes("/logs")) return json([]);
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, admin };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: RUN_ID,
    name: "iris_training-7",
    pipeline_id: "3f1c0d7e-0000-4000-8000-000000000002",
    pipeline_name: "iris_training",
    snapshot_id: "3f1c0d7e-0000-4000-8000-000000000003",
    archived: false,
    status: "failed",
    config: {},
    parameters: {},
    orchestrator: "local",
    orchestrator_run_id: null,
    stack_id: null,
    user_id: null,
    created_at: "2026-11-01T10:00:00Z",
    started_at: "2026-11-01T10:00:00Z",
    ended_at: "2026-11-01T10:00:09Z",
    heartbeat_at: null,
    tags: [],
    ...overrides,
  };
}

function step(name: string, status: GraphStep["status"], after: string[] = []): GraphStep {
  return { name, step_name: name, status, started_at: "2026-11-01T10:00:01Z", ended_at: "2026-11-01T10:00:02Z", after, inputs: [], outputs: [], error_type: status === "failed" ? "ValueError" : null };
}

function graph(steps: GraphStep[]): RunGraph {
  return { run_id: RUN_ID, status: "failed", started_at: "2026-11-01T10:00:00Z", ended_at: "2026-11-01T10:00:09Z", steps };
}

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

afterEach(cleanup);

describe("RunPage", () => {
  it("opens a failed run on its failing step once; closing the panel keeps it closed", async () => {
    server.state.run = run();
    server.state.graph = graph([step("load", "completed"), step("train", "failed", ["load"]), step("report", "skipped", ["train"])]);
    server.state.step = {
      id: "3f1c0d7e-0000-4000-8000-000000000009",
      run_id: RUN_ID,
      name: "train",
      step_name: "train",
      status: "failed",
      error_type: "ValueError",
      error_message: "negative input",
      traceback: "Traceback (most recent call last):\nValueError: negative input",
      parameters: {},
      config: {},
      cache_components: {},
      source_code: "",
      source_hash: "",
      upstream: ["load"],
      resource_samples: [],
      created_at: "2026-11-01T10:00:01Z",
      started_at: "2026-11-01T10:00:01Z",
      ended_at: "2026-11-01T10:00:02Z",
      inputs: {},
      outputs: {},
      attempts: [],
    };
    const router = renderAt(`/runs/${RUN_ID}`);
    expect(await screen.findByTestId("run-name")).toBeTruthy();
    await waitFor(() => expect(router.state.location.search).toMatchObject({ step: "train" }));
    expect((await screen.findAllByText(/negative input/)).length).toBeGreaterThan(0);

    fireEvent.click(screen.getByLabelText("Close the step panel"));
    await waitFor(() => expect(router.state.location.search).not.toHaveProperty("step"));
    await new Promise((r) => setTimeout(r, 300));
    expect(router.state.location.search).not.toHaveProperty("step");
  });

  it("opens a run with more than 100 steps in the Timeline and a smaller one in the DAG", async () => {
    server.state.run = run({ status: "completed" });
    server.state.graph = graph(Array.from({ length: 101 }, (_, i) => step(`work_${i}`, "completed")));
    renderAt(`/runs/${RUN_ID}`);
    expect(await screen.findByTestId("timeline", {}, { timeout: 8000 })).toBeTruthy();
    cleanup();
    server.state.graph = graph([step("load", "completed")]);
    renderAt(`/runs/${RUN_ID}`);
    expect(await screen.findByTestId("dag", {}, { timeout: 8000 })).toBeTruthy();
  });

  it("says an unknown run was not found and leads back to the runs", async () => {
    server.state.run = undefined;
    server.state.graph = undefined;
    renderAt("/runs/nope");
    expect(await screen.findByText("No such run")).toBeTruthy();
    expect(screen.getByText(/was not found/)).toBeTruthy();
    expect(screen.getByText("Back to the runs")).toBeTruthy();
  });

  it("links the pipeline only for those who may open it (a run shared alone shows its name as text)", async () => {
    server.state.run = run({ status: "completed" });
    server.state.graph = graph([step("load", "completed")]);
    server.state.access = { user: "bea", is_org_admin: false, organization: [], workspaces: [], projects: [], shares: [{ resource_type: "run", resource_id: RUN_ID, resource_name: "iris_training-7", role: "Viewer", permissions: ["run:read"] }] };
    renderAt(`/runs/${RUN_ID}`);
    expect((await screen.findByTestId("run-name")).textContent).toBe("iris_training-7");
    await new Promise((resolve) => setTimeout(resolve, 300)); // what the caller may do has loaded
    expect(screen.getByTestId("run-pipeline").tagName).toBe("SPAN");
    expect(screen.getByTestId("run-pipeline").textContent).toBe("iris_training");
    cleanup();

    server.state.access = server.admin;
    renderAt(`/runs/${RUN_ID}`);
    await waitFor(() => expect(screen.getByTestId("run-pipeline").tagName).toBe("A"));
    expect(screen.getByTestId("run-pipeline").getAttribute("href")).toBe("/pipelines/iris_training");
  });
});
