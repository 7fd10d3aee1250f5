// @vitest-environment happy-dom
import { cleanup, configure, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const ago = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
  const consumer = (n: number, status: string) => ({
    id: `run-${n}`,
    name: `serving-${n}`,
    status,
    role: "consumer",
    via_stage: "production",
    pipeline_name: "serving",
    user_name: "ada",
    created_at: ago(n),
    ended_at: ago(n),
  });
  const state = {
    stages: [] as Record<string, unknown>[],
    statusAsked: 0,
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const path = decodeURIComponent(url.pathname);
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json({ user: "admin", is_org_admin: true, organization: [], workspaces: [], projects: [], shares: [] });
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: "2026-11-01T10:00:00Z" }]);
    if (path === "/api/v1/models/churn") {
      return json({ id: "m-1", name: "churn", description: null, created_at: ago(48), tags: [], latest_version: "3", version_count: 3, stages: { production: "2" }, metric_directions: {} });
    }
    if (path === "/api/v1/models/churn/stage-status") {
      state.statusAsked += 1;
      return json({ model_id: "m-1", model_name: "churn", stages: state.stages });
    }
    if (path === "/api/v1/models/churn/versions-table" || path === "/api/v1/models/m-1/versions-table") {
      return json({ model_id: "m-1", model_name: "churn", project_id: "p1", owner: null, metric_keys: [], metrics: [], items: [], total: 0, page: 1, size: 50 });
    }
    if (path.endsWith("/transitions") || path.endsWith("/stage-requests")) return json({ items: [], total: 0, page: 1, size: 50 });
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, consumer, ago };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

beforeEach(() => {
  const { consumer, ago } = server;
  server.state.statusAsked = 0;
  server.state.stages = [
    {
      stage: "production",
      version_id: "mv-2",
      version: "2",
      number: 2,
      since: ago(5),
      consumers: 7,
      recent: [consumer(1, "completed"), consumer(2, "failed"), consumer(3, "completed")],
      recent_succeeded: 2,
      recent_failed: 1,
    },
    { stage: "staging", consumers: 0, recent: [], recent_succeeded: 0, recent_failed: 0 },
    { stage: "latest", version_id: "mv-3", version: "3", number: 3, since: ago(1), consumers: 0, recent: [], recent_succeeded: 0, recent_failed: 0 },
  ];
});
afterEach(cleanup);

describe("StageStatus on the model page", { timeout: 20_000 }, () => {
  it("shows each stage's holder, since when, and how its latest consumers fared", async () => {
    renderAt("/models/churn");
    const panel = await screen.findByTestId("stage-status");

    const production = within(panel).getByTestId("stage-status-production");
    expect(within(production).getByTestId("stage-holder").textContent).toBe("2");
    expect(within(production).getByTestId("stage-holder").getAttribute("href")).toBe("/models/churn/versions/2");
    expect(within(production).getByTestId("stage-since").textContent).toBe("promoted 5 h ago");
    const dots = within(production).getAllByTestId("consumer-dot");
    expect(dots.map((d) => d.dataset.status)).toEqual(["completed", "failed", "completed"]);
    expect(dots[1]?.getAttribute("href")).toBe("/runs/run-2");
    expect(dots[1]?.getAttribute("aria-label")).toBe("serving-2: failed");
    const summary = within(production).getByTestId("consumer-summary");
    expect(summary.textContent).toBe("2 of 3 succeeded · 7 in all");
    expect(summary.getAttribute("href")).toBe("/models/churn/versions/2?role=consumer");

    const staging = within(panel).getByTestId("stage-status-staging");
    expect(staging.textContent).toContain("no version");
    expect(within(staging).queryByTestId("consumer-summary")).toBeNull();

    const latest = within(panel).getByTestId("stage-status-latest");
    expect(within(latest).getByTestId("stage-holder").textContent).toBe("3");
    expect(within(latest).getByTestId("stage-since").textContent).toBe("made 1 h ago");
    expect(within(latest).getByTestId("no-consumers").textContent).toBe("no consumer runs yet");
  });

  it("looks again while a consumer is still running", async () => {
    const running = { ...server.consumer(1, "running"), ended_at: null };
    server.state.stages = [{ ...server.state.stages[0], recent: [running], recent_succeeded: 0, recent_failed: 0 }, ...server.state.stages.slice(1)];
    renderAt("/models/churn");
    const production = await screen.findByTestId("stage-status-production");
    expect(within(production).getByTestId("consumer-summary").textContent).toBe("0 of 1 succeeded · 7 in all");
    // The run finishes; the panel says so without a reload.
    server.state.stages = [{ ...server.state.stages[0], recent: [{ ...running, status: "completed" }], recent_succeeded: 1 }, ...server.state.stages.slice(1)];
    await waitFor(() => expect(within(screen.getByTestId("stage-status-production")).getByTestId("consumer-summary").textContent).toBe("1 of 1 succeeded · 7 in all"), { timeout: 8000 });
  });
});
