import type { ModelMetricPoint } from "../../api/models";

/** Colours of the stages a point may be in; others draw in the line's colour. */
export const STAGE_COLORS: Record<string, string> = { production: "#40c057", staging: "#fab005" };
const LINE = "#228be6";

export interface ChartColors {
  text: string;
  dimmed: string;
  grid: string;
  background: string;
}

/** One point per version holding `key`: [version number, value], coloured by stage. */
export function metricPoints(points: readonly ModelMetricPoint[], key: string) {
  return points
    .filter((p) => typeof p.values[key] === "number")
    .map((p) => ({
      value: [p.number, p.values[key] as number] as [number, number],
      name: p.name,
      stage: p.stage,
      itemStyle: STAGE_COLORS[p.stage] ? { color: STAGE_COLORS[p.stage], borderColor: STAGE_COLORS[p.stage] } : undefined,
      symbolSize: STAGE_COLORS[p.stage] ? 11 : 6,
    }));
}

/** ECharts options for `key` across versions (x: version number); production and staging stand out. */
export function metricChartOptions(points: readonly ModelMetricPoint[], key: string, theme: ChartColors) {
  const data = metricPoints(points, key);
  return {
    animation: false,
    backgroundColor: "transparent",
    textStyle: { color: theme.text },
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    tooltip: {
      trigger: "item",
      backgroundColor: theme.background,
      borderColor: theme.grid,
      textStyle: { color: theme.text },
      formatter: (p: { data: { name: string; stage: string; value: [number, number] } }) =>
        `version ${p.data.name}${p.data.stage !== "none" ? ` (${p.data.stage})` : ""}<br/>${key}: ${p.data.value[1].toLocaleString()}`,
    },
    xAxis: {
      type: "value",
      name: "version",
      nameLocation: "middle",
      nameGap: 26,
      minInterval: 1,
      // The versions charted, not from 0: a little room either side so the end points show whole.
      min: (v: { min: number; max: number }) => v.min - Math.max(0.5, (v.max - v.min) * 0.02),
      max: (v: { min: number; max: number }) => v.max + Math.max(0.5, (v.max - v.min) * 0.02),
      axisLabel: { color: theme.dimmed, formatter: (n: number) => (Number.isInteger(n) ? String(n) : "") },
      axisLine: { lineStyle: { color: theme.grid } },
      splitLine: { show: false },
    },
    yAxis: { type: "value", scale: true, axisLabel: { color: theme.dimmed }, splitLine: { lineStyle: { color: theme.grid } } },
    dataZoom: data.length > 50 ? [{ type: "inside", filterMode: "none" }] : undefined,
    series: [
      {
        type: "line",
        name: key,
        data,
        showSymbol: true,
        symbol: "circle",
        sampling: data.length > 2000 ? "lttb" : undefined,
        lineStyle: { width: 1.5, color: LINE },
        itemStyle: { color: LINE },
      },
    ],
  };
}
