// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const pipeline = (name: string, runs: number, at: string | null) => ({
  id: `id-${name}`,
  name,
  created_at: "2026-10-01T00:00:00Z",
  run_count: runs,
  latest_run_status: at ? "completed" : null,
  latest_run_at: at,
});
const step = (name: string, hash: string, inputs: Record<string, { step: string; output: string }> = {}) => ({ name, step_name: name, source_hash: hash, inputs, after: [] });
const calls: URL[] = [];
let listAnswer = () => json({ items: [pipeline("train", 3, "2026-11-02T00:00:00Z"), pipeline("etl", 12, "2026-11-01T00:00:00Z"), pipeline("idle", 0, null)], total: 3, page: 1, size: 50 });

globalThis.fetch = (async (input: Request) => {
  const url = new URL(input.url);
  calls.push(url);
  const path = url.pathname;
  if (path === "/api/v1/auth/me") return json({ user: { name: "admin" }, via: "session" });
  if (path === "/api/v1/pipelines") return listAnswer();
  if (path === "/api/v1/pipelines/train") return json(pipeline("train", 3, "2026-11-02T00:00:00Z"));
  if (path === "/api/v1/pipelines/gone") return json({ detail: "No pipeline 'gone'; run `waypost pipelines list` to see the pipelines." }, 404);
  if (path === "/api/v1/pipelines/train/snapshots")
    return json({
      items: [
        { id: "s2", pipeline_id: "p", structure_hash: "bbbbbbbbbbbb", created_at: "2026-11-02T00:00:00Z", spec: { steps: [step("load", "h2"), step("train", "t", { x: { step: "clean", output: "out" } }), step("clean", "c")] } },
        { id: "s1", pipeline_id: "p", structure_hash: "aaaaaaaaaaaa", created_at: "2026-11-01T00:00:00Z", spec: { steps: [step("load", "h1"), step("train", "t", { x: { step: "load", output: "out" } }), step("old", "o")] } },
      ],
      total: 2,
      page: 1,
      size: 1000,
    });
  if (path === "/api/v1/runs")
    return json({
      items: [
        { id: "r2", name: "train-2", pipeline_name: "train", snapshot_id: "s2", status: "completed", tags: [], created_at: "2026-11-02T00:00:00Z" },
        { id: "r1", name: "train-1", pipeline_name: "train", snapshot_id: "s1", status: "failed", tags: [], created_at: "2026-11-01T00:00:00Z" },
      ],
      total: 2,
      page: 1,
      size: 50,
    });
  return json({ detail: "Not Found" }, 404);
}) as typeof fetch;

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const rowNames = () => [...screen.getByTestId("pipelines-table").querySelectorAll("tbody tr")].map((tr) => tr.querySelector("td")?.textContent);

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("PipelinesPage", () => {
  it("lists pipelines with run counts and latest runs, linking each to its page", async () => {
    renderAt("/pipelines");
    expect(await screen.findByText("etl")).toBeTruthy();
    expect(screen.getByText("12")).toBeTruthy();
    expect(screen.getByText("never run")).toBeTruthy();
    expect(screen.getByRole("link", { name: "train" }).getAttribute("href")).toBe("/pipelines/train");
  });

  it("sorts by run count within the page and sends server sorts to the server", async () => {
    const router = renderAt("/pipelines?sort=%22-runs%22");
    await screen.findByText("etl");
    expect(rowNames()).toEqual(["etl", "train", "idle"]);
    fireEvent.click(screen.getByRole("button", { name: "Name" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ sort: "name" }));
    await waitFor(() => expect(calls.some((u) => u.pathname === "/api/v1/pipelines" && u.searchParams.get("sort") === "name")).toBe(true));
  });

  it("shows a filter the server rejects under the box", async () => {
    listAnswer = () => json({ detail: "Unknown filter key 'colour'; use one of: name, created." }, 400);
    renderAt("/pipelines?q=colour%3Ared");
    expect(await screen.findByText(/Unknown filter key 'colour'/)).toBeTruthy();
    expect((screen.getByLabelText("Filter pipelines") as HTMLInputElement).value).toBe("colour:red");
  });
});

describe("PipelinePage", () => {
  it("lists the pipeline's runs, filtered to it", async () => {
    renderAt("/pipelines/train");
    expect(await screen.findByText("train-1")).toBeTruthy();
    expect(calls.some((u) => u.pathname === "/api/v1/runs" && u.searchParams.get("q") === "pipeline:train")).toBe(true);
  });

  it("shows how the structure changed, newest first, with the runs of each version", async () => {
    renderAt("/pipelines/train?tab=history");
    const versions = await screen.findAllByTestId("snapshot-version");
    expect(versions.map((v) => v.querySelector("h5")?.textContent)).toEqual(["Version 2", "Version 1"]);
    const newest = versions[0]!;
    expect(newest.querySelector('[aria-label="added: clean"]')).toBeTruthy();
    expect(newest.querySelector('[aria-label="removed: old"]')).toBeTruthy();
    expect(newest.querySelector('[aria-label="code changed: load"]')).toBeTruthy();
    expect(newest.querySelector('[aria-label="inputs rewired: train"]')).toBeTruthy();
    expect(newest.textContent).toContain("train-2");
    expect(versions[1]!.textContent).toContain("First version");
    expect(versions[1]!.textContent).toContain("train-1");
  });

  it("says when the pipeline does not exist, with a way back", async () => {
    renderAt("/pipelines/gone");
    expect(await screen.findByText("No such pipeline")).toBeTruthy();
    expect(screen.getByText("Back to the pipelines")).toBeTruthy();
  });
});
