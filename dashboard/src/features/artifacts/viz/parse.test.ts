// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";

import { explainStatus } from "./api";
import { stepZoom } from "./MediaViz";
import {
  VizFormatError,
  describeShape,
  formatBytes,
  formatNumber,
  normalizeRows,
  pageLines,
  parseChart,
  parseClassificationReport,
  parseConfusionMatrix,
  parseCsv,
  parseHeatmap,
  parseProfile,
  parseStats,
  parseTablePreview,
  parseValidation,
} from "./parse";
import { blocksFor, nextSort } from "./TableViz";

describe("parsers", () => {
  it("reads a table preview and defaults its totals", () => {
    const t = parseTablePreview({ columns: [{ name: "a", dtype: "int64" }], rows: [[1], [2]] });
    expect(t.totalRows).toBe(2);
    expect(t.columns[0]).toEqual({ name: "a", dtype: "int64" });
    expect(() => parseTablePreview({ rows: [] })).toThrow(VizFormatError);
  });

  it("reads stats with numeric and categorical columns", () => {
    const s = parseStats({
      rows: 3,
      total_columns: 2,
      columns: [
        { name: "x", dtype: "float64", count: 3, nulls: 0, kind: "numeric", min: 1, max: 3, mean: 2, std: 1, histogram: { edges: [1, 2, 3], counts: [1, 2] } },
        { name: "c", dtype: "object", count: 2, nulls: 1, kind: "categorical", unique: 2, top: [{ value: "a", count: 1 }] },
      ],
    });
    expect(s.columns[0]?.histogram?.counts).toEqual([1, 2]);
    expect(s.columns[1]?.top[0]?.value).toBe("a");
  });

  it("reads a chart, filling missing x", () => {
    expect(parseChart({ y: [1, null, 3] }).x).toEqual([0, 1, 2]);
    expect(parseChart({ x: [0, 10], y: [1, 2], length: 20, downsampled: true }).length).toBe(20);
    expect(() => parseChart({})).toThrow(/chart needs y/);
  });

  it("reads a heatmap and describes its shape", () => {
    const h = parseHeatmap({ values: [[1, null], [3, 4]], shape: [2000, 2000], min: 1, max: 4 });
    expect(h.shape).toEqual([2000, 2000]);
    expect(describeShape(h.shape, [200, 200])).toBe("2,000 × 2,000, shown as 200 × 200");
    expect(describeShape([3, 4], [3, 4])).toBe("3 × 4");
    expect(() => parseHeatmap({ values: "x" })).toThrow(VizFormatError);
  });

  it("checks a confusion matrix is square and normalizes rows", () => {
    const cm = parseConfusionMatrix({ labels: ["a", "b"], matrix: [[3, 1], [0, 0]] });
    expect(cm.normalized).toEqual([[0.75, 0.25], [0, 0]]);
    expect(() => parseConfusionMatrix({ labels: ["a"], matrix: [[1, 2]] })).toThrow(/labels × labels/);
    expect(normalizeRows([[null, 2]])).toEqual([[null, 1]]);
  });

  it("reads a classification report with sklearn's f1-score spelling", () => {
    const r = parseClassificationReport({
      classes: [{ label: "cat", precision: 1, recall: 0.5, "f1-score": 0.667, support: 2 }],
      accuracy: 0.5,
      macro_avg: { precision: 1, recall: 0.5, f1: 0.667, support: 2 },
    });
    expect(r.classes[0]?.f1).toBe(0.667);
    expect(r.averages.map((a) => a.label)).toEqual(["macro avg"]);
  });

  it("reads validation results and profiles", () => {
    const v = parseValidation({ success: false, results: [{ expectation: "expect_x", column: "a", success: false, observed_value: 3, unexpected_count: 2, unexpected_sample: [1, 2] }] });
    expect(v.results[0]).toMatchObject({ success: false, unexpectedCount: 2, unexpectedSample: [1, 2] });
    const p = parseProfile({ columns: [{ name: "a", type: "fractional", count: 3, null_count: 0, histogram: { bins: [0, 1, 2], counts: [1, 2] } }] });
    expect(p[0]?.histogram?.edges).toEqual([0, 1, 2]);
  });
});

describe("text helpers", () => {
  it("pages lines and clamps the page", () => {
    const text = Array.from({ length: 5 }, (_, i) => `l${i}`).join("\n") + "\n";
    expect(pageLines(text, 0, 2)).toEqual({ lines: ["l0", "l1"], pages: 3, first: 0 });
    expect(pageLines(text, 9, 2)).toEqual({ lines: ["l4"], pages: 3, first: 4 });
  });

  it("parses CSV with quotes and newlines, and refuses non-tables", () => {
    const csv = parseCsv('a,b\n1,"x, ""y"""\n2,"multi\nline"\n');
    expect(csv?.header).toEqual(["a", "b"]);
    expect(csv?.rows).toEqual([["1", 'x, "y"'], ["2", "multi\nline"]]);
    expect(parseCsv("just some prose\nwith lines")).toBeNull();
    expect(parseCsv("a\tb\n1\t2")?.rows).toEqual([["1", "2"]]);
  });

  it("formats numbers and bytes", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(0.000012345)).toBe("1.234e-5");
    expect(formatNumber(3.14159265)).toBe("3.14159");
    expect(formatNumber(null)).toBe("—");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });

  it("explains failed reads", () => {
    expect(explainStatus(410, "deleted")).toMatch(/gone/);
    expect(explainStatus(422, "bad parquet")).toMatch(/corrupt/);
  });
});

describe("table and image controls", () => {
  it("cycles the sort through ascending, descending, none", () => {
    let s = nextSort({ column: null, descending: false }, "a");
    expect(s).toEqual({ column: "a", descending: false });
    s = nextSort(s, "a");
    expect(s).toEqual({ column: "a", descending: true });
    expect(nextSort(s, "a")).toEqual({ column: null, descending: false });
    expect(nextSort(s, "b")).toEqual({ column: "b", descending: false });
  });

  it("finds the blocks a visible range needs", () => {
    expect(blocksFor(0, 30)).toEqual([0]);
    expect(blocksFor(190, 230)).toEqual([0, 1]);
  });

  it("steps zoom", () => {
    expect(stepZoom(1, 1)).toBe(1.5);
    expect(stepZoom(0.33, -1)).toBe(0.25);
    expect(stepZoom(16, 1)).toBe(16);
  });
});
