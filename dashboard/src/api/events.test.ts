// @vitest-environment happy-dom
import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";

import { backoff, createEventHandler, isLive, startEvents } from "./events";
import { graphKeys } from "./graph";
import { type Run, runKeys } from "./runs";

afterEach(() => vi.useRealTimers());

describe("backoff", () => {
  it("doubles from about a second up to about fifteen", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 9].map((a) => backoff(a, mid))).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
    expect(backoff(0, () => 0)).toBe(750);
    expect(backoff(0, () => 1)).toBe(1250);
  });
});

describe("createEventHandler", () => {
  it("puts a run event's record in place and refreshes lists, graph and steps once per burst", async () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    qc.setQueryData(graphKeys.detail("r1"), { run_id: "r1", steps: [] });
    // The same run's page opened by name.
    qc.setQueryData(runKeys.detail("iris-7"), { id: "r1", status: "running" });
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    const h = createEventHandler(qc);
    const run = { id: "r1", status: "completed" } as Run;
    h.run(run);
    expect(qc.getQueryData(runKeys.detail("iris-7"))).toEqual(run);
    h.step({ run_id: "r1", name: "train" });
    h.step({ run_id: "r1", name: "evaluate" });
    expect(qc.getQueryData(runKeys.detail("r1"))).toBe(run);
    expect(invalidate).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    const keys = invalidate.mock.calls.map(([f]) => JSON.stringify(f?.queryKey));
    expect(keys.sort()).toEqual(
      [runKeys.lists(), ["pipelines"], ["artifacts", "list"], graphKeys.detail("r1"), ["steps", "r1"]].map((k) => JSON.stringify(k)).sort(),
    );
  });

  it("refreshes only that run's graph (by id or name) and steps on a step event", async () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    qc.setQueryData(graphKeys.detail("my-run-name"), { run_id: "r2", steps: [] });
    qc.setQueryData(graphKeys.detail("other"), { run_id: "r3", steps: [] });
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    createEventHandler(qc).step({ run_id: "r2", name: "load" });
    await vi.advanceTimersByTimeAsync(500);
    expect(invalidate.mock.calls.map(([f]) => f?.queryKey)).toEqual([graphKeys.detail("my-run-name"), ["steps", "r2"]]);
  });
});

/** A stand-in for the browser's EventSource that the test opens, feeds and breaks. */
class FakeSource {
  static all: FakeSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  listeners = new Map<string, (e: MessageEvent) => void>();
  constructor(readonly url: string) {
    FakeSource.all.push(this);
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    this.listeners.set(type, fn);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: unknown) {
    this.listeners.get(type)?.(new MessageEvent(type, { data: JSON.stringify(data) }));
  }
}

describe("createEventHandler with a slow graph", () => {
  it("lets a graph fetch in flight finish, then refreshes it", async () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    let finish: (v: unknown) => void = () => undefined;
    void qc.fetchQuery({ queryKey: graphKeys.detail("big"), queryFn: () => new Promise((resolve) => (finish = resolve)) });
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    createEventHandler(qc).step({ run_id: "big", name: "s1" });
    await vi.advanceTimersByTimeAsync(2000);
    expect(invalidate).not.toHaveBeenCalled();
    finish({ steps: [] });
    await vi.advanceTimersByTimeAsync(500);
    expect(invalidate.mock.calls.map(([f]) => f?.queryKey)).toContainEqual(graphKeys.detail("big"));
  });
});

describe("startEvents", () => {
  it("goes live, falls back while the stream is down, reconnects with backoff and resyncs", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    FakeSource.all = [];
    globalThis.EventSource = FakeSource as unknown as typeof EventSource;
    const qc = new QueryClient();
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    const stop = startEvents(qc);
    expect(isLive()).toBe(false);
    FakeSource.all[0]!.onopen?.();
    expect(isLive()).toBe(true);
    expect(invalidate).not.toHaveBeenCalled(); // nothing was missed on the first open

    FakeSource.all[0]!.emit("run", { id: "r1", status: "running" });
    expect(qc.getQueryData(runKeys.detail("r1"))).toEqual({ id: "r1", status: "running" });

    FakeSource.all[0]!.onerror?.();
    expect(FakeSource.all[0]!.closed).toBe(true);
    expect(isLive()).toBe(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSource.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSource.all).toHaveLength(2);
    FakeSource.all[1]!.onerror?.();
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeSource.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSource.all).toHaveLength(3);

    invalidate.mockClear();
    FakeSource.all[2]!.onopen?.();
    expect(isLive()).toBe(true);
    expect(invalidate.mock.calls.map(([f]) => f?.queryKey)).toContainEqual(runKeys.all);

    stop();
    expect(FakeSource.all[2]!.closed).toBe(true);
    expect(isLive()).toBe(false);
    // @ts-expect-error -- happy-dom has no EventSource; put it back as it was
    delete globalThis.EventSource;
    vi.restoreAllMocks();
  });

  it("leaves a comparison read before the stream listened alone: only lists and details are refreshed", async () => {
    FakeSource.all = [];
    globalThis.EventSource = FakeSource as unknown as typeof EventSource;
    const qc = new QueryClient();
    qc.setQueryData(runKeys.lists(), { items: [] });
    qc.setQueryData([...runKeys.all, "compare", ["a", "b"]], { runs: [], rows: [] });
    qc.setQueryData([...runKeys.all, "diff", "a", "b"], { steps: [] });
    const stop = startEvents(qc);
    FakeSource.all[0]!.onopen?.();
    await Promise.resolve();
    expect(qc.getQueryState(runKeys.lists())?.isInvalidated).toBe(true);
    expect(qc.getQueryState([...runKeys.all, "compare", ["a", "b"]])?.isInvalidated).toBe(false);
    expect(qc.getQueryState([...runKeys.all, "diff", "a", "b"])?.isInvalidated).toBe(false);
    stop();
    // @ts-expect-error -- happy-dom has no EventSource; put it back as it was
    delete globalThis.EventSource;
    vi.restoreAllMocks();
  });

  it("leaves a run that had ended as read, and refreshes one still going", async () => {
    FakeSource.all = [];
    globalThis.EventSource = FakeSource as unknown as typeof EventSource;
    const qc = new QueryClient();
    qc.setQueryData(runKeys.detail("done"), { id: "r-done", name: "done", status: "completed" });
    qc.setQueryData(graphKeys.detail("r-done"), { run_id: "r-done", steps: [] });
    qc.setQueryData(["steps", "r-done", "train"], { name: "train" });
    qc.setQueryData(runKeys.detail("r-live"), { id: "r-live", name: "live", status: "running" });
    qc.setQueryData(graphKeys.detail("live"), { run_id: "r-live", steps: [] });
    qc.setQueryData(["steps", "r-live", "train"], { name: "train" });
    const stop = startEvents(qc);
    FakeSource.all[0]!.onopen?.();
    await Promise.resolve();
    const invalidated = (key: readonly unknown[]) => qc.getQueryState(key)?.isInvalidated;
    expect([runKeys.detail("done"), graphKeys.detail("r-done"), ["steps", "r-done", "train"]].map(invalidated)).toEqual([false, false, false]);
    expect([runKeys.detail("r-live"), graphKeys.detail("live"), ["steps", "r-live", "train"]].map(invalidated)).toEqual([true, true, true]);
    stop();
    // @ts-expect-error -- happy-dom has no EventSource; put it back as it was
    delete globalThis.EventSource;
    vi.restoreAllMocks();
  });

  it("refreshes a list read before the stream listened (a change in between is not lost)", () => {
    FakeSource.all = [];
    globalThis.EventSource = FakeSource as unknown as typeof EventSource;
    const qc = new QueryClient();
    qc.setQueryData(runKeys.lists(), { items: [{ id: "r1", status: "running" }] });
    const invalidate = vi.spyOn(qc, "invalidateQueries");
    const stop = startEvents(qc);
    FakeSource.all[0]!.onopen?.();
    expect(invalidate.mock.calls.map(([f]) => f?.queryKey)).toContainEqual(runKeys.all);
    stop();
    // @ts-expect-error -- happy-dom has no EventSource; put it back as it was
    delete globalThis.EventSource;
    vi.restoreAllMocks();
  });
});
