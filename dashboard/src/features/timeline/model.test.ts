import { describe, expect, it } from "vitest";

import { barEnd, buildTimeline, extentOf, openEnd, runSpan } from "./model";
import { at, graph, ms, step } from "./testGraph";

describe("buildTimeline", () => {
  it("orders rows by start, the not-yet-started last in plan order", () => {
    const m = buildTimeline(graph([step("late", [10, 20]), step("wait_b", null), step("early", [0, 5]), step("wait_a", null)]));
    expect(m.rows.map((r) => r.name)).toEqual(["early", "late", "wait_b", "wait_a"]);
    expect(m.byName.get("late")).toBe(1);
    expect(m.startedCount).toBe(2);
    expect(m.pendingCount).toBe(2);
    expect(m.rows[2]?.status).toBe("pending");
  });

  it("resolves dependencies from inputs and after, ignoring unknown names", () => {
    const m = buildTimeline(graph([step("a", [0, 1]), step("b", [1, 2], ["a", "ghost"], { after: ["a"] })]));
    expect(m.rows[1]?.deps).toEqual([0]);
  });

  it("takes the first step's start as time zero (the run's set-up before it is not drawn)", () => {
    expect(buildTimeline(graph([step("a", [5, 6])])).origin).toBe(ms(5));
    expect(buildTimeline(graph([step("b", [7, 8]), step("a", [5, 6])])).origin).toBe(ms(5));
    expect(buildTimeline(graph([step("a", [5, 6])], { started_at: null })).origin).toBe(ms(5));
    expect(buildTimeline(graph([step("a", null)])).origin).toBeNaN();
  });

  it("ends open bars now while the run goes, at the run's end once it stopped", () => {
    const live = buildTimeline(graph([step("a", [0, null])]));
    expect(live.live).toBe(true);
    expect(barEnd(live.rows[0]!, openEnd(live, ms(42)))).toBe(ms(42));
    expect(extentOf(live, ms(42))).toBe(42_000);

    const crashed = buildTimeline(graph([step("a", [0, null])], { status: "crashed", ended_at: new Date(ms(30)).toISOString() }));
    expect(barEnd(crashed.rows[0]!, openEnd(crashed, ms(1000)))).toBe(ms(30));
    expect(extentOf(crashed, ms(1000))).toBe(30_000);
  });

  it("spans a sub-second run's own length, so its bars use the chart's whole width", () => {
    const quick = buildTimeline(graph([step("a", [0, 0.1]), step("b", [0.1, 0.3], ["a"])]));
    expect(extentOf(quick, ms(99))).toBeCloseTo(300);
    // The run's bookkeeping after its last step is not drawn as blank space.
    expect(extentOf(buildTimeline(graph([step("a", [0, 0.1]), step("b", [0.1, 0.3], ["a"])], { ended_at: at(0.45) })), ms(99))).toBeCloseTo(300);
    // Steps that all took no time still get a non-zero axis.
    expect(extentOf(buildTimeline(graph([step("a", [0, 0])])), ms(99))).toBeGreaterThan(0);
  });

  it("never ends a running bar before what the server already saw (a lagging browser clock)", () => {
    const m = buildTimeline(graph([step("a", [0, 10]), step("b", [12, null])]));
    expect(openEnd(m, ms(5))).toBe(ms(12));
  });

  it("draws a failed step without an end as a marker at its start", () => {
    const m = buildTimeline(graph([step("a", [3, null], [], { status: "failed" })], { status: "failed", ended_at: new Date(ms(10)).toISOString() }));
    expect(barEnd(m.rows[0]!, openEnd(m, ms(99)))).toBe(ms(3));
  });

  it("measures the run from time zero to its end, or to now while it goes", () => {
    expect(runSpan(buildTimeline(graph([step("a", [0, 10]), step("b", [10, 25], ["a"])])), ms(99))).toBe(25_000);
    expect(runSpan(buildTimeline(graph([step("a", [0, null])])), ms(40))).toBe(40_000);
    expect(runSpan(buildTimeline(graph([step("a", null)])), ms(40))).toBe(0);
    // The run's total counts its set-up before the first step.
    expect(runSpan(buildTimeline(graph([step("a", [2, 10])])), ms(99))).toBe(10_000);
  });

  it("parses 10,000 steps quickly", () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => step(`s_${i}`, [i % 100, (i % 100) + 1], i ? ["s_0"] : []));
    const t = performance.now();
    const m = buildTimeline(graph(steps));
    expect(m.rows).toHaveLength(10_000);
    expect(performance.now() - t).toBeLessThan(500);
  });
});
