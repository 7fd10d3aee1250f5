// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import type { RunGraph } from "../../api/graph";
import { graph, step } from "./testGraph";
import { TimelineView } from "./TimelineView";

// happy-dom does no layout: give every element the size of a 1000×600 chart, as a browser would.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1000 });
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
});
afterAll(() => {
  delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
  delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
});
afterEach(cleanup);

function show(g: RunGraph, selected?: string) {
  const onSelect = vi.fn();
  const view = render(
    <MantineProvider>
      <div style={{ position: "relative", width: 1000, height: 600 }}>
        <TimelineView graph={g} selected={selected} onSelect={onSelect} />
      </div>
    </MantineProvider>,
  );
  return { onSelect, view };
}

const rowsOf = () => screen.queryAllByTestId("timeline-row");

const iris = () =>
  graph([
    step("load_data", [0, 1]),
    step("split_data", [1, 2], ["load_data"]),
    step("train_a", [2, 10], ["split_data"]),
    step("train_b", [2, 4], ["split_data"], { status: "failed", error_type: "ValueError" }),
    step("select", null, ["train_a", "train_b"]),
  ]);

describe("TimelineView", () => {
  it("lists the steps by start, with their status and whether they are on the critical path", async () => {
    show(iris());
    await waitFor(() => expect(screen.getByTestId("timeline").dataset.state).toBe("ready"));
    const rows = rowsOf();
    expect(rows.map((r) => r.dataset.step)).toEqual(["load_data", "split_data", "train_a", "train_b", "select"]);
    expect(rows.map((r) => r.dataset.status)).toEqual(["completed", "completed", "completed", "failed", "pending"]);
    expect(rows.filter((r) => r.dataset.critical === "true").map((r) => r.dataset.step)).toEqual(["load_data", "split_data", "train_a"]);
    expect(screen.getByTestId("critical-summary").textContent).toContain("3 steps · 10s");
  });

  it("draws the critical path only once its switch is on", () => {
    show(iris());
    const critical = () => rowsOf().filter((r) => r.dataset.step === "train_a")[0]!;
    const fast = () => rowsOf().filter((r) => r.dataset.step === "train_b")[0]!;
    expect(critical().style.boxShadow).toBe("");
    expect(fast().style.opacity).toBe("");
    const toggle = screen.getByRole("switch");
    expect((toggle as HTMLInputElement).checked).toBe(false);
    fireEvent.click(toggle);
    expect(critical().style.boxShadow).toContain("inset 3px");
    expect(fast().style.opacity).toBe("0.4");
  });

  it("finds steps by name and filters by status chips", () => {
    show(iris());
    fireEvent.change(screen.getByLabelText("Find steps by name"), { target: { value: "train" } });
    expect(rowsOf().map((r) => r.dataset.step)).toEqual(["train_a", "train_b"]);
    expect(screen.getByTestId("timeline-shown").textContent).toBe("2 of 5 shown");
    fireEvent.change(screen.getByLabelText("Find steps by name"), { target: { value: "" } });
    const chip = (name: string) => screen.getAllByTestId("timeline-chip").find((c) => c.dataset.chip === name)!;
    expect(screen.getAllByTestId("timeline-chip").map((c) => c.dataset.chip)).toEqual(["completed", "failed", "pending"]);
    fireEvent.click(chip("failed"));
    expect(rowsOf().map((r) => r.dataset.step)).toEqual(["train_b"]);
    fireEvent.click(chip("pending"));
    expect(rowsOf().map((r) => r.dataset.step)).toEqual(["train_b", "select"]);
    fireEvent.change(screen.getByLabelText("Find steps by name"), { target: { value: "nothing like it" } });
    expect(screen.getByTestId("timeline-no-match")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Show all steps" }));
    expect(rowsOf()).toHaveLength(5);
  });

  it("selects a step on click", () => {
    const { onSelect } = show(iris());
    fireEvent.click(rowsOf()[2]!);
    expect(onSelect).toHaveBeenCalledWith("train_a");
  });

  it("marks the selected row and moves the selection with the arrow keys", () => {
    const { onSelect } = show(iris(), "split_data");
    const row = rowsOf().find((r) => r.dataset.step === "split_data")!;
    expect(row.getAttribute("aria-selected")).toBe("true");
    const list = screen.getByRole("listbox");
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(onSelect).toHaveBeenLastCalledWith("train_a");
    fireEvent.keyDown(list, { key: "ArrowUp" });
    expect(onSelect).toHaveBeenLastCalledWith("load_data");
    fireEvent.keyDown(list, { key: "Escape" });
    expect(onSelect).toHaveBeenLastCalledWith(undefined);
  });

  it("zooms with + and -, and fits again with 0 or the Fit button", () => {
    show(iris());
    const list = screen.getByRole("listbox");
    const fit = screen.getByRole("button", { name: "Fit" }) as HTMLButtonElement;
    expect(fit.disabled).toBe(true);
    fireEvent.keyDown(list, { key: "+" });
    expect(fit.disabled).toBe(false);
    fireEvent.keyDown(list, { key: "-" });
    expect(fit.disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Zoom in" }));
    fireEvent.click(fit);
    expect(fit.disabled).toBe(true);
  });

  it("renders only a window of a large run's rows", () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => step(`s_${i}`, [i, i + 1], i ? [`s_${i - 1}`] : []));
    show(graph(steps));
    const n = rowsOf().length;
    expect(n).toBeGreaterThan(5);
    expect(n).toBeLessThan(100);
  });

  it("scrolls a step selected from outside into view", () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => step(`s_${i}`, [i, i + 1], i ? [`s_${i - 1}`] : []));
    show(graph(steps), "s_5000");
    const list = screen.getByRole("listbox");
    expect(list.scrollTop).toBeGreaterThan(4_980 * 24); // centred: the row sits mid-view
    expect(list.scrollTop).toBeLessThan(5_000 * 24);
    fireEvent.scroll(list); // a browser fires it after a scrollTop change; happy-dom does not
    const row = rowsOf().find((r) => r.dataset.step === "s_5000");
    expect(row?.getAttribute("aria-selected")).toBe("true");
    expect(list.getAttribute("aria-activedescendant")).toBe(row?.id);
  });

  it("says when a run has no steps", () => {
    show(graph([]));
    expect(screen.getByTestId("timeline").textContent).toMatch(/no steps/);
    expect(screen.getByTestId("timeline").dataset.state).toBe("ready");
  });

  it("says when a run has not started, and still lists what it will run", () => {
    show(graph([step("load_data", null), step("train", null, ["load_data"])], { status: "initializing", started_at: null }));
    expect(screen.getByTestId("timeline").textContent).toMatch(/Not started yet/);
    expect(rowsOf().map((r) => r.dataset.status)).toEqual(["pending", "pending"]);
  });
});
