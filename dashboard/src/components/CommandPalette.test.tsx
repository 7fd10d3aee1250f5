// @vitest-environment happy-dom
import { act, cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import { afterEach, describe, expect, it } from "vitest";

// The machine running the tests is shared and slow at times: allow for it.
configure({ asyncUtilTimeout: 4000 });

/** The server, faked at fetch. */
const server = await (async () => {
  const calls: URL[] = [];
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const run = { id: "r-1", name: "iris_training-7", pipeline_name: "iris_training", status: "failed", tags: [], created_at: "2026-11-01T10:00:00Z" };
  globalThis.fetch = (async (input: Request) => {
    const url = new URL(input.url);
    calls.push(url);
    if (url.pathname === "/api/v1/auth/me") return json({ user: { name: "admin" }, via: "session" });
    if (url.pathname === "/api/v1/pipelines") return json({ items: [{ name: "iris_training" }, { name: "etl" }], total: 2, page: 1, size: 1000 });
    if (url.pathname === "/api/v1/runs") return json({ items: url.searchParams.get("q")?.startsWith("name~") ? [run] : [], total: 1, page: 1, size: 8 });
    return json({ detail: "Not Found" }, 404);
  }) as typeof fetch;
  return { calls };
})();

const { App, createQueryClient } = await import("../app/App");
const { createAppRouter } = await import("../app/router");

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  render(<App router={router} queryClient={createQueryClient()} />);
  return router;
}

const press = (key: string, init: KeyboardEventInit = {}) => act(() => void window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init })));
const selected = () => screen.getAllByRole("option", { hidden: true }).find((o) => o.getAttribute("aria-selected") === "true")?.textContent;

afterEach(() => {
  cleanup();
  server.calls.length = 0;
});

describe("CommandPalette", () => {
  it("opens on Ctrl-K and moves through results with the arrows", async () => {
    renderAt("/pipelines");
    await screen.findByText("admin");
    press("k", { ctrlKey: true });
    const input = await screen.findByLabelText("Jump to");
    await screen.findByRole("option", { name: "etl", hidden: true });
    expect(selected()).toContain("Runs");
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selected()).toContain("Pipelines");
    fireEvent.keyDown(input, { key: "ArrowUp" });
    fireEvent.keyDown(input, { key: "ArrowUp" });
    expect(selected()).toBe("etl");
  });

  it("searches runs on the server as one types and opens the chosen one with Enter", async () => {
    const router = renderAt("/pipelines");
    await screen.findByText("admin");
    press("k", { metaKey: true });
    const input = await screen.findByLabelText("Jump to");
    fireEvent.change(input, { target: { value: "iris" } });
    await screen.findByText("iris_training-7");
    expect(server.calls.some((u) => u.pathname === "/api/v1/runs" && u.searchParams.get("q") === "name~iris")).toBe(true);
    // The pipeline comes first; the run after it.
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selected()).toContain("iris_training-7");
    fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(router.state.location.pathname).toBe("/runs/r-1"));
  });

  it("lists its items again when opened a second time", async () => {
    renderAt("/pipelines");
    await screen.findByText("admin");
    press("k", { ctrlKey: true });
    await screen.findByRole("option", { name: "etl", hidden: true });
    fireEvent.keyDown(await screen.findByLabelText("Jump to"), { key: "Escape" });
    await waitFor(() => expect(screen.queryByLabelText("Jump to")).toBeNull());
    press("k", { ctrlKey: true });
    await screen.findByRole("option", { name: "etl", hidden: true });
    expect(selected()).toContain("Runs");
  });

  it("leaves Ctrl-K to a view that handled it first", async () => {
    renderAt("/pipelines");
    await screen.findByText("admin");
    const handled = (e: KeyboardEvent) => e.preventDefault();
    window.addEventListener("keydown", handled, { capture: true });
    press("k", { ctrlKey: true });
    window.removeEventListener("keydown", handled, { capture: true });
    expect(screen.queryByLabelText("Jump to")).toBeNull();
  });
});

describe("app shortcuts", () => {
  it("? opens the shortcuts, but not while typing in a field", async () => {
    renderAt("/pipelines");
    const box = await screen.findByPlaceholderText(/^Filter pipelines/);
    act(() => void box.dispatchEvent(new KeyboardEvent("keydown", { key: "?", bubbles: true, cancelable: true })));
    expect(screen.queryByText("Keyboard shortcuts")).toBeNull();
    press("?");
    expect(await screen.findByText("Keyboard shortcuts")).toBeTruthy();
    expect(screen.getByText("Find a step, while the graph has focus")).toBeTruthy();
    expect(screen.getByText(/Next or previous search hit/)).toBeTruthy();
  });

  it("g r and g p go to the runs and the pipelines", async () => {
    const router = renderAt("/pipelines");
    await screen.findByText("admin");
    press("g");
    press("r");
    await waitFor(() => expect(router.state.location.pathname).toBe("/runs"));
    press("g");
    press("p");
    await waitFor(() => expect(router.state.location.pathname).toBe("/pipelines"));
    // A lone `p` does nothing.
    press("r");
    expect(router.state.location.pathname).toBe("/pipelines");
  });

  it("opens /login without a token on the runs list, not on a missing page", async () => {
    const router = renderAt("/login");
    await waitFor(() => expect(router.state.location.pathname).toBe("/runs"));
    expect(screen.queryByText("This page does not exist")).toBeNull();
  });

  it("shows a way back from an unknown page", async () => {
    renderAt("/no/such/page");
    expect(await screen.findByText("This page does not exist")).toBeTruthy();
    expect(screen.getByText("Go to the runs")).toBeTruthy();
  });
});
