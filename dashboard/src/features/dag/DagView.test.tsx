// @vitest-environment happy-dom
import { MantineProvider } from "@mantine/core";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { RunGraph } from "../../api/graph";
import { DagView } from "./DagView";
import { fixtureGraph, fixtureStep } from "./fixtures";

afterEach(cleanup);

function show(graph: RunGraph, selected?: string) {
  const onSelect = vi.fn();
  const view = render(
    <MantineProvider>
      <div style={{ width: 1200, height: 800, position: "relative" }}>
        <DagView graph={graph} selected={selected} onSelect={onSelect} />
      </div>
    </MantineProvider>,
  );
  return { onSelect, ...view };
}

describe("DagView", () => {
  it("says so when the run has no steps", () => {
    show(fixtureGraph([]));
    expect(screen.getByTestId("dag").dataset.state).toBe("ready");
    expect(screen.getByText("This run has no steps")).toBeTruthy();
  });

  it("lays out, then marks itself ready; a click selects; Ctrl-K opens the step finder and stops there", async () => {
    const steps = [fixtureStep("load", "load"), fixtureStep("fit", "fit", ["load"], "failed")];
    const { onSelect } = show(fixtureGraph(steps, "failed"));
    const root = screen.getByTestId("dag");
    expect(root.dataset.state).toBe("layout");
    await waitFor(() => expect(root.dataset.state).toBe("ready"), { timeout: 10_000 });

    const fit = root.querySelector<HTMLElement>('[data-testid="dag-node"][data-step="fit"]');
    expect(fit?.dataset.status).toBe("failed");
    expect(fit?.textContent).toContain("ValueError");
    fireEvent.click(root.querySelector('[data-testid="dag-node"][data-step="load"]') as Element);
    expect(onSelect).toHaveBeenCalledWith("load");

    const onWindow = vi.fn();
    window.addEventListener("keydown", onWindow);
    fireEvent.keyDown(root, { key: "k", ctrlKey: true });
    window.removeEventListener("keydown", onWindow);
    expect(onWindow).not.toHaveBeenCalled();
    expect(screen.getByTestId("dag-find")).toBeTruthy();
  });

  it("updates statuses in place without laying out again", async () => {
    const graph = (status: "running" | "completed") => fixtureGraph([fixtureStep("load", "load"), fixtureStep("fit", "fit", ["load"], status)], "running");
    const onSelect = vi.fn();
    const tree = (g: RunGraph) => (
      <MantineProvider>
        <DagView graph={g} selected={undefined} onSelect={onSelect} />
      </MantineProvider>
    );
    const { rerender } = render(tree(graph("running")));
    const root = screen.getByTestId("dag");
    await waitFor(() => expect(root.dataset.state).toBe("ready"), { timeout: 10_000 });
    expect(root.querySelector('[data-step="fit"]')?.getAttribute("data-status")).toBe("running");

    rerender(tree(graph("completed")));
    // Same structure: the cached layout is used at once, so the view never leaves "ready".
    expect(root.dataset.state).toBe("ready");
    await waitFor(() => expect(root.querySelector('[data-step="fit"]')?.getAttribute("data-status")).toBe("completed"));
  });

  it("opens a folded group on click and folds it back", async () => {
    const steps = [fixtureStep("source", "source"), ...Array.from({ length: 6 }, (_, i) => fixtureStep(`train_${i + 1}`, "train", ["source"]))];
    show(fixtureGraph(steps));
    const root = screen.getByTestId("dag");
    await waitFor(() => expect(root.dataset.state).toBe("ready"), { timeout: 10_000 });
    const group = root.querySelector('[data-testid="dag-group"]') as HTMLElement;
    expect(group.dataset.stepName).toBe("train");
    expect(group.dataset.count).toBe("6");
    expect(root.querySelector('[data-step="train_1"]')).toBeNull();

    fireEvent.click(group);
    await waitFor(() => expect(root.querySelector('[data-step="train_1"]')).not.toBeNull(), { timeout: 10_000 });
    await waitFor(() => expect(root.dataset.state).toBe("ready"));

    fireEvent.click(screen.getByTestId("dag-fold"));
    await waitFor(() => expect(root.querySelector('[data-testid="dag-group"]')).not.toBeNull());
    expect(root.querySelector('[data-step="train_1"]')).toBeNull();
  });
});
