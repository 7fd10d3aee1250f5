/** ECharts for the visualizations, only the parts they draw with; loaded by a dynamic import. */
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { type EChartsType, init, use as registerParts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

registerParts([LineChart, BarChart, HeatmapChart, GridComponent, LegendComponent, TooltipComponent, DataZoomComponent, VisualMapComponent, CanvasRenderer]);

export interface ChartTheme {
  text: string;
  dimmed: string;
  grid: string;
  background: string;
  accent: string;
}

const fmt = (v: unknown) => (typeof v === "number" ? Number(v.toPrecision(6)).toLocaleString("en-US") : String(v ?? "—"));

function tooltip(theme: ChartTheme) {
  return { backgroundColor: theme.background, borderColor: theme.grid, textStyle: { color: theme.text } };
}

function axis(theme: ChartTheme) {
  return { axisLabel: { color: theme.dimmed }, axisLine: { lineStyle: { color: theme.grid } }, splitLine: { lineStyle: { color: theme.grid } } };
}

/** A 1-D array as a line or bar chart over its (original) indices. */
export function drawSeries(el: HTMLElement, x: number[], y: (number | null)[], mode: "line" | "bar", theme: ChartTheme): EChartsType {
  const chart = init(el, undefined, { renderer: "canvas" });
  const points = x.map((xi, i) => [xi, y[i] ?? null]);
  chart.setOption({
    animation: false,
    backgroundColor: "transparent",
    textStyle: { color: theme.text },
    grid: { left: 56, right: 16, top: 12, bottom: 48 },
    tooltip: { trigger: "axis", ...tooltip(theme), valueFormatter: fmt },
    xAxis: { type: "value", min: "dataMin", max: "dataMax", name: "index", nameGap: 4, ...axis(theme), splitLine: { show: false } },
    yAxis: { type: "value", scale: true, ...axis(theme) },
    dataZoom: [
      { type: "inside", filterMode: "none" },
      { type: "slider", height: 14, bottom: 6, filterMode: "none", textStyle: { color: theme.dimmed }, borderColor: theme.grid },
    ],
    series: [
      mode === "line"
        ? { type: "line", data: points, showSymbol: points.length < 50, connectNulls: false, lineStyle: { width: 1.25 }, color: theme.accent }
        : { type: "bar", data: points, barMaxWidth: 24, large: points.length > 500, color: theme.accent },
    ],
  });
  return chart;
}

/** A chart of a caller-built option (lines, a legend, data zoom: the parts registered above). */
export function drawOption(el: HTMLElement, option: Record<string, unknown>): EChartsType {
  const chart = init(el, undefined, { renderer: "canvas" });
  chart.setOption(option);
  return chart;
}

/** Several runs' 1-D arrays as lines on one pair of axes, one series (and legend entry) per run. */
export function drawOverlay(el: HTMLElement, series: readonly { name: string; x: number[]; y: (number | null)[] }[], theme: ChartTheme): EChartsType {
  const chart = init(el, undefined, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    backgroundColor: "transparent",
    textStyle: { color: theme.text },
    legend: { type: "scroll", top: 0, textStyle: { color: theme.text } },
    grid: { left: 56, right: 16, top: 36, bottom: 48 },
    tooltip: { trigger: "axis", ...tooltip(theme), valueFormatter: fmt },
    xAxis: { type: "value", min: "dataMin", max: "dataMax", name: "index", nameGap: 4, ...axis(theme), splitLine: { show: false } },
    yAxis: { type: "value", scale: true, ...axis(theme) },
    dataZoom: [
      { type: "inside", filterMode: "none" },
      { type: "slider", height: 14, bottom: 6, filterMode: "none", textStyle: { color: theme.dimmed }, borderColor: theme.grid },
    ],
    series: series.map((s) => ({
      type: "line",
      name: s.name,
      data: s.x.map((x, i) => [x, s.y[i] ?? null]),
      showSymbol: s.x.length < 50,
      connectNulls: false,
      lineStyle: { width: 1.25 },
    })),
  });
  return chart;
}

export interface HeatmapOptions {
  xLabels: string[];
  yLabels: string[];
  min: number;
  max: number;
  /** Write each cell's value on it (confusion matrices). */
  showValues: boolean;
  xName?: string;
  yName?: string;
  percent?: boolean;
  /** "blues" for counts (confusion matrices); the default viridis reads the same in both themes. */
  palette?: "viridis" | "blues";
}

const PALETTES = {
  viridis: ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
  blues: ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
};

/** A matrix as a heatmap, row 0 at the top as in the array. */
export function drawHeatmap(el: HTMLElement, values: (number | null)[][], opts: HeatmapOptions, theme: ChartTheme): EChartsType {
  const chart = init(el, undefined, { renderer: "canvas" });
  const data: [number, number, number | null][] = [];
  values.forEach((row, r) => row.forEach((v, c) => data.push([c, r, v])));
  const valueFmt = (v: unknown) => (opts.percent && typeof v === "number" ? `${(v * 100).toFixed(1)}%` : fmt(v));
  const big = data.length > 2_500;
  // category axes would print every one of 200 labels; about ten per axis stay readable
  const every = (n: number) => (n > 12 ? Math.ceil(n / 10) - 1 : 0);
  chart.setOption({
    animation: false,
    backgroundColor: "transparent",
    textStyle: { color: theme.text },
    grid: { left: opts.yName ? 88 : 56, right: 72, top: 12, bottom: opts.xName ? 56 : 36 },
    tooltip: {
      ...tooltip(theme),
      formatter: (p: { value: [number, number, number | null] }) =>
        `${opts.yName ?? "row"} ${opts.yLabels[p.value[1]] ?? ""}, ${opts.xName ?? "column"} ${opts.xLabels[p.value[0]] ?? ""}: <b>${valueFmt(p.value[2])}</b>`,
    },
    xAxis: {
      type: "category",
      data: opts.xLabels,
      name: opts.xName,
      nameLocation: "middle",
      nameGap: 32,
      ...axis(theme),
      axisLabel: { color: theme.dimmed, interval: every(opts.xLabels.length), hideOverlap: true },
      axisTick: { show: false },
    },
    yAxis: {
      type: "category",
      data: opts.yLabels,
      inverse: true,
      name: opts.yName,
      nameLocation: "middle",
      nameGap: 64,
      ...axis(theme),
      axisLabel: { color: theme.dimmed, interval: every(opts.yLabels.length), hideOverlap: true },
      axisTick: { show: false },
    },
    visualMap: {
      min: opts.min,
      max: opts.max === opts.min ? opts.min + 1 : opts.max,
      calculable: false,
      orient: "vertical",
      right: 4,
      top: "middle",
      itemHeight: 160,
      itemWidth: 12,
      text: [valueFmt(opts.max), valueFmt(opts.min)],
      textStyle: { color: theme.dimmed },
      inRange: { color: PALETTES[opts.palette ?? "viridis"] },
    },
    series: [
      {
        type: "heatmap",
        data,
        // progressive rendering would paint a 40,000-cell map over several frames; one pass is faster overall
        progressive: big ? 0 : 400,
        label: { show: opts.showValues, formatter: (p: { value: [number, number, number | null] }) => valueFmt(p.value[2]), fontSize: 11 },
        emphasis: big ? { disabled: true } : { itemStyle: { borderColor: theme.text, borderWidth: 1 } },
      },
    ],
  });
  return chart;
}

/** A histogram as bars over its bin edges; `compact` draws a bare sparkline for tables. */
export function drawHistogram(el: HTMLElement, edges: number[], counts: number[], theme: ChartTheme, compact: boolean): EChartsType {
  const chart = init(el, undefined, { renderer: "canvas" });
  const labels = counts.map((_, i) => (edges.length > i + 1 ? `${fmt(edges[i])} – ${fmt(edges[i + 1])}` : String(i)));
  chart.setOption({
    animation: false,
    backgroundColor: "transparent",
    grid: compact ? { left: 0, right: 0, top: 2, bottom: 0 } : { left: 40, right: 8, top: 8, bottom: 24 },
    tooltip: { trigger: "axis", ...tooltip(theme), confine: true },
    xAxis: { type: "category", data: labels, show: !compact, axisLabel: { color: theme.dimmed, showMaxLabel: true, interval: "auto" as const } },
    yAxis: { type: "value", show: !compact, ...axis(theme) },
    series: [{ type: "bar", data: counts, barCategoryGap: "8%", color: theme.accent }],
  });
  return chart;
}
