import { describe, expect, it } from "vitest";

import type { MetadataPoint } from "../../api/metadataExplorer";
import { type HistoryDatum, historyChartOptions, historySeries, nonNumericPoints, ownerText, tooltipHtml, valueText } from "./historyChart";

const THEME = { text: "#000", dimmed: "#888", grid: "#eee", background: "#fff" };

const point = (run: number, pipeline: string, value: unknown, number: number | null, extra: Partial<MetadataPoint> = {}): MetadataPoint => ({
  run_id: `run-${run}`,
  run_name: `${pipeline}-run-${run}`,
  pipeline_name: pipeline,
  created_at: new Date(Date.UTC(2026, 10, 1, run)).toISOString(),
  value,
  number,
  type: typeof value === "number" ? "float" : typeof value === "boolean" ? "bool" : "str",
  entity: "step",
  entity_name: "evaluate",
  ...extra,
});

describe("a key's history as a chart", () => {
  const points = [
    point(3, "train", 0.9, 0.9),
    point(1, "train", 0.8, 0.8),
    point(2, "nightly", true, 1, { entity: "run", entity_name: "nightly-run-2" }),
    point(4, "train", "n/a", null),
    point(5, "nightly", "NaN", null, { type: "float" }),
  ];

  it("makes one series per pipeline of the numeric values, oldest first", () => {
    const series = historySeries(points);
    expect(series.map((s) => s.pipeline)).toEqual(["nightly", "train"]);
    expect(series[1]?.data.map((d) => [d.runName, d.value[1]])).toEqual([
      ["train-run-1", 0.8],
      ["train-run-3", 0.9],
    ]);
    // A bool charts as 1 but reads as it was logged, and says what logged it.
    expect(series[0]?.data[0]).toMatchObject({ value: [Date.UTC(2026, 10, 1, 2), 1], runId: "run-2", shown: "true", entity: "run" });
    expect(series[1]?.data[0]?.entity).toBe("step evaluate");
  });

  it("lists the values that are not numbers, newest first", () => {
    expect(nonNumericPoints(points).map((p) => p.value)).toEqual(["NaN", "n/a"]);
    expect(historySeries([point(1, "train", "x", null)])).toEqual([]);
  });

  it("builds ECharts options: a time axis, a line per pipeline, a legend only when there are several", () => {
    const options = historyChartOptions(historySeries(points), "accuracy", THEME);
    expect(options.xAxis.type).toBe("time");
    expect(options.series.map((s) => [s.name, s.data.length])).toEqual([
      ["nightly", 1],
      ["train", 2],
    ]);
    expect(options.legend).toBeDefined();
    expect(options.dataZoom).toBeUndefined();
    const one = historyChartOptions(historySeries(points.filter((p) => p.pipeline_name === "train")), "accuracy", THEME);
    expect(one.legend).toBeUndefined();
    expect(one.grid.top).toBeLessThan(options.grid.top); // no legend to make room for
    const many = Array.from({ length: 3000 }, (_, i) => point(i, "train", i, i));
    const big = historyChartOptions(historySeries(many), "step", THEME);
    expect(big.dataZoom).toHaveLength(1);
    expect(big.series[0]?.symbolSize).toBe(3);
  });

  it("writes the tooltip with the run, pipeline, owner and value, escaped", () => {
    const d: HistoryDatum = { value: [Date.UTC(2026, 10, 1), 0.5], runId: "r", runName: "<b>run</b>", entity: "step evaluate", shown: "0.5" };
    const html = tooltipHtml("acc", "train", d);
    expect(html).toContain("&#60;b&#62;run&#60;/b&#62;");
    expect(html).toContain("train · step evaluate");
    expect(html).toContain("acc: <b>0.5</b>");
    const options = historyChartOptions([{ pipeline: "train", data: [d] }], "acc", THEME);
    expect(options.tooltip.formatter({ seriesName: "train", data: d })).toBe(html);
  });

  it("writes values and owners in words", () => {
    expect(valueText(0.123456789123)).toBe("0.12345679");
    expect(valueText(1234567)).toBe("1,234,567");
    expect(valueText({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(valueText("x".repeat(200), 10)).toBe(`${"x".repeat(9)}…`);
    expect(valueText(null)).toBe("null");
    expect(ownerText({ entity: "artifact_version", entity_name: "model:3" })).toBe("artifact model:3");
    expect(ownerText({ entity: "model_version", entity_name: "iris" })).toBe("model iris");
  });
});
