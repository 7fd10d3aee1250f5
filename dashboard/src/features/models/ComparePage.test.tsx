// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });


/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const state = { compares: [] as string[] };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const v = (n: number, stage = "none") => ({ id: `v${n}`, number: n, name: String(n), stage, created_at: "2026-11-01T10:00:00Z", run: null });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    const path = decodeURIComponent(url.pathname);
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json({ user: "admin", is_org_admin: true, organization: [], workspaces: [], projects: [], shares: [] });
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: "2026-11-01T10:00:00Z" }]);
    if (path === "/api/v1/models/iris") {
      return json({ id: "m-1", name: "iris", description: null, created_at: "2026-11-01T10:00:00Z", tags: [], latest_version: "3", version_count: 3, stages: {}, metric_directions: {} });
    }
    if (path === "/api/v1/models/iris/versions-table" || path === "/api/v1/models/m-1/versions-table") {
      const items = [3, 2, 1].map((n) => ({ ...v(n), stage_since: null, description: null, run: null, run_count: 0, tags: [], metrics: {} }));
      return json({ model_id: "m-1", model_name: "iris", project_id: "p1", owner: null, metric_keys: [], metrics: [], items, total: 3, page: 1, size: Number(url.searchParams.get("size") ?? 50) });
    }
    if (path === "/api/v1/models/iris/compare") {
      const versions = url.searchParams.get("versions") ?? "";
      state.compares.push(versions);
      const names = versions.split(",");
      const known = names.filter((n) => ["1", "2", "3"].includes(n));
      if (known.length < 2) return json({ detail: "Comparing needs two or more versions of model 'iris'; run `waypost model versions iris` to see its versions." }, 422);
      const pick = <T,>(values: Record<string, T>) => known.map((n) => values[n] ?? null);
      return json({
        model_id: "m-1",
        model_name: "iris",
        metric_directions: { loss: "lower" },
        versions: known.map((n) => v(Number(n), n === "2" ? "production" : "none")),
        unknown: names.filter((n) => !known.includes(n)),
        rows: [
          { section: "metrics", key: "accuracy", values: pick({ "1": 0.8, "2": 0.9, "3": 0.85 }), differs: true, best: known.indexOf("2") },
          { section: "metrics", key: "loss", values: pick({ "1": 0.5, "3": 0.2 }), differs: true, best: known.indexOf("3") >= 0 ? known.indexOf("3") : null },
          { section: "parameters", key: "seed", values: pick({ "1": 7, "2": 7, "3": 7 }), differs: false, best: null },
          { section: "artifacts", key: "model", values: pick({ "1": { version: 1, data_type: "t", content_hash: "aaaa1111", size: 10 }, "2": { version: 2, data_type: "t", content_hash: "aaaa1111", size: 10 }, "3": { version: 3, data_type: "t", content_hash: "bbbb2222", size: 12 } }), differs: true, best: null },
          { section: "snapshot", key: "pipeline", values: pick({ "1": "train", "2": "train", "3": "train" }), differs: false, best: null },
        ],
      });
    }
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
  return router;
}

const rowOf = (key: string) => within(screen.getByTestId("compare-table")).getAllByTestId("compare-row").find((r) => r.dataset.key === key) as HTMLElement;
const cells = (key: string) => Array.from(rowOf(key).querySelectorAll("td")).slice(1);

afterEach(() => {
  cleanup();
  server.state.compares = [];
});

describe("the compare page", () => {
  it("shows a column per version, the differing cells and the best metric", async () => {
    renderAt("/models/iris/compare?versions=1,2,3");
    await screen.findByTestId("compare-table");
    expect(server.state.compares).toEqual(["1,2,3"]);
    expect(screen.getAllByTestId("compare-version").map((h) => h.dataset.version)).toEqual(["1", "2", "3"]);
    expect(cells("accuracy").map((c) => c.textContent)).toEqual(["0.8", "0.9★", "0.85"]);
    expect(cells("accuracy").map((c) => c.dataset.differs === "true")).toEqual([false, true, true]);
    expect(cells("accuracy")[1]?.dataset.best).toBe("true");
    expect(cells("loss").map((c) => c.textContent)).toEqual(["0.5", "—", "0.2★"]);
    expect(cells("model").map((c) => c.dataset.differs === "true")).toEqual([false, false, true]); // same content as the baseline
    expect(screen.getAllByTestId("compare-section").map((s) => s.textContent)).toEqual(["Metrics", "Parameters", "Artifacts", "Pipeline snapshot"]);
    expect(screen.getByText(/3 of 5 rows differ/)).toBeTruthy();
  });

  it("hides the rows that do not differ, keeping the switch in the URL", async () => {
    const router = renderAt("/models/iris/compare?versions=1,2,3");
    await screen.findByTestId("compare-table");
    fireEvent.click(screen.getByRole("switch", { name: "Differences only" }));
    await waitFor(() => expect(screen.queryByText("seed")).toBeNull());
    expect(within(screen.getByTestId("compare-table")).getAllByTestId("compare-row").map((r) => r.dataset.key)).toEqual(["accuracy", "loss", "model"]);
    expect(router.state.location.search).toMatchObject({ versions: "1,2,3", diff: true });
  });

  it("lists unknown versions and explains a comparison of fewer than two", async () => {
    renderAt("/models/iris/compare?versions=1,9,3");
    expect((await screen.findByTestId("compare-unknown")).textContent).toContain("9");
    cleanup();
    renderAt("/models/iris/compare?versions=1,9");
    expect((await screen.findByRole("alert")).textContent).toContain("two or more versions");
  });

  it("compares the versions ticked on the model page, a range with shift", async () => {
    const router = renderAt("/models/iris");
    const compare = await screen.findByTestId("compare-button");
    expect(compare.textContent).toBe("Compare (0)");
    fireEvent.click(screen.getByRole("checkbox", { name: "Compare version 3" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Compare version 1" }), { shiftKey: true });
    await waitFor(() => expect(screen.getByTestId("compare-button").textContent).toBe("Compare (3)"));
    fireEvent.click(screen.getByTestId("compare-button"));
    await screen.findByTestId("compare-table");
    expect(router.state.location.pathname).toBe("/models/iris/compare");
    expect(router.state.location.search).toMatchObject({ versions: "1,2,3" });
  });
});
