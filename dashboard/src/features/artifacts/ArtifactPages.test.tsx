// @vitest-environment happy-dom
import { act, cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it } from "vitest";

configure({ asyncUtilTimeout: 4000 });

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const page = <T,>(items: T[]) => ({ items, total: items.length, page: 1, size: 50 });
const artifact = (name: string, latest: number, extra: Record<string, unknown> = {}) => ({
  id: `a-${name}`,
  name,
  created_at: "2026-11-01T00:00:00Z",
  latest_version: latest,
  latest_version_id: `v-${name}-${latest}`,
  data_type: "pandas.DataFrame",
  size: 2048,
  pipeline_name: "train",
  tags: ["prod"],
  ...extra,
});
const version = (name: string, n: number) => ({
  id: `v-${name}-${n}`,
  artifact_id: `a-${name}`,
  name,
  version: n,
  uri: `/store/${name}/${n}`,
  data_type: "pandas.DataFrame",
  materializer: "waypost.PandasMaterializer",
  materializer_version: "2",
  size: 2048 * n,
  content_hash: `hash${n}`,
  visualizations: [{ type: "table", path: "_viz/t.json", title: "Preview", size: 10, meta: {} }],
  producer_step_run_id: "sr-1",
  producer_run_id: "run-1",
  created_at: "2026-11-01T00:00:00Z",
  tags: [],
});
const calls: URL[] = [];

globalThis.fetch = (async (input: Request | string) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  calls.push(url);
  const path = decodeURIComponent(url.pathname);
  if (path === "/api/v1/auth/me") return json({ user: { name: "admin" }, via: "session" });
  if (path === "/api/v1/artifacts")
    return json(page([artifact("dataset", 2), artifact("model", 1, { size: null, data_type: null, pipeline_name: null, tags: [] })]));
  if (path === "/api/v1/artifacts/suggest") {
    const key = url.searchParams.get("key") ?? "";
    const known: Record<string, string[]> = { pipeline: ["train", "transform"], type: ["builtins.dict", "pandas.core.frame.DataFrame"], tag: [] };
    const typed = (url.searchParams.get("prefix") ?? "").toLowerCase();
    return json({ key, values: (known[key] ?? []).filter((v) => (key === "type" ? v.toLowerCase().includes(typed) : v.toLowerCase().startsWith(typed))) });
  }
  if (path === "/api/v1/artifacts/dataset") return json(artifact("dataset", 2));
  if (path === "/api/v1/artifacts/gone") return json({ detail: "No artifact 'gone'" }, 404);
  if (path === "/api/v1/artifacts/dataset/versions") return json(page([version("dataset", 2), version("dataset", 1)]));
  if (path === "/api/v1/artifact-versions/dataset:2") return json(version("dataset", 2));
  if (path === "/api/v1/artifact-versions/dataset:1") return json(version("dataset", 1));
  if (path === "/api/v1/artifact-versions/dataset:9") return json({ detail: "No version 9" }, 404);
  if (path === "/api/v1/artifact-versions/v-dataset-2/lineage") {
    const node = (id: string, kind: string, name: string, run: string, version: number | null = null) => ({ id, kind, name, version, data_type: version ? "pandas.DataFrame" : null, run_id: run, run_name: `nightly-${run}`, step: kind === "step" ? name : null, status: kind === "step" ? "completed" : null });
    return json({
      root: "v-dataset-2",
      nodes: [node("v-dataset-2", "artifact", "dataset", "run-1", 2), node("sr-1", "step", "load_data", "run-1"), node("v-raw-1", "artifact", "raw", "run-0", 1)],
      edges: [
        { source: "v-raw-1", target: "sr-1" },
        { source: "sr-1", target: "v-dataset-2" },
      ],
      truncated: url.searchParams.get("up") === "50",
    });
  }
  if (path.endsWith("/consumers"))
    return json(page([{ id: "sr-2", run_id: "run-2", name: "train_model", step_name: "train_model", status: "completed", created_at: "2026-11-02T00:00:00Z", started_at: null }]));
  if (path === "/api/v1/metadata") return json(page([{ id: "m1", key: "rows", value: 150, type: "int" }]));
  if (path === "/api/v1/step-runs/sr-1") return json({ id: "sr-1", run_id: "run-1", name: "load_data", step_name: "load_data", status: "completed" });
  if (path === "/api/v1/runs/run-1") return json({ id: "run-1", name: "nightly-1", status: "completed" });
  if (path === "/api/v1/runs/run-2") return json({ id: "run-2", name: "nightly-2", status: "completed" });
  return json({ detail: "Not Found" }, 404);
}) as typeof fetch;

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("ArtifactsPage", () => {
  it("lists artifacts with their latest version, type, size, pipeline and tags, linked to their pages", async () => {
    renderAt("/artifacts");
    const table = await screen.findByTestId("artifacts-table");
    const rows = within(table).getAllByTestId("artifact-row");
    expect(rows.map((r) => r.querySelector("td")?.textContent)).toEqual(["dataset", "model"]);
    expect(rows[0]?.textContent).toContain("v2");
    expect(rows[0]?.textContent).toContain("2.0 KB");
    expect(rows[0]?.textContent).toContain("prod");
    expect(within(rows[0] as HTMLElement).getByText("dataset").closest("a")?.getAttribute("href")).toBe("/artifacts/dataset");
    expect(within(rows[0] as HTMLElement).getByText("v2").closest("a")?.getAttribute("href")).toBe("/artifacts/dataset?version=2");
  });

  it("sends the filter and a server sort in the URL and to the server", async () => {
    const router = renderAt("/artifacts?q=name~data&sort=-versions");
    await screen.findByTestId("artifacts-table");
    const list = calls.filter((u) => u.pathname === "/api/v1/artifacts" && u.searchParams.get("size") !== "1000");
    expect(list.at(-1)?.searchParams.get("q")).toBe("name~data");
    expect(list.at(-1)?.searchParams.get("sort")).toBe("-versions");
    fireEvent.click(screen.getByRole("button", { name: /^Size/ }));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ sort: "size" }));
  });
});

describe("Filtering artifacts by pipeline and type", () => {
  it("completes pipeline values from the server as one types", async () => {
    renderAt("/artifacts");
    await screen.findByTestId("artifacts-table");
    const box = screen.getByRole("textbox", { name: "Filter artifacts" });
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: "pipeline:tra" } });
    await screen.findByRole("option", { name: "pipeline:transform", hidden: true });
    const asked = calls.filter((u) => u.pathname === "/api/v1/artifacts/suggest").at(-1);
    expect(asked?.searchParams.get("key")).toBe("pipeline");
    expect(asked?.searchParams.get("prefix")).toBe("tra");
    fireEvent.change(box, { target: { value: "type:frame" } });
    await screen.findByRole("option", { name: "type:pandas.core.frame.DataFrame", hidden: true });
  });

  it("a quick select sets one term of the query and shows what the query says", async () => {
    const router = renderAt("/artifacts?q=name~data");
    await screen.findByTestId("artifacts-table");
    const select = screen.getByTestId("quick-filter-pipeline");
    fireEvent.click(select);
    fireEvent.click(await screen.findByRole("option", { name: "train", hidden: true }));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ q: "name~data pipeline:train" }));
    const list = calls.filter((u) => u.pathname === "/api/v1/artifacts" && u.searchParams.get("size") !== "1000");
    await waitFor(() => expect(list.at(-1)?.searchParams.get("q")).toBe("name~data pipeline:train"));
    await waitFor(() => expect((screen.getByTestId("quick-filter-pipeline") as HTMLInputElement).value).toBe("train"));
  });
});

describe("ArtifactPage", () => {
  it("shows the visualization above the facts", async () => {
    renderAt("/artifacts/dataset");
    const viz = await screen.findByTestId("primary-visualization");
    const details = await screen.findByTestId("artifact-details");
    expect(viz.compareDocumentPosition(details) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(viz).getByText("Preview")).toBeTruthy();
  });


  it("shows the latest version: producer, type, materializer, hash, visualizations, consumers, metadata", async () => {
    renderAt("/artifacts/dataset");
    const root = await screen.findByTestId("artifact-page");
    await screen.findByTestId("artifact-details");
    expect(root.getAttribute("data-version")).toBe("2");
    expect(await screen.findByText("load_data")).toBeTruthy();
    expect(screen.getByTestId("producer-step").getAttribute("href")).toBe("/runs/run-1?step=load_data");
    expect(screen.getByTestId("content-hash").textContent).toBe("hash2");
    expect(screen.getByText(/waypost.PandasMaterializer/)).toBeTruthy();
    expect(screen.getAllByTestId("viz").length).toBe(1);
    const consumer = await screen.findByTestId("consumer-row");
    expect(within(consumer).getByText("train_model").closest("a")?.getAttribute("href")).toBe("/runs/run-2?step=train_model");
    expect(await screen.findByTestId("artifact-metadata")).toBeTruthy();
    expect(screen.getByTestId("artifact-download").getAttribute("href")).toBe("/api/v1/artifact-versions/v-dataset-2/download");
  });

  it("opens a version from the URL and lists every version", async () => {
    renderAt("/artifacts/dataset?version=1&tab=versions");
    const rows = await screen.findAllByTestId("version-row");
    expect(rows.map((r) => r.getAttribute("data-version"))).toEqual(["2", "1"]);
    expect(screen.getByTestId("artifact-version").textContent).toContain("v1 of 2");
  });

  it("says so, with a way back, for an unknown artifact or version", async () => {
    renderAt("/artifacts/gone");
    expect((await screen.findByTestId("artifact-missing")).textContent).toContain("No such artifact");
    cleanup();
    renderAt("/artifacts/dataset?version=9");
    expect((await screen.findByTestId("artifact-missing")).textContent).toContain("No version 9 of dataset");
    expect(screen.getByText("Open the latest version").closest("a")?.getAttribute("href")).toBe("/artifacts/dataset");
  });

  it("Trace back opens the lineage upstream only", async () => {
    const router = renderAt("/artifacts/dataset");
    fireEvent.click(await screen.findByTestId("trace-back"));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ tab: "lineage", up: 50, down: 0 }));
  });
});

const press = (key: string, init: KeyboardEventInit = {}) => act(() => void window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init })));

describe("Getting to artifacts", () => {
  it("g a opens the artifacts list", async () => {
    const router = renderAt("/artifacts/dataset");
    await screen.findByTestId("artifact-page");
    press("g");
    press("a");
    await waitFor(() => expect(router.state.location.pathname).toBe("/artifacts"));
  });

  it("the command palette finds an artifact by name and opens it", async () => {
    const router = renderAt("/artifacts");
    await screen.findByTestId("artifacts-table");
    press("k", { ctrlKey: true });
    const input = await screen.findByLabelText("Jump to");
    fireEvent.change(input, { target: { value: "model" } });
    await screen.findByRole("option", { name: "model", hidden: true });
    const options = screen.getAllByRole("option", { hidden: true });
    fireEvent.click(options.find((o) => o.textContent === "model") as HTMLElement);
    await waitFor(() => expect(router.state.location.pathname).toBe("/artifacts/model"));
  });
});

describe("Lineage tab", () => {
  it("draws producers and inputs across runs; depths live in the URL; a node opens its page", async () => {
    const router = renderAt("/artifacts/dataset?tab=lineage&up=2&down=0");
    await screen.findByTestId("lineage");
    await waitFor(() => expect(screen.getByTestId("lineage").dataset.state).toBe("ready"), { timeout: 10_000 });
    const ask = calls.filter((u) => u.pathname.endsWith("/lineage")).at(-1);
    expect(ask?.searchParams.get("up")).toBe("2");
    expect(ask?.searchParams.get("down")).toBe("0");
    const nodes = [...document.querySelectorAll<HTMLElement>('[data-testid="lineage-node"]')].map((n) => `${n.dataset.kind}:${n.dataset.id}`);
    expect(nodes.sort()).toEqual(["artifact:v-dataset-2", "artifact:v-raw-1", "step:sr-1"]);
    expect(screen.getByTestId("lineage-summary").textContent).toContain("across 2 runs");

    fireEvent.click(screen.getByTestId("lineage-trace-back"));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ up: 50, down: 0 }));
    expect(await screen.findByTestId("lineage-truncated")).toBeTruthy();

    const raw = document.querySelector<HTMLElement>('[data-testid="lineage-node"][data-id="v-raw-1"]');
    fireEvent.keyDown(raw as HTMLElement, { key: "Enter" });
    await waitFor(() => expect(router.state.location.pathname).toBe("/artifacts/raw"));
    expect(router.state.location.search).toEqual({ version: 1 });
  });
});
