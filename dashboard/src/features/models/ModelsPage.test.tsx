// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it } from "vitest";

import type { Model } from "../../api/models";
import { sortModelsPage, validateModelSearch, validateModelsSearch } from "./search";

configure({ asyncUtilTimeout: 4000 });

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const page = <T,>(items: T[]) => ({ items, total: items.length, page: 1, size: 50 });

function model(name: string, extra: Partial<Model> = {}): Model {
  return {
    id: `m-${name}`,
    name,
    description: null,
    created_at: "2026-11-01T10:00:00Z",
    tags: [],
    latest_version: "3",
    version_count: 3,
    stages: {},
    license: null,
    audience: null,
    use_cases: null,
    limitations: null,
    trade_offs: null,
    ethics: null,
    metric_directions: {},
    ...extra,
  };
}

const calls: URL[] = [];
const standard: (url: URL) => Response = () =>
  json(page([model("iris_classifier", { stages: { production: "2", staging: "3" }, tags: ["tabular"], description: "Classifies irises" }), model("=churn", { latest_version: "12", version_count: 12 })]));
let answer = standard;

globalThis.fetch = (async (input: Request | string) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  calls.push(url);
  if (url.pathname === "/api/v1/auth/me") return json({ user: { name: "admin" }, via: "session" });
  if (url.pathname === "/api/v1/models") return answer(url);
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
  answer = standard;
});

describe("ModelsPage", { timeout: 20_000 }, () => {
  it("lists models with their latest version, stage holders, version count and tags, linked to their pages", async () => {
    renderAt("/models");
    const table = await screen.findByTestId("models-table");
    const rows = within(table).getAllByTestId("model-row");
    expect(rows.map((r) => r.dataset.model)).toEqual(["iris_classifier", "=churn"]);
    const iris = rows[0] as HTMLElement;
    expect(within(iris).getByTestId("holder-production").textContent).toBe("2");
    expect(within(iris).getByTestId("holder-staging").textContent).toBe("3");
    expect(iris.textContent).toContain("tabular");
    expect(iris.textContent).toContain("Classifies irises");
    expect(within(iris).getByText("iris_classifier").closest("a")?.getAttribute("href")).toBe("/models/iris_classifier");
    expect(within(rows[1] as HTMLElement).queryByTestId("holder-production")).toBeNull();
    // The top navigation leads here.
    expect(screen.getByRole("link", { name: "Models" }).getAttribute("href")).toBe("/models");
  });

  it("sends the filter and a server sort, and sorts by version count within the page", async () => {
    const router = renderAt("/models?q=name~iris&sort=-created");
    await screen.findByTestId("models-table");
    const list = calls.filter((u) => u.pathname === "/api/v1/models" && u.searchParams.get("size") !== "1000");
    expect(list.at(-1)?.searchParams.get("q")).toBe("name~iris");
    expect(list.at(-1)?.searchParams.get("sort")).toBe("-created");
    fireEvent.click(screen.getByRole("button", { name: /^Versions/ }));
    await waitFor(() => expect(router.state.location.search).toMatchObject({ sort: "versions" }));
    await waitFor(() => expect(screen.getAllByTestId("model-row").map((r) => r.dataset.model)).toEqual(["iris_classifier", "=churn"]));
    fireEvent.click(screen.getByRole("button", { name: /^Versions/ }));
    await waitFor(() => expect(screen.getAllByTestId("model-row").map((r) => r.dataset.model)).toEqual(["=churn", "iris_classifier"]));
    // A page sort is not sent to the server.
    expect(calls.filter((u) => u.pathname === "/api/v1/models").every((u) => !u.searchParams.get("sort")?.includes("versions"))).toBe(true);
  });

  it("shows the server's one-line refusal of a filter under the box", async () => {
    answer = (url) => (url.searchParams.get("q") ? json({ detail: "Unknown filter key 'colour'; use one of: name, created, tag." }, 400) : json(page([model("iris_classifier")])));
    renderAt("/models?q=colour:red");
    expect(await screen.findByText("Unknown filter key 'colour'; use one of: name, created, tag.")).toBeTruthy();
    expect(screen.queryByTestId("models-table")).toBeNull();
  });

  it("exports the rows shown as CSV, formulas defused", async () => {
    answer = () => json(page([model("=churn", { stages: { production: "7" }, tags: ["a", "b"] })]));
    const blobs: Blob[] = [];
    URL.createObjectURL = (b: Blob) => {
      blobs.push(b);
      return "blob:x";
    };
    URL.revokeObjectURL = () => undefined;
    renderAt("/models");
    await screen.findByTestId("models-table");
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    const text = (await blobs[0]!.text()).replace(/^\ufeff/, "");
    expect(text).toBe("id,name,latest_version,production,staging,versions,tags,created\r\nm-=churn,'=churn,3,7,,3,a b,2026-11-01T10:00:00Z\r\n");
  });

  it("says how models come to be when there are none", async () => {
    answer = () => json(page([]));
    renderAt("/models");
    expect(await screen.findByText(/a pipeline declared with model=Model/)).toBeTruthy();
  });
});

describe("models search params", () => {
  it("keeps what makes sense and drops the rest", () => {
    expect(validateModelsSearch({ q: "tag:x", sort: "-versions", page: "2", size: "nope" })).toEqual({ q: "tag:x", sort: "-versions", page: 2 });
    expect(validateModelsSearch({ sort: "owner" })).toEqual({});
    expect(validateModelSearch({ tab: "history", sort: "-metadata.accuracy", cols: "accuracy,f1", chart: "f1", size: 100 })).toEqual({
      tab: "history",
      sort: "-metadata.accuracy",
      cols: "accuracy,f1",
      chart: "f1",
      size: 100,
    });
    expect(validateModelSearch({ tab: "versions", sort: "-number", size: 50 })).toEqual({});
    expect(validateModelSearch({ tab: "nope", sort: "colour", size: 7 })).toEqual({});
  });

  it("sorts a page by latest version numerically, models without one last", () => {
    const rows = [model("a", { latest_version: "9" }), model("b", { latest_version: null }), model("c", { latest_version: "10" })];
    expect(sortModelsPage(rows, "latest").map((m) => m.name)).toEqual(["a", "c", "b"]);
    expect(sortModelsPage(rows, "-latest").map((m) => m.name)).toEqual(["c", "a", "b"]);
  });
});
