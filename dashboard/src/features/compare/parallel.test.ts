import { describe, expect, it } from "vitest";

import { type Axis, BUCKETS, brushFromPixels, brushPixels, canBeLog, categoriesOf, colorBuckets, frameFor, niceTicks, pickLine, scaleFor } from "./parallel";

const num = (id: string, values: unknown[], log = false): Axis => ({ id, name: id, values, numeric: true, log });
const cat = (id: string, values: unknown[]): Axis => ({ id, name: id, values, numeric: false, log: false });
const frame = frameFor(600, 240, false); // axes from y 40 (top) to 216 (bottom)

describe("parallel coordinates' scales", () => {
  it("puts the largest number at the top, the smallest at the bottom, and none nowhere", () => {
    const s = scaleFor(num("acc", [0.5, 1, null]), frame);
    expect(s.y(1)).toBe(frame.top);
    expect(s.y(0.5)).toBe(frame.bottom);
    expect(s.y(null)).toBeNull();
    expect(s.y("text")).toBeNull();
    expect(s.value(frame.top)).toBeCloseTo(1);
    expect(s.ticks.map((t) => t.label)).toEqual(["0.5", "0.6", "0.7", "0.8", "0.9", "1"]);
  });

  it("draws a log axis only when every value is above zero", () => {
    expect(canBeLog(num("x", [1, 0]))).toBe(false);
    expect(canBeLog(num("x", [1, null, 3]))).toBe(true);
    const s = scaleFor(num("lr", [0.0001, 0.001, 0.01], true), frame);
    expect(s.y(0.001)).toBeCloseTo((frame.top + frame.bottom) / 2);
    const linear = scaleFor(num("x", [0, 1], true), frame); // asked for log, cannot: linear
    expect(linear.y(0.5)).toBeCloseTo((frame.top + frame.bottom) / 2);
  });

  it("spaces categories evenly, in natural order, the first at the bottom", () => {
    expect(categoriesOf(["sgd", "adam", null, "rmsprop", "adam"])).toEqual(["adam", "rmsprop", "sgd"]);
    const s = scaleFor(cat("opt", ["sgd", "adam", "rmsprop"]), frame);
    expect(s.ticks.map((t) => t.label)).toEqual(["adam", "rmsprop", "sgd"]);
    expect(s.y("adam")!).toBeGreaterThan(s.y("sgd")!);
  });

  it("gives round ticks", () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });
});

describe("brushes", () => {
  it("turn a drag into a value interval or the categories it covers, and back into pixels", () => {
    const acc = scaleFor(num("acc", [0, 1]), frame);
    const ranges = brushFromPixels(acc, acc.y(0.9)!, acc.y(0.5)!) as [number, number][];
    expect(ranges[0]![0]).toBeCloseTo(0.5);
    expect(ranges[0]![1]).toBeCloseTo(0.9);
    const [[top, bottom]] = brushPixels(acc, ranges) as [[number, number]];
    expect(top).toBeCloseTo(acc.y(0.9)!);
    expect(bottom).toBeCloseTo(acc.y(0.5)!);
    const opt = scaleFor(cat("opt", ["sgd", "adam", "rmsprop"]), frame);
    expect(brushFromPixels(opt, opt.y("adam")! + 5, opt.y("rmsprop")! - 5)).toEqual(["adam", "rmsprop"]);
    expect(brushPixels(opt, ["sgd"])).toHaveLength(1);
  });
});

describe("lines", () => {
  it("colour runs by a metric in buckets, those without a value grey", () => {
    const { buckets, min, max } = colorBuckets(4, num("acc", [0, 0.5, 1, null]));
    expect([min, max]).toEqual([0, 1]);
    expect([...buckets]).toEqual([0, BUCKETS / 2, BUCKETS - 1, -1]);
    expect([...colorBuckets(2, undefined).buckets]).toEqual([0, 0]);
  });

  it("finds the line under the pointer between two axes", () => {
    // Two runs on two axes at x 0 and 100: run 0 from y 10 to 10, run 1 from 50 to 90.
    const ys = new Float32Array([10, 10, 50, 90]);
    expect(pickLine(ys, 2, 2, [0, 100], 50, 12)).toBe(0);
    expect(pickLine(ys, 2, 2, [0, 100], 50, 69)).toBe(1);
    expect(pickLine(ys, 2, 2, [0, 100], 50, 40)).toBeUndefined();
    expect(pickLine(ys, 2, 2, [0, 100], 150, 10)).toBeUndefined();
  });
});
