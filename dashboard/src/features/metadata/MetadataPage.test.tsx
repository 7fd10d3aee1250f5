// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const VIEW_ID = "0b6f8a52-3c1e-4b8e-9a37-5d2f1c0e9a11";

/** The server, faked at the one boundary outside the product: fetch. The routes' shapes are the API's. */
const server = vi.hoisted(() => {
  const stats = (key: string, count: number, extra: Record<string, unknown> = {}) => ({
    key,
    count,
    entities: { step: count },
    types: { float: count },
    min: 0.5,
    max: 0.9,
    first_seen: "2026-11-01T10:00:00Z",
    last_seen: "2026-11-02T10:00:00Z",
    ...extra,
  });
  const state = {
    keys: [] as ReturnType<typeof stats>[],
    views: [] as Record<string, unknown>[],
    asked: [] as URL[],
    posted: [] as unknown[],
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const view = (id: string, name: string, viewState: Record<string, unknown>, owner = "admin", editable = true) => ({
    id,
    project_id: "p1",
    project: "default/default",
    owner_id: owner,
    owner,
    name,
    kind: "metadata",
    state: viewState,
    shared: owner !== "admin",
    created_at: "2026-11-01T10:00:00Z",
    updated_at: "2026-11-01T10:00:00Z",
    editable,
  });
  const fetch = async (input: Request | string, init?: RequestInit) => {
    const request = typeof input === "string" ? new Request(new URL(input, "http://127.0.0.1:8742"), init) : input;
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    state.asked.push(url);
    if (path === "/api/v1/auth/me") return json({ user: { id: "u1", name: "admin", is_admin: true }, via: "session" });
    if (path === "/api/v1/access/me") return json({ user: "admin", is_org_admin: true, organization: [], workspaces: [], projects: [], shares: [] });
    if (path === "/api/v1/projects") return json([{ id: "p1", workspace_id: "w1", workspace: "default", name: "default", created_at: "2026-11-01T10:00:00Z" }]);
    if (path === "/api/v1/pipelines") return json({ items: [{ name: "train" }, { name: "nightly" }], total: 2, page: 1, size: 1000 });
    if (path === "/api/v1/metadata/keys") {
      const q = url.searchParams.get("q");
      if (q === "bogus:1") return json({ detail: "Unknown filter key 'bogus'; use one of status, name, pipeline, …" }, 400);
      const contains = (url.searchParams.get("contains") ?? "").toLowerCase();
      const items = state.keys.filter((k) => k.key.toLowerCase().includes(contains));
      const page = Number(url.searchParams.get("page") ?? 1);
      const size = Number(url.searchParams.get("size") ?? 100);
      return json({ items: items.slice((page - 1) * size, page * size), total: items.length, page, size, from_summary: !q });
    }
    if (path === "/api/v1/metadata/history") {
      const key = url.searchParams.get("key") ?? "";
      const pt = (n: number, value: unknown, number: number | null) => ({
        run_id: `run-${n}`,
        run_name: `train-run-${n}`,
        pipeline_name: "train",
        created_at: `2026-11-0${n}T10:00:00Z`,
        value,
        number,
        type: number === null ? "str" : "float",
        entity: "step",
        entity_name: "evaluate",
      });
      return json({ key, points: [pt(1, 0.5, 0.5), pt(2, 0.9, 0.9), pt(3, "skipped", null)], truncated: key === "loss" });
    }
    if (path === "/api/v1/views" && request.method === "GET") return json({ items: state.views, total: state.views.length, page: 1, size: 1000 });
    if (path === "/api/v1/views" && request.method === "POST") {
      const body = (await request.json()) as { name: string; state: Record<string, unknown>; shared: boolean };
      state.posted.push(body);
      if (state.views.some((v) => v.name === body.name)) return json({ detail: `A view named '${body.name}' exists already; pick another name.` }, 409);
      const created = { ...view(VIEW_ID, body.name, body.state), shared: body.shared };
      state.views.push(created);
      return json(created, 201);
    }
    const one = /^\/api\/v1\/views\/([^/]+)$/.exec(path);
    if (one && request.method === "DELETE") {
      state.views = state.views.filter((v) => v.id !== one[1]);
      return new Response(null, { status: 204 });
    }
    if (one) {
      const found = state.views.find((v) => v.id === one[1]);
      return found ? json(found) : json({ detail: `No saved view '${one[1]}'.` }, 404);
    }
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, stats, view };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const keysAsked = () => server.state.asked.filter((u) => u.pathname === "/api/v1/metadata/keys");

beforeEach(() => {
  const { stats } = server;
  server.state.keys = [
    stats("accuracy", 12, { entities: { step: 10, model_version: 2 }, types: { float: 12 } }),
    stats("loss", 12),
    stats("data_validation", 3, { types: { str: 3 }, min: null, max: null }),
  ];
  server.state.views = [];
  server.state.asked = [];
  server.state.posted = [];
});
afterEach(cleanup);

describe("MetadataPage", { timeout: 20_000 }, () => {
  it("lists the keys with their owners, types and range, and filters by name", async () => {
    const router = renderAt("/metadata");
    await waitFor(() => expect(screen.getAllByTestId("metadata-key-row")).toHaveLength(3));
    const accuracy = screen.getAllByTestId("metadata-key-row")[0] as HTMLElement;
    expect(accuracy.dataset.key).toBe("accuracy");
    expect(within(accuracy).getByText("step 10")).toBeTruthy();
    expect(within(accuracy).getByText("model 2")).toBeTruthy();
    expect(within(accuracy).getByText("0.5 – 0.9")).toBeTruthy();
    expect(screen.getByTestId("metadata-keys-total").textContent).toBe("3 keys");
    expect(keysAsked()[0]?.searchParams.get("size")).toBe("100");

    fireEvent.change(screen.getByLabelText("Keys containing"), { target: { value: "LOS" } });
    await waitFor(() => expect(screen.getAllByTestId("metadata-key-row").map((r) => r.dataset.key)).toEqual(["loss"]));
    expect(router.state.location.search).toMatchObject({ contains: "LOS" });

    fireEvent.click(screen.getByRole("button", { name: "Last seen" }));
    await waitFor(() => expect(keysAsked().some((u) => u.searchParams.get("sort") === "last_seen")).toBe(true));
    fireEvent.click(screen.getByRole("radio", { name: "Steps" }));
    await waitFor(() => expect(keysAsked().some((u) => u.searchParams.get("entity") === "step")).toBe(true));
  });

  it("shows the server's reason for a bad run filter under the box", async () => {
    renderAt("/metadata?q=bogus%3A1");
    expect(await screen.findByText(/Unknown filter key 'bogus'/)).toBeTruthy();
    expect(screen.queryByTestId("metadata-keys-table")).toBeNull();
  });

  it("opens a key's history: numbers to chart, text values in a table, truncation said", async () => {
    const router = renderAt("/metadata");
    await waitFor(() => expect(screen.getAllByTestId("metadata-key-row")).toHaveLength(3));
    fireEvent.click(screen.getByRole("button", { name: "loss" }));
    const history = await screen.findByTestId("metadata-history");
    expect(history.dataset.key).toBe("loss");
    expect(router.state.location.search).toMatchObject({ key: "loss" });
    expect(await within(history).findByTestId("metadata-history-truncated")).toBeTruthy();
    const text = await within(history).findByTestId("metadata-text-values");
    expect(within(text).getByText("train-run-3").closest("a")?.getAttribute("href")).toBe("/runs/run-3");
    // happy-dom has no canvas: the chart says so rather than failing.
    expect(await within(history).findByTestId("metadata-chart-failed")).toBeTruthy();
    fireEvent.click(within(history).getByRole("button", { name: "Close the history" }));
    await waitFor(() => expect(screen.queryByTestId("metadata-history")).toBeNull());
  });

  it("saves a view, says why a duplicate name is refused, and lists the views", async () => {
    server.state.views = [server.view("11111111-2222-4333-8444-555555555555", "Team view", { key: "accuracy" }, "grace", false)];
    const router = renderAt("/metadata?q=pipeline%3Atrain&key=accuracy");
    await screen.findByTestId("metadata-history");
    fireEvent.click(screen.getByRole("button", { name: "Save view" }));
    const name = await screen.findByLabelText(/Name/);
    fireEvent.change(name, { target: { value: "Team view" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByTestId("save-view-error")).textContent).toContain("exists already");
    fireEvent.change(name, { target: { value: "Accuracy of training" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ view: VIEW_ID, key: "accuracy", q: "pipeline:train" }));
    expect(server.state.posted.at(-1)).toEqual({ name: "Accuracy of training", kind: "metadata", state: { q: "pipeline:train", key: "accuracy" }, shared: false });
    expect((await screen.findByTestId("current-view")).textContent).toContain("Accuracy of training");

    fireEvent.click(screen.getByRole("button", { name: "Views" }));
    const list = await screen.findByTestId("views-list");
    await waitFor(() => expect(within(list).getAllByTestId("saved-view")).toHaveLength(2));
    expect(within(list).getByText(/by grace/)).toBeTruthy();
    // Only editable views offer rename and delete.
    expect(within(list).queryByLabelText("Delete the view Team view")).toBeNull();
    expect(within(list).getByLabelText("Delete the view Accuracy of training")).toBeTruthy();
  });

  it("opens a view by its link alone", async () => {
    server.state.views = [server.view(VIEW_ID, "Losses", { key: "loss", entity: "step", sort: "key" })];
    const router = renderAt(`/metadata?view=${VIEW_ID}`);
    await waitFor(() => expect(router.state.location.search).toMatchObject({ view: VIEW_ID, key: "loss", entity: "step", sort: "key" }));
    expect((await screen.findByTestId("metadata-history")).dataset.key).toBe("loss");
    expect((await screen.findByTestId("current-view")).textContent).toBe("Losses");

    // Deleting the open view lets go of it: no "not found" for the page shown.
    fireEvent.click(screen.getByRole("button", { name: "Views" }));
    const list = await screen.findByTestId("views-list");
    fireEvent.click(await within(list).findByLabelText("Delete the view Losses"));
    fireEvent.click(within(list).getByText("Delete"));
    await waitFor(() => expect(router.state.location.search).not.toHaveProperty("view"));
    expect(router.state.location.search).toMatchObject({ key: "loss", entity: "step" });
    expect(server.state.views).toEqual([]);
    await waitFor(() => expect(screen.queryByTestId("current-view")).toBeNull());
    expect(screen.queryByText(/No saved view '/)).toBeNull();
    expect(within(list).getByText(/No saved views yet/)).toBeTruthy();
  });

  it("says so when a view's link names no view", async () => {
    renderAt("/metadata?view=11111111-2222-4333-8444-555555555555");
    expect(await screen.findByText(/No saved view '/)).toBeTruthy();
  });
});
