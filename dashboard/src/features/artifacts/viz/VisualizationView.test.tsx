// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { ArtifactVersion, Visualization } from "./types";
import { VisualizationView } from "./VisualizationView";

const version = { id: "00000000-0000-0000-0000-0000000000aa", name: "thing", version: 1, visualizations: [] } as unknown as ArtifactVersion;

function viz(type: string, extra: Partial<Visualization> = {}): Visualization {
  return { type, path: `_viz/${type}`, title: type, size: 10, meta: {}, ...extra } as Visualization;
}

// the API client keeps the `fetch` it found when its module loaded, so the stand-in goes in first
const net = vi.hoisted(() => {
  const state: { impl: (input: RequestInfo | URL) => Promise<Response> } = { impl: () => Promise.reject(new Error("no network in tests")) };
  globalThis.fetch = ((input: RequestInfo | URL) => state.impl(input)) as typeof fetch;
  return state;
});

function urlOf(input: RequestInfo | URL): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

function serve(body: string, status = 200) {
  const fetchMock = vi.fn((_input: RequestInfo | URL) => Promise.resolve(new Response(body, { status, headers: { "Content-Type": "application/json" } })));
  net.impl = fetchMock;
  return fetchMock;
}

function show(v: Visualization) {
  const client = new QueryClient();
  return render(
    <MantineProvider>
      <QueryClientProvider client={client}>
        <VisualizationView version={version} viz={v} index={0} />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const root = () => screen.getByTestId("viz");

afterEach(cleanup);

describe("VisualizationView", () => {
  it("shows a tree of JSON, opening keys on demand", async () => {
    serve(JSON.stringify({ model: { name: "resnet" }, lr: 0.01 }));
    show(viz("json"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(screen.queryByText('"resnet"')).toBeNull();
    fireEvent.click(screen.getAllByTestId("viz-json-toggle").find((b) => b.textContent?.includes("model")) as HTMLElement);
    expect(screen.getByText('"resnet"')).toBeTruthy();
  });

  it("says the files are gone when the server answers 410, with no pointless retry", async () => {
    serve(JSON.stringify({ detail: "The artifact's files were deleted." }), 410);
    show(viz("stats"));
    await waitFor(() => expect(root().dataset.state).toBe("error"));
    expect(screen.getByTestId("viz-error").textContent).toContain("gone: The artifact's files were deleted. Saving");
    expect(screen.queryByText("Try again")).toBeNull();
  });

  it("offers a retry after a passing failure", async () => {
    const fetchMock = serve(JSON.stringify({ detail: "database is locked" }), 503);
    show(viz("stats"));
    await waitFor(() => expect(root().dataset.state).toBe("error"));
    serve(JSON.stringify({ rows: 1, columns: [{ name: "a", dtype: "int64", count: 1, nulls: 0, kind: "numeric", min: 1, max: 1, mean: 1 }] }));
    fireEvent.click(screen.getByText("Try again"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(screen.getAllByTestId("viz-stats-row")).toHaveLength(1);
  });

  it("reports a malformed file instead of crashing", async () => {
    serve(JSON.stringify({ labels: ["a", "b"], matrix: [[1]] }));
    show(viz("confusion_matrix"));
    await waitFor(() => expect(root().dataset.state).toBe("error"));
    expect(root().textContent).toContain("labels × labels");
  });

  it("names a kind it can't draw", () => {
    serve("{}");
    show(viz("hologram"));
    expect(root().dataset.state).toBe("error");
    expect(root().textContent).toContain('no view for "hologram"');
  });

  it("renders markdown as elements, never its raw HTML", async () => {
    serve("# Notes\n\n<img src=x onerror=alert(1)> and **bold**");
    show(viz("markdown"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(screen.getByRole("heading").textContent).toBe("Notes");
    expect(root().querySelector("img")).toBeNull();
    expect(root().textContent).toContain("<img src=x onerror=alert(1)>");
  });

  it("pages long text and shows CSV as a table", async () => {
    serve(Array.from({ length: 4_100 }, (_, i) => `row ${i}`).join("\n"));
    show(viz("text"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(root().textContent).toContain("page 1 of 3");
    cleanup();
    serve("a,b\n1,2\n3,4\n");
    show(viz("text"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(root().textContent).toContain("Table (2 rows)");
  });

  it("puts HTML in a frame sandboxed to scripts only", async () => {
    serve("<h1>report</h1>");
    show(viz("html"));
    const frame = await screen.findByTestId("viz-iframe");
    expect(frame.getAttribute("sandbox")).toBe("allow-scripts");
    expect(frame.getAttribute("src")).toBe(`/api/v1/artifact-versions/${version.id}/visualizations/0`);
  });

  it("gives an HTML frame the theme's color scheme and no white background of its own", async () => {
    serve("<h1>report</h1>");
    const client = new QueryClient();
    render(
      <MantineProvider forceColorScheme="dark">
        <QueryClientProvider client={client}>
          <VisualizationView version={version} viz={viz("html")} index={0} />
        </QueryClientProvider>
      </MantineProvider>,
    );
    const frame = await screen.findByTestId("viz-iframe");
    expect(frame.dataset.colorScheme).toBe("dark");
    expect(frame.style.colorScheme).toBe("dark");
    expect(frame.style.background).not.toContain("white");
    expect(screen.getByTestId("viz-html-frame").style.background).toContain("--mantine-color-body");
  });

  it("shows a classification report with averages", async () => {
    serve(
      JSON.stringify({
        classes: [
          { label: "cat", precision: 1, recall: 0.5, f1: 0.667, support: 2 },
          { label: "dog", precision: 0.5, recall: 1, f1: 0.667, support: 1 },
        ],
        accuracy: 0.667,
        macro_avg: { precision: 0.75, recall: 0.75, f1: 0.667, support: 3 },
        weighted_avg: { precision: 0.833, recall: 0.667, f1: 0.667, support: 3 },
      }),
    );
    show(viz("classification_report"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(screen.getAllByTestId("viz-report-row")).toHaveLength(4);
    expect(root().textContent).toContain("weighted avg");
  });

  it("lists expectations with their failing samples", async () => {
    serve(
      JSON.stringify({
        success: false,
        results: [
          { expectation: "expect_column_values_to_not_be_null", column: "age", kwargs: { column: "age" }, success: false, observed_value: null, unexpected_count: 2, unexpected_sample: [null, null] },
          { expectation: "expect_table_row_count_to_be_between", column: null, kwargs: { min_value: 1 }, success: true, observed_value: 10 },
        ],
      }),
    );
    show(viz("validation"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(screen.getByTestId("viz-validation-result").textContent).toBe("Failed");
    expect(root().textContent).toContain("1 of 2 expectations passed");
  });

  it("falls back to the saved preview when the table API can't serve the table", async () => {
    const preview = { columns: [{ name: "a", dtype: "int64" }], rows: [[1], [2]], total_rows: 5000, total_columns: 1 };
    net.impl = (input) =>
      Promise.resolve(
        urlOf(input).includes("/table")
          ? new Response(JSON.stringify({ detail: "Not a table: a numpy array." }), { status: 400, headers: { "Content-Type": "application/json" } })
          : new Response(JSON.stringify(preview), { status: 200, headers: { "Content-Type": "application/json" } }),
      );
    show(viz("table"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(root().textContent).toContain("Showing the preview saved with the version (2 of 5,000 rows");
    expect(screen.getByRole("alert").textContent).toContain("The full table is unavailable: Not a table: a numpy array.");
  });

  it("reports files deleted under a table instead of showing a stale preview", async () => {
    const fetchMock = serve(JSON.stringify({ detail: "The artifact's files were deleted from the store." }), 410);
    show(viz("table"));
    await waitFor(() => expect(root().dataset.state).toBe("error"));
    expect(root().textContent).toContain("gone");
    expect(fetchMock.mock.calls.some(([input]) => urlOf(input).includes("/table?offset=0&limit=200"))).toBe(true);
  });

  it("reads table pages sorted by the server", async () => {
    const page = { columns: [{ name: "score", dtype: "double" }], rows: [[0.5]], total: 5000, offset: 0, limit: 200, sort: null, descending: false };
    const fetchMock = serve(JSON.stringify(page));
    show(viz("table"));
    await waitFor(() => expect(root().dataset.state).toBe("ready"));
    expect(root().textContent).toContain("5,000 rows × 1 columns");
    fireEvent.click(screen.getByTestId("viz-table-header"));
    await waitFor(() => expect(fetchMock.mock.calls.some(([input]) => urlOf(input).includes("sort=score"))).toBe(true));
  });
});
