// @vitest-environment happy-dom
import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";

import { backoff, createEventHandler } from "./events";
import { graphKeys } from "./graph";
import { type Run, runKeys } from "./runs";

afterEach(() => vi.useRealTimers());

describe("backoff", () => {
  it("doubles from about a second up to about thirty", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 5, 9].map((a) => backoff(a, mid))).toEqual([1000, 2000, 4000, 30000, 30000]);
    expect(backoff(0, () => 0)).toBe(750);
    expect(backoff(0, () => 1)).toBe(1250);
  });
});

describe("createEventHandler", () => {
  it("puts a run event's record in place and refreshes lists, graph and steps once per burst", async () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    const h = createEventHandler(qc);
    const run = { id: "r1", status: "completed" } as Run;
    h.run(run);
    h.step({ run_id: "r1", name: "train" });
    h.step({ run_id: "r1", name: "evaluate" });
    expect(qc.getQueryData(runKeys.detail("r1"))).toBe(run);
    expect(invalidate).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    const keys = invalidate.mock.calls.map(([f]) => JSON.stringify(f?.queryKey));
    expect(keys.sort()).toEqual(
      [runKeys.lists(), ["pipelines"], graphKeys.detail("r1"), ["steps", "r1"]].map((k) => JSON.stringify(k)).sort(),
    );
  });

  it("refreshes only the run's graph and steps on a step event", async () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    createEventHandler(qc).step({ run_id: "r2", name: "load" });
    await vi.advanceTimersByTimeAsync(500);
    expect(invalidate.mock.calls.map(([f]) => f?.queryKey)).toEqual([graphKeys.detail("r2"), ["steps", "r2"]]);
  });
});
