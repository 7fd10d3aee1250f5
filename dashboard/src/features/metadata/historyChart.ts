import type { MetadataPoint } from "../../api/metadataExplorer";

export interface ChartColors {
  text: string;
  dimmed: string;
  grid: string;
  background: string;
}

/** One line colour per pipeline, distinguishable in light and dark mode. */
export const SERIES_COLORS = ["#228be6", "#fa5252", "#40c057", "#fab005", "#7950f2", "#15aabf", "#e64980", "#fd7e14", "#82c91e", "#868e96"];

/** A charted value: [time, number] plus what the tooltip and a click need. */
export interface HistoryDatum {
  value: [number, number];
  runId: string;
  runName: string;
  entity: string;
  /** The value as logged (a bool stays `true`, not 1). */
  shown: string;
}

export interface HistorySeries {
  pipeline: string;
  data: HistoryDatum[];
}

/** A logged value as one line of text: numbers compact, objects as JSON, cut at `max` characters. */
export function valueText(value: unknown, max = 120): string {
  const s = typeof value === "number" ? Number(value.toPrecision(8)).toLocaleString("en-US", { maximumFractionDigits: 8 }) : typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** What the owner of a value is, in words: "step evaluate", "artifact model:3", "run". */
export function ownerText(p: Pick<MetadataPoint, "entity" | "entity_name">): string {
  if (p.entity === "run") return "run";
  const kind = p.entity === "artifact_version" ? "artifact" : p.entity === "model_version" ? "model" : "step";
  return `${kind} ${p.entity_name}`;
}

/** The numeric points, one series per pipeline (pipelines by name), each oldest first. */
export function historySeries(points: readonly MetadataPoint[]): HistorySeries[] {
  const byPipeline = new Map<string, HistoryDatum[]>();
  for (const p of points) {
    if (p.number === null || !Number.isFinite(p.number)) continue;
    const t = Date.parse(p.created_at);
    if (!Number.isFinite(t)) continue;
    let data = byPipeline.get(p.pipeline_name);
    if (!data) byPipeline.set(p.pipeline_name, (data = []));
    data.push({ value: [t, p.number], runId: p.run_id, runName: p.run_name, entity: ownerText(p), shown: valueText(p.value) });
  }
  return [...byPipeline.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pipeline, data]) => ({ pipeline, data: data.sort((a, b) => a.value[0] - b.value[0]) }));
}

/** The values that are not numbers (text, JSON, paths…), newest first: they go in a table, not on the chart. */
export function nonNumericPoints(points: readonly MetadataPoint[]): MetadataPoint[] {
  return points.filter((p) => p.number === null).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The tooltip of one point: the run, the pipeline, what logged it, the value and when. */
export function tooltipHtml(key: string, pipeline: string, d: HistoryDatum): string {
  return [
    `<b>${escape(d.runName)}</b>`,
    `${escape(pipeline)} · ${escape(d.entity)}`,
    `${escape(key)}: <b>${escape(d.shown)}</b>`,
    escape(new Date(d.value[0]).toLocaleString()),
    `<span style="opacity:.7">click to open the run</span>`,
  ].join("<br/>");
}

/** ECharts options for a key's history: x is when the run was made, one line per pipeline. */
export function historyChartOptions(series: readonly HistorySeries[], key: string, theme: ChartColors) {
  const total = series.reduce((n, s) => n + s.data.length, 0);
  return {
    animation: false,
    backgroundColor: "transparent",
    color: SERIES_COLORS,
    textStyle: { color: theme.text },
    grid: { left: 64, right: 24, top: series.length > 1 ? 40 : 16, bottom: 32 },
    legend: series.length > 1 ? { type: "scroll", top: 0, textStyle: { color: theme.text }, pageTextStyle: { color: theme.dimmed } } : undefined,
    tooltip: {
      trigger: "item",
      confine: true,
      backgroundColor: theme.background,
      borderColor: theme.grid,
      textStyle: { color: theme.text },
      formatter: (p: { seriesName: string; data: HistoryDatum }) => tooltipHtml(key, p.seriesName, p.data),
    },
    xAxis: {
      type: "time",
      axisLabel: { color: theme.dimmed, hideOverlap: true },
      axisLine: { lineStyle: { color: theme.grid } },
      splitLine: { show: false },
    },
    // The key is the panel's title: no axis name to collide with the legend.
    yAxis: { type: "value", scale: true, axisLabel: { color: theme.dimmed }, splitLine: { lineStyle: { color: theme.grid } } },
    dataZoom: total > 50 ? [{ type: "inside", filterMode: "none" }] : undefined,
    series: series.map((s) => ({
      type: "line",
      name: s.pipeline,
      data: s.data,
      showSymbol: true,
      symbol: "circle",
      // Many points: smaller dots, still each one hoverable and clickable.
      symbolSize: total > 2000 ? 3 : 7,
      lineStyle: { width: 1.5 },
      emphasis: { focus: "series", scale: 1.6 },
      cursor: "pointer",
    })),
  };
}
