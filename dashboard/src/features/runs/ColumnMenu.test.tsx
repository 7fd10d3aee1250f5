// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it, vi } from "vitest";


// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at the one boundary outside the product: fetch. */
const server = vi.hoisted(() => {
  const state = { calls: [] as URL[] };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    const url = new URL(input.url);
    state.calls.push(url);
    if (url.pathname === "/api/v1/auth/me") return json({ user: { name: "ana" }, via: "session" });
    if (url.pathname === "/api/v1/pipelines") return json({ items: [], total: 0, page: 1, size: 1000 });
    if (url.pathname === "/api/v1/runs/columns") {
      return json({ params: ["param.lr"], step_params: ["step.train.epochs"], metadata: ["metadata.accuracy", "metadata.f1"] });
    }
    if (url.pathname === "/api/v1/runs") {
      const asked = (url.searchParams.get("columns") ?? "").split(",").filter(Boolean);
      const values: Record<string, Record<string, unknown>> = {
        a: { "metadata.accuracy": 0.953211, "param.lr": 0.01 },
        b: { "metadata.accuracy": 0.5, "param.lr": 0.1 },
      };
      const items = ["a", "b"].map((name) => ({
        id: `id-${name}`,
        name: `run-${name}`,
        pipeline_name: "train",
        status: "completed",
        created_at: "2026-11-01T10:00:00Z",
        started_at: "2026-11-01T10:00:00Z",
        ended_at: "2026-11-01T10:01:00Z",
        parameters: {},
        tags: [],
        columns: asked.length ? Object.fromEntries(asked.filter((k) => k in values[name]!).map((k) => [k, values[name]![k]])) : null,
      }));
      return json({ items, total: 2, page: 1, size: 50 });
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

const runCalls = () => server.state.calls.filter((u) => u.pathname === "/api/v1/runs");

afterEach(() => {
  cleanup();
  server.state.calls = [];
});

describe("parameter and metadata columns", () => {
  it("offers the server's keys when opened, and a chosen one goes to the URL, the request and the table", async () => {
    const router = renderAt("/runs");
    expect(await screen.findByText("run-a")).toBeTruthy();
    expect(server.state.calls.some((u) => u.pathname === "/api/v1/runs/columns")).toBe(false); // not until opened
    fireEvent.click(screen.getByRole("button", { name: "Columns" }));
    const menu = await screen.findByRole("dialog", { name: "Columns" });
    expect(await within(menu).findByLabelText("accuracy")).toBeTruthy();
    expect(within(menu).getByText("Step parameters")).toBeTruthy();
    expect(within(menu).getByLabelText("train › epochs")).toBeTruthy();
    fireEvent.change(within(menu).getByLabelText("Find a parameter or metric"), { target: { value: "acc" } });
    expect(within(menu).queryByLabelText("lr")).toBeNull();
    fireEvent.click(within(menu).getByLabelText("accuracy"));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ cols: "status,name,pipeline,started,duration,user,stack,tags,metadata.accuracy" }));
    await waitFor(() => expect(runCalls().at(-1)?.searchParams.get("columns")).toBe("metadata.accuracy"));
    const table = screen.getByTestId("runs-table");
    expect(await within(table).findByText("0.953211")).toBeTruthy();
    expect(within(table).getByRole("button", { name: "accuracy" })).toBeTruthy();
  });

  it("reads columns from the URL and sorts by a parameter within the page", async () => {
    renderAt("/runs?cols=name,metadata.accuracy,param.lr&sort=-param.lr");
    const table = await screen.findByTestId("runs-table");
    await within(table).findByText("0.953211");
    expect(runCalls().at(-1)?.searchParams.get("columns")).toBe("metadata.accuracy,param.lr");
    expect(runCalls().at(-1)?.searchParams.has("sort")).toBe(false); // the server cannot sort by it
    const names = within(table).getAllByRole("link").map((a) => a.textContent);
    expect(names).toEqual(["run-b", "run-a"]); // 0.1 before 0.01
    expect(screen.getByRole("button", { name: "Columns (+2)" })).toBeTruthy();
  });

  it("asks for the same keys in one order, whatever order they show in", async () => {
    renderAt("/runs?cols=name,param.lr,metadata.accuracy");
    await screen.findByText("0.953211");
    expect(runCalls().at(-1)?.searchParams.get("columns")).toBe("metadata.accuracy,param.lr");
  });

  it("has the server sort by a metadata column", async () => {
    renderAt("/runs?cols=name,metadata.accuracy&sort=-metadata.accuracy");
    await screen.findByText("0.953211");
    expect(runCalls().at(-1)?.searchParams.get("sort")).toBe("-metadata.accuracy");
  });

  it("exports every matching run from the server with the columns shown", async () => {
    renderAt("/runs?q=%22pipeline%3Atrain%22&cols=name,metadata.accuracy&sort=-started");
    await screen.findByText("run-a");
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.href);
    });
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: /Export all 2 matching/ }));
    click.mockRestore();
    expect(clicked).toHaveLength(1);
    const url = new URL(clicked[0]!);
    expect(url.pathname).toBe("/api/v1/runs/export");
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: "pipeline:train", columns: "name,metadata.accuracy", sort: "-started" });
  });
});
