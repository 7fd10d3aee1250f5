import { describe, expect, it } from "vitest";

import { type Axis, canBeLog, categoriesOf, fromIntervals, parallelOption, toIntervals } from "./parallel";

const theme = { text: "#000", dimmed: "#888", grid: "#eee", background: "#fff", accent: "#00f" };
const num = (id: string, values: unknown[], log = false): Axis => ({ id, name: id, values, numeric: true, log });
const cat = (id: string, values: unknown[]): Axis => ({ id, name: id, values, numeric: false, log: false });

describe("parallel coordinates", () => {
  it("draws a value or log axis per number, a category axis per text, and colours lines by a metric", () => {
    const option = parallelOption([num("lr", [0.1, 0.01], true), cat("opt", ["sgd", "adam"])], 2, ["r1", "r2"], num("acc", [0.8, 0.9]), theme);
    expect(option.parallelAxis).toEqual([
      expect.objectContaining({ id: "lr", dim: 0, type: "log" }),
      expect.objectContaining({ id: "opt", dim: 1, type: "category", data: ["adam", "sgd"] }),
    ]);
    expect(option.series[0]!.data).toEqual([
      [0.1, "sgd", 0.8],
      [0.01, "adam", 0.9],
    ]);
    expect(option.visualMap).toMatchObject({ dimension: 2, min: 0.8, max: 0.9 });
  });

  it("refuses a log scale for an axis with zero or less", () => {
    expect(canBeLog(num("x", [1, 0]))).toBe(false);
    expect(canBeLog(num("x", [1, null, 3]))).toBe(true);
    expect(parallelOption([num("x", [0, 1], true)], 2, [], undefined, theme).parallelAxis[0]).toMatchObject({ type: "value" });
  });

  it("turns brushes into ECharts intervals and back: numbers as they are, categories by name", () => {
    const opt = cat("opt", ["sgd", "adam", "rmsprop"]);
    expect(categoriesOf(opt.values)).toEqual(["adam", "rmsprop", "sgd"]);
    expect(toIntervals(opt, ["sgd"])).toEqual([[1.6, 2.4]]);
    expect(fromIntervals(opt, [[-0.3, 1.2]])).toEqual(["adam", "rmsprop"]);
    const lr = num("lr", [1, 2]);
    expect(fromIntervals(lr, [[0.30000000001, 0.1]])).toEqual([[0.1, 0.3]]);
    expect(toIntervals(lr, [[1, 2]])).toEqual([[1, 2]]);
  });
});
