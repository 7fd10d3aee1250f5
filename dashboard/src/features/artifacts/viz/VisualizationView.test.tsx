// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ArtifactVersion, Visualization } from "./types";
import { VisualizationView } from "./VisualizationView";

const version = { id: "00000000-0000-0000-0000-0000000000aa", name: "thing", version: 1, visualizations: [] } as unknown as ArtifactVersion;

function viz(type: string, extra: Partial<Visualization> = {}): Visualization {
  return { type, path: `_viz/${type}`, title: type, size: 10, meta: {}, ...extra } as Visualization;
}

function serve(body: string, status = 200) {
  const fetchMock = vi.fn(() => Promise.resolve(new Response(body, { status, headers: { "Content-Type": "application/json" } })));
  vi.stubGlobal("fetch", fetchMock);
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

beforeEach(() => {
  vi.unstubAllGlobals();
});
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
});
