// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Run, RunsPage } from "../../api/runs";
import { csrfCookieName, setSessionEnded } from "../../api/session";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at the one boundary outside the product: fetch. */
const server = vi.hoisted(() => {
  const state = {
    calls: [] as Request[],
    runs: (_url: URL): Response => new Response("{}", { status: 500 }),
  };
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fetch = async (input: Request) => {
    state.calls.push(input);
    const url = new URL(input.url);
    if (url.pathname === "/api/v1/auth/me") return json({ user: { name: "admin" }, via: "session" });
    if (url.pathname === "/api/v1/runs") return state.runs(url);
    if (url.pathname === "/api/v1/runs/suggest") {
      const key = url.searchParams.get("key") ?? "";
      const known: Record<string, string[]> = { tag: ["prod-eu", "prod-us"], metadata: ["accuracy", "auc"] };
      return json({ key, values: (known[key] ?? []).filter((v) => v.startsWith(url.searchParams.get("prefix") ?? "")) });
    }
    if (url.pathname === "/api/v1/pipelines") return json({ items: [{ name: "iris_training" }, { name: "nightly etl" }], total: 2, page: 1, size: 1000 });
    return json({ detail: "Not Found" }, 404);
  };
  globalThis.fetch = fetch as typeof globalThis.fetch;
  return { state, json };
});

const { App, createQueryClient } = await import("../../app/App");
const { createAppRouter } = await import("../../app/router");

function run(overrides: Partial<Run> = {}): Run {
  return {
    id: "3f1c0d7e-0000-4000-8000-000000000001",
    name: "iris_training-1",
    pipeline_id: "3f1c0d7e-0000-4000-8000-000000000002",
    pipeline_name: "iris_training",
    snapshot_id: "3f1c0d7e-0000-4000-8000-000000000003",
    archived: false,
    status: "completed",
    config: {},
    parameters: {},
    orchestrator: "local",
    orchestrator_run_id: null,
    stack_id: null,
    user_id: null,
    created_at: "2026-11-01T10:00:00Z",
    started_at: "2026-11-01T10:00:00Z",
    ended_at: "2026-11-01T10:03:05Z",
    heartbeat_at: null,
    tags: ["prod"],
    ...overrides,
  };
}

const page = (items: Run[], total = items.length): RunsPage => ({ items, total, page: 1, size: 50 });

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

afterEach(() => {
  cleanup();
  setSessionEnded(false);
  server.state.calls = [];
});

describe("RunsPage", () => {
  it("lists runs with their status and duration, sending the URL's filter, sort and page", async () => {
    server.state.runs = () => server.json(page([run(), run({ id: "x2", name: "iris_training-2", status: "failed", ended_at: "2026-11-01T10:00:42Z", tags: [] })], 120));
    renderAt("/runs?q=%22status%3Afailed%22&sort=%22-started%22&page=2");
    expect(await screen.findByText("iris_training-2")).toBeTruthy();
    expect(screen.getByText("failed")).toBeTruthy();
    expect(screen.getByText("3m 05s")).toBeTruthy();
    expect(screen.getByText("120 runs")).toBeTruthy();
    const sent = new URL(server.state.calls.find((r) => r.url.includes("/api/v1/runs"))!.url);
    expect(Object.fromEntries(sent.searchParams)).toEqual({ q: "status:failed", sort: "-started", page: "2", size: "50" });
  });

  it("opens on the runs list at the home route", async () => {
    server.state.runs = () => server.json(page([run()]));
    const router = renderAt("/");
    expect(await screen.findByText("iris_training-1")).toBeTruthy();
    expect(router.state.location.pathname).toBe("/runs");
  });

  it("tells a new user how to make runs", async () => {
    server.state.runs = () => server.json(page([]));
    renderAt("/runs");
    expect(await screen.findByText(/No runs yet/)).toBeTruthy();
  });

  it("shows the server's message for a bad filter under the search box", async () => {
    server.state.runs = () => server.json({ detail: "Filter term 'status:' has no value; write it like status:VALUE." }, 400);
    renderAt("/runs?q=status%3A");
    expect(await screen.findByText(/has no value; write it like status:VALUE/)).toBeTruthy();
  });

  it("asks to log in again when the session has ended", async () => {
    document.cookie = `${csrfCookieName()}=abc`;
    server.state.runs = () => server.json({ detail: "Your session has ended; log in again." }, 401);
    renderAt("/runs");
    expect(await screen.findByText("Your session ended — log in again")).toBeTruthy();
    expect(screen.getByLabelText(/Username/)).toBeTruthy();
    document.cookie = `${csrfCookieName()}=; expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  });

  it("asks a first-time visitor to log in", async () => {
    server.state.runs = () => server.json({ detail: "Log in first." }, 401);
    renderAt("/runs");
    expect(await screen.findByText("Log in to Waypost")).toBeTruthy();
  });

  it("puts a search into the URL", async () => {
    server.state.runs = () => server.json(page([run()]));
    const router = renderAt("/runs");
    const box = await screen.findByPlaceholderText(/^Filter runs:/);
    fireEvent.change(box, { target: { value: "status:failed" } });
    fireEvent.submit(box.closest("form")!);
    await waitFor(() => expect(router.state.location.search).toEqual({ q: "status:failed" }));
  });

  it("suggests keys and values: Tab takes the first, arrows pick, Enter takes the picked one", async () => {
    server.state.runs = () => server.json(page([run()]));
    renderAt("/runs");
    const box = (await screen.findByPlaceholderText(/^Filter runs:/)) as HTMLInputElement;
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: "pip" } });
    expect(await screen.findByText("pipeline:")).toBeTruthy();
    fireEvent.keyDown(box, { key: "Tab" });
    expect(box.value).toBe("pipeline:");
    // Pipeline names come from the server, quoted when they hold a space.
    expect(await screen.findByText('pipeline:"nightly etl"')).toBeTruthy();
    fireEvent.keyDown(box, { key: "ArrowDown", code: "ArrowDown" });
    fireEvent.keyDown(box, { key: "ArrowDown", code: "ArrowDown" });
    fireEvent.keyDown(box, { key: "Enter", code: "Enter" });
    expect(box.value).toBe('pipeline:"nightly etl"');
  });

  it("hides a column from the menu, keeping the choice in the URL", async () => {
    server.state.runs = () => server.json(page([run({ stack_name: "gpu-stack" })]));
    const router = renderAt("/runs");
    expect(await screen.findByText("gpu-stack")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Columns" }));
    fireEvent.click(await screen.findByRole("checkbox", { name: "Stack" }));
    await waitFor(() => expect(router.state.location.search).toEqual({ cols: "status,name,pipeline,started,duration,user,tags" }));
    await waitFor(() => expect(screen.queryByText("gpu-stack")).toBeNull());
  });

  it("sorts by user within the page, where the server cannot, and says so", async () => {
    const a = run({ id: "a", name: "zed-run", user_name: "zoe" });
    const b = run({ id: "b", name: "ana-run", user_name: "ana" });
    server.state.runs = () => server.json({ items: [a, b], total: 120, page: 1, size: 50 });
    renderAt("/runs?sort=user");
    await screen.findByText("zed-run");
    const names = [...screen.getByTestId("runs-table").querySelectorAll("tbody tr")].map((tr) => tr.textContent);
    expect(names[0]).toContain("ana-run");
    expect(screen.getByText(/sorted within this page/)).toBeTruthy();
    const sent = new URL(server.state.calls.find((r) => r.url.includes("/api/v1/runs?"))!.url);
    expect(sent.searchParams.get("sort")).toBeNull();
  });

  it("asks the server to sort by duration and pipeline", async () => {
    server.state.runs = () => server.json(page([run()]));
    renderAt("/runs?sort=%22-duration%22");
    await screen.findByText("iris_training-1");
    const sent = new URL(server.state.calls.find((r) => r.url.includes("/api/v1/runs?"))!.url);
    expect(sent.searchParams.get("sort")).toBe("-duration");
  });

  it("exports the rows and columns shown as CSV", async () => {
    server.state.runs = () => server.json(page([run({ name: "=cmd", tags: ["a", "b"] })]));
    const blobs: Blob[] = [];
    URL.createObjectURL = (b: Blob) => {
      blobs.push(b);
      return "blob:x";
    };
    URL.revokeObjectURL = () => undefined;
    renderAt("/runs?cols=status%2Cname%2Ctags");
    await screen.findByText("=cmd");
    fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "This page (1 run)" }));
    const text = (await blobs[0]!.text()).replace(/^\ufeff/, "");
    expect(text).toBe(`id,status,name,tags\r\n${run().id},completed,'=cmd,a b\r\n`);
  });

  it("completes tags and metadata keys from everything the server stores", async () => {
    server.state.runs = () => server.json(page([run()]));
    renderAt("/runs");
    const box = (await screen.findByPlaceholderText(/^Filter runs:/)) as HTMLInputElement;
    fireEvent.focus(box);
    fireEvent.change(box, { target: { value: "tag:prod-" } });
    expect(await screen.findByText("tag:prod-eu")).toBeTruthy();
    expect(screen.getByText("tag:prod-us")).toBeTruthy();
    fireEvent.change(box, { target: { value: "metadata.a" } });
    expect(await screen.findByText("metadata.auc")).toBeTruthy();
    const asked = server.state.calls.map((r) => new URL(r.url)).filter((u) => u.pathname === "/api/v1/runs/suggest");
    expect(asked.map((u) => [u.searchParams.get("key"), u.searchParams.get("prefix")])).toContainEqual(["metadata", "a"]);
  });
});
