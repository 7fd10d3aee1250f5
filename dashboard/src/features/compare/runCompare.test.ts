import { describe, expect, it } from "vitest";

import {
  type Row,
  axisCandidates,
  cellText,
  columnOrder,
  comparisonCsv,
  comparisonJson,
  defaultAxes,
  differingCount,
  differsFrom,
  insideBrushes,
  parseList,
  rowId,
  sortRows,
  validateRunCompareSearch,
  visibleRows,
} from "./runCompare";

const row = (section: string, key: string, values: unknown[], extra: Partial<Row> = {}): Row => ({
  section,
  key,
  kind: "number",
  values,
  differs: new Set(values.map((v) => JSON.stringify(v))).size > 1,
  ...extra,
});

describe("the comparison's URL", () => {
  it("keeps what it understands and drops the rest", () => {
    const search = validateRunCompareSearch({
      runs: "a,b,a, c",
      diff: "true",
      base: "b",
      order: "-metrics:acc",
      brush: { "metrics:acc": [[0.9, 0.5]], "parameters:opt": ["adam"], bad: [["x"]], empty: [] },
      junk: 1,
    });
    expect(search).toEqual({ runs: "a,b,a, c", diff: true, base: "b", order: "-metrics:acc", brush: { "metrics:acc": [[0.5, 0.9]], "parameters:opt": ["adam"] } });
    expect(parseList(search.runs)).toEqual(["a", "b", "c"]);
    expect(validateRunCompareSearch({ runs: "x".repeat(5000), brush: "nope" })).toEqual({});
  });
});

describe("cells against the baseline", () => {
  const acc = row("metrics", "accuracy", [0.9, 0.9, 0.95, null]);
  const art = row("artifacts", "train.model", [{ hash: "aa", size: 10 }, { hash: "aa", size: 10 }, { hash: "bb", size: 2048 }, null], { kind: "artifact" });

  it("a cell differs by value, an artifact by content, a missing value differs from a present one", () => {
    expect(differsFrom(acc, 0)).toEqual([false, false, true, true]);
    expect(differsFrom(acc, 2)).toEqual([true, true, false, true]);
    expect(differsFrom(art, 1)).toEqual([false, false, true, true]);
    expect(cellText(art.values[2])).toBe("2.0 kB · bb");
    expect(cellText(null)).toBe("—");
    expect(cellText(["a", "b"])).toBe("a, b");
  });

  it("differences only keeps rows unlike the baseline among the runs shown; the filter matches names", () => {
    const same = row("parameters", "train.lr", [0.1, 0.1, 0.1, 0.1]);
    const rows = [acc, same, art];
    expect(visibleRows(rows, { diffOnly: true, base: 0, columns: [0, 1, 2, 3] }).map((r) => r.key)).toEqual(["accuracy", "train.model"]);
    expect(visibleRows(rows, { diffOnly: true, base: 0, columns: [0, 1] })).toEqual([]); // runs 2 and 3 brushed out
    expect(visibleRows(rows, { filter: "TRAIN.", diffOnly: false, base: 0, columns: [0] }).map(rowId)).toEqual(["parameters:train.lr", "artifacts:train.model"]);
  });
});

describe("ordering the runs", () => {
  it("sorts numbers by value and text naturally, empty cells last either way", () => {
    const acc = row("metrics", "accuracy", [0.9, null, 0.95, 0.5]);
    expect(columnOrder(4, acc, false)).toEqual([3, 0, 2, 1]);
    expect(columnOrder(4, acc, true)).toEqual([2, 0, 3, 1]);
    const names = row("run", "name", ["run 10", "run 9", "run 100", "run 1"], { kind: "text" });
    expect(columnOrder(4, names, false)).toEqual([3, 1, 0, 2]);
    expect(columnOrder(3, undefined, true)).toEqual([0, 1, 2]);
  });
});

describe("exports", () => {
  const rows = [row("metrics", "loss", [0.3, 0.2], { best: 1, lower_is_better: true }), row("artifacts", "t.out", [{ hash: "h1", size: 1 }, { hash: "h1", size: 1 }], { kind: "artifact" })];

  it("CSV: a row per attribute, the runs in the order shown, whether it differs and the best run", () => {
    const csv = comparisonCsv(["r1", "r2"], [1, 0], rows, 0);
    expect(csv.header).toEqual(["section", "key", "r2", "r1", "differs_from_baseline", "best"]);
    expect(csv.rows).toEqual([
      ["metrics", "loss", 0.2, 0.3, "yes", "r2"],
      ["artifacts", "t.out", "h1", "h1", "no", null],
    ]);
  });

  it("JSON: values keyed by run name, nulls kept", () => {
    const doc = JSON.parse(comparisonJson([{ id: "1", name: "r1" }, { id: "2", name: "r2" }], [0, 1], rows, 0)) as { baseline: string; rows: { values: Record<string, unknown>; best: string | null }[] };
    expect(doc.baseline).toBe("r1");
    expect(doc.rows[0]).toMatchObject({ values: { r1: 0.3, r2: 0.2 }, best: "r2" });
  });
});

describe("parallel coordinates' data", () => {
  it("offers numbers and few-valued text as axes, starting with metrics that vary", () => {
    const rows = [
      row("parameters", "opt", ["adam", "sgd", "adam"], { kind: "text" }),
      row("metrics", "acc", [0.9, 0.8, 0.7]),
      row("metrics", "flat", [1, 1, 1]),
      row("artifacts", "a.out", [{ hash: "x" }, { hash: "y" }, null], { kind: "artifact" }),
      row("metadata", "notes", [{ a: 1 }, null, null], { kind: "json" }),
    ];
    const candidates = axisCandidates(rows);
    expect(candidates.map(rowId)).toEqual(["parameters:opt", "metrics:acc", "metrics:flat"]);
    expect(defaultAxes(candidates)).toEqual(["metrics:acc", "parameters:opt"]);
  });

  it("a run is inside when every brushed axis holds its value; a run without a value is outside", () => {
    const values = { "m:acc": [0.9, 0.5, null, 0.95], "p:opt": ["adam", "adam", "sgd", "sgd"] };
    expect(insideBrushes(4, values, undefined)).toEqual([true, true, true, true]);
    expect(insideBrushes(4, values, { "m:acc": [[0.8, 1]] })).toEqual([true, false, false, true]);
    expect(insideBrushes(4, values, { "m:acc": [[0.8, 1], [0.4, 0.6]], "p:opt": ["adam"] })).toEqual([true, true, false, false]);
  });

  it("brushes ten thousand runs on ten axes in well under the 100 ms a brush move may take", () => {
    const n = 10_000;
    const values: Record<string, number[]> = {};
    for (let a = 0; a < 10; a += 1) values[`m:${a}`] = Array.from({ length: n }, (_, i) => ((i * (a + 7)) % 1000) / 1000);
    const brushes = Object.fromEntries(Object.keys(values).map((k) => [k, [[0.1, 0.9]] as [number, number][]]));
    const start = performance.now();
    const inside = insideBrushes(n, values, brushes);
    expect(performance.now() - start).toBeLessThan(100);
    expect(inside.filter(Boolean).length).toBeGreaterThan(0);
  });
});

describe("sorting rows", () => {
  const rows = [
    row("parameters", "b", [1, 2, 3]),
    row("parameters", "a10", [1, 1, 1]),
    row("parameters", "a9", [1, 2, 2]),
    row("metrics", "acc", [0.1, 0.1, 0.2]),
  ];
  it("keeps sections in the server's order, by name naturally, or the most different first", () => {
    expect(sortRows(rows, undefined, 0, [0, 1, 2]).map(rowId)).toEqual(rows.map(rowId));
    expect(sortRows(rows, "name", 0, [0, 1, 2]).map((r) => r.key)).toEqual(["a9", "a10", "b", "acc"]);
    expect(sortRows(rows, "diff", 0, [0, 1, 2]).map((r) => r.key)).toEqual(["a9", "b", "a10", "acc"]);
    expect(differingCount(rows[0]!, 0, [0, 1])).toBe(1); // run 2 brushed out
  });
});
