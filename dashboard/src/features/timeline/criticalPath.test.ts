import { describe, expect, it } from "vitest";

import { criticalPath } from "./criticalPath";
import { buildTimeline } from "./model";
import { graph, ms, step } from "./testGraph";

function pathOf(g: ReturnType<typeof graph>, now = ms(1000)) {
  const model = buildTimeline(g);
  const cp = criticalPath(model, now);
  return { names: cp.rows.map((i) => model.rows[i]?.name), cp };
}

describe("criticalPath", () => {
  it("is the whole chain when steps run one after another", () => {
    const { names, cp } = pathOf(graph([step("load", [0, 10]), step("train", [11, 40], ["load"]), step("eval", [41, 45], ["train"])]));
    expect(names).toEqual(["load", "train", "eval"]);
    expect(cp.span).toBe(45_000);
    expect(cp.busy).toBe(43_000);
  });

  it("follows the slow branch into a fan-in", () => {
    const { names } = pathOf(
      graph([
        step("load", [0, 5]),
        step("fast", [5, 8], ["load"]),
        step("slow", [5, 30], ["load"]),
        step("medium", [5, 20], ["load"]),
        step("merge", [31, 35], ["fast", "slow", "medium"]),
      ]),
    );
    expect(names).toEqual(["load", "slow", "merge"]);
  });

  it("counts `after` dependencies like inputs", () => {
    const { names } = pathOf(
      graph([step("a", [0, 5]), step("setup", [0, 20]), step("b", [21, 25], ["a"], { after: ["setup"] })]),
    );
    expect(names).toEqual(["setup", "b"]);
  });

  it("starts from the step that ended last, not the last in the plan", () => {
    const { names } = pathOf(graph([step("a", [0, 50]), step("b", [0, 5]), step("c", [6, 10], ["b"])]));
    expect(names).toEqual(["a"]);
  });

  it("keeps a cached step that the next step waited for, and skips a cached side branch", () => {
    const cachedLoad = step("load", [0, 0.01], [], { status: "cached" });
    const cachedSide = step("features", [0.01, 0.02], ["load"], { status: "cached" });
    const { names, cp } = pathOf(graph([cachedLoad, cachedSide, step("train", [0.02, 30], ["load"]), step("report", [30, 31], ["train", "features"])]));
    expect(names).toEqual(["load", "train", "report"]);
    expect(cp.span).toBe(31_000);
  });

  it("ends at a running step, which ends now", () => {
    const now = ms(100);
    const { names, cp } = pathOf(graph([step("load", [0, 10]), step("done", [10, 20], ["load"]), step("train", [10, null], ["load"])]), now);
    expect(names).toEqual(["load", "train"]);
    expect(cp.span).toBe(100_000);
  });

  it("ignores steps that have not started", () => {
    const { names } = pathOf(graph([step("load", [0, 10]), step("train", null, ["load"])]));
    expect(names).toEqual(["load"]);
  });

  it("is empty when nothing has started", () => {
    const { cp } = pathOf(graph([step("load", null), step("train", null, ["load"])]));
    expect(cp.rows).toEqual([]);
    expect(cp.span).toBe(0);
  });

  it("does not hang on a cycle in a malformed graph", () => {
    const { names } = pathOf(graph([step("a", [0, 5], ["b"]), step("b", [6, 10], ["a"])]));
    expect(names).toEqual(["a", "b"]);
  });

  it("walks a 10,000-step chain quickly", () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => step(`s_${i}`, [i, i + 1], i ? [`s_${i - 1}`] : []));
    const t = performance.now();
    const { cp } = pathOf(graph(steps), ms(20_000));
    expect(cp.rows).toHaveLength(10_000);
    expect(performance.now() - t).toBeLessThan(500);
  });
});
