/** ECharts, only the parts the metrics tab draws with; loaded by a dynamic import. */
import { LineChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { type EChartsType, init, use as registerParts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

import type { Series } from "./metrics";

registerParts([LineChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, CanvasRenderer]);

export interface ChartTheme {
  text: string;
  dimmed: string;
  grid: string;
  background: string;
}

const PALETTE = ["#228be6", "#40c057", "#fab005", "#fa5252", "#7950f2", "#15aabf", "#e64980", "#fd7e14"];

/** A line chart of `series` over seconds since the step started; the caller disposes it. */
export function drawLineChart(el: HTMLElement, series: Series[], unit: string, theme: ChartTheme, max?: number): EChartsType {
  const chart = init(el, undefined, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    color: PALETTE,
    backgroundColor: "transparent",
    textStyle: { color: theme.text },
    grid: { left: 48, right: 12, top: series.length > 1 ? 28 : 12, bottom: 44 },
    legend: series.length > 1 ? { top: 0, textStyle: { color: theme.text }, itemHeight: 8 } : undefined,
    tooltip: {
      trigger: "axis",
      backgroundColor: theme.background,
      borderColor: theme.grid,
      textStyle: { color: theme.text },
      valueFormatter: (v: unknown) => (typeof v === "number" ? `${v.toLocaleString()} ${unit}` : String(v)),
    },
    xAxis: {
      type: "value",
      name: "s",
      nameGap: 4,
      min: 0,
      axisLabel: { color: theme.dimmed },
      axisLine: { lineStyle: { color: theme.grid } },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      min: 0,
      max,
      axisLabel: { color: theme.dimmed },
      splitLine: { lineStyle: { color: theme.grid } },
    },
    dataZoom: [
      { type: "inside", filterMode: "none" },
      { type: "slider", height: 14, bottom: 4, filterMode: "none", textStyle: { color: theme.dimmed }, borderColor: theme.grid },
    ],
    series: series.map((s) => ({ type: "line", name: s.name, data: s.points, showSymbol: s.points.length < 3, sampling: "lttb", lineStyle: { width: 1.5 } })),
  });
  return chart;
}
