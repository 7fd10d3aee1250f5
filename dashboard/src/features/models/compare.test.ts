import { describe, expect, it } from "vitest";

import type { ComparedVersion, ComparisonRow } from "../../api/modelCompare";
import { cellText, comparisonCsv, differsFromBaseline, groupRows, parseVersions, toggleSelection, validateCompareSearch } from "./compare";

const row = (section: ComparisonRow["section"], key: string, values: unknown[], differs = true, best: number | null = null): ComparisonRow => ({ section, key, values, differs, best });
const version = (n: number, name = String(n)): ComparedVersion => ({ id: `v${n}`, number: n, name, stage: "none", created_at: "2026-11-01T10:00:00Z", run: null });

describe("the compare page's helpers", () => {
  it("reads the versions from the URL, distinct and in order", () => {
    expect(parseVersions(" 3,1,,3, production ")).toEqual(["3", "1", "production"]);
    expect(parseVersions(undefined)).toEqual([]);
    expect(validateCompareSearch({ versions: "1,2", diff: "true", junk: 1 })).toEqual({ versions: "1,2", diff: true });
    expect(validateCompareSearch({ versions: 5, diff: "no" })).toEqual({ versions: "5" });
  });

  it("marks the cells unlike the baseline: numbers as numbers, artifacts by content, missing values", () => {
    expect(differsFromBaseline(row("metrics", "acc", [0.9, 0.9, 0.95, null]))).toEqual([false, false, true, true]);
    const art = (version: number, hash: string) => ({ version, data_type: "builtins.int", content_hash: hash, size: 2048 });
    expect(differsFromBaseline(row("artifacts", "model", [art(1, "aa"), art(2, "aa"), art(3, "bb")]))).toEqual([false, false, true]);
    expect(differsFromBaseline(row("parameters", "x", [1, "1"]))).toEqual([false, true]);
  });

  it("writes cells people can read", () => {
    expect(cellText(null)).toBe("—");
    expect(cellText(["load", "train"])).toBe("load, train");
    expect(cellText({ version: 3, data_type: "t", content_hash: "3fa2c1d0e9f8", size: 1300 })).toBe("v3 · 1.3 kB · 3fa2c1d0");
    expect(cellText({ a: 1 })).toBe('{"a":1}');
  });

  it("groups rows by section and keeps only the differing ones when asked", () => {
    const rows = [row("metrics", "acc", [1, 2]), row("metrics", "same", [1, 1], false), row("snapshot", "pipeline", ["p", "p"], false)];
    expect(groupRows(rows, false).map(([s, list]) => [s, list.length])).toEqual([
      ["metrics", 2],
      ["snapshot", 1],
    ]);
    expect(groupRows(rows, true).map(([s, list]) => [s, list.map((r) => r.key)])).toEqual([["metrics", ["acc"]]]);
  });

  it("exports a row per attribute and a column per version, naming the best", () => {
    const csv = comparisonCsv([version(1), version(2, "v2")], [row("metrics", "acc", [0.8, 0.9], true, 1), row("metadata", "note", [null, "=x"], true)]);
    expect(csv.header).toEqual(["section", "key", "#1", "v2 (#2)", "differs", "best"]);
    expect(csv.rows).toEqual([
      ["metrics", "acc", 0.8, 0.9, "yes", "v2 (#2)"],
      ["metadata", "note", null, "=x", "yes", null],
    ]);
  });

  it("picks versions one at a time, a range with shift, and no more than 50", () => {
    const order = ["5", "4", "3", "2", "1"];
    let picked = toggleSelection([], order, "4", undefined, false);
    expect(picked).toEqual(["4"]);
    picked = toggleSelection(picked, order, "1", "4", true);
    expect(picked).toEqual(["4", "3", "2", "1"]);
    picked = toggleSelection(picked, order, "2", "1", true); // the range 2..1 is on: shift-click unticks it
    expect(picked).toEqual(["4", "3"]);
    expect(toggleSelection(picked, order, "4", "3", false)).toEqual(["3"]);
    const many = Array.from({ length: 60 }, (_, i) => String(i));
    expect(toggleSelection([], many, "59", "0", true)).toHaveLength(50);
  });
});
