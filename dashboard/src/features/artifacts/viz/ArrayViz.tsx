import { Group, SegmentedControl, Stack, Text } from "@mantine/core";
import { useCallback, useMemo, useState } from "react";

import type { HeatmapOptions } from "./charts";
import { useChartTheme, useEChart, useVizJson, useVizReport } from "./hooks";
import { MatrixCanvas } from "./MatrixCanvas";
import { describeShape, formatNumber, parseChart, parseConfusionMatrix, parseHeatmap } from "./parse";
import type { VizProps } from "./types";

export function ChartViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseChart);
  const [mode, setMode] = useState<"line" | "bar">("line");
  const theme = useChartTheme();
  const report = useVizReport();
  const draw = useMemo(
    () => (data ? (c: typeof import("./charts"), el: HTMLElement) => c.drawSeries(el, data.x, data.y, mode, theme) : null),
    [data, mode, theme],
  );
  const { ref } = useEChart(draw, report.ready, report.fail);
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text fz="xs" c="dimmed">
          {data
            ? `${data.length.toLocaleString("en-US")} values${data.downsampled ? `, shown as ${data.x.length.toLocaleString("en-US")} min/max points` : ""}`
            : "Loading…"}
        </Text>
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(v) => setMode(v === "bar" ? "bar" : "line")}
          data={[
            { value: "line", label: "Line" },
            { value: "bar", label: "Bar" },
          ]}
          aria-label="Chart kind"
        />
      </Group>
      <div ref={ref} style={{ height: 320, width: "100%" }} data-testid="viz-chart" />
    </Stack>
  );
}

function axisLabels(n: number, total: number): string[] {
  // each shown cell averages a block of the original; label it with the block's first index
  const step = total / n;
  return Array.from({ length: n }, (_, i) => String(Math.floor(i * step)));
}

/** Above this many cells a heatmap is drawn as an image rather than as ECharts shapes. */
const IMAGE_CELLS = 2_500;

export function HeatmapViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseHeatmap);
  const theme = useChartTheme();
  const report = useVizReport();
  const shown: [number, number] = data ? [data.values.length, data.values[0]?.length ?? 0] : [0, 0];
  const asImage = shown[0] * shown[1] > IMAGE_CELLS;
  const draw = useMemo(() => {
    if (!data || asImage) return null;
    const opts: HeatmapOptions = {
      xLabels: axisLabels(data.values[0]?.length ?? 0, data.shape[1]),
      yLabels: axisLabels(data.values.length, data.shape[0]),
      min: data.min ?? 0,
      max: data.max ?? 1,
      showValues: false,
      xName: "column",
      yName: "row",
    };
    return (c: typeof import("./charts"), el: HTMLElement) => c.drawHeatmap(el, data.values, opts, theme);
  }, [data, theme, asImage]);
  const { ref } = useEChart(draw, report.ready, report.fail);
  return (
    <Stack gap={4}>
      <Text fz="xs" c="dimmed" data-testid="viz-shape">
        {data ? `${describeShape(data.shape, shown)} · min ${formatNumber(data.min)} · max ${formatNumber(data.max)}` : "Loading…"}
      </Text>
      {data && asImage ? (
        <MatrixCanvas values={data.values} shape={data.shape} min={data.min ?? 0} max={data.max ?? 1} onPainted={report.ready} />
      ) : (
        <div ref={ref} style={{ height: 440, width: "100%", maxWidth: 640 }} data-testid="viz-chart" />
      )}
    </Stack>
  );
}

export function ConfusionMatrixViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseConfusionMatrix);
  const [normalized, setNormalized] = useState(false);
  const theme = useChartTheme();
  const report = useVizReport();
  const draw = useMemo(() => {
    if (!data) return null;
    const values = normalized ? data.normalized : data.matrix;
    const flat = values.flat().filter((v): v is number => v !== null);
    const opts: HeatmapOptions = {
      xLabels: data.labels,
      yLabels: data.labels,
      min: 0,
      max: normalized ? 1 : Math.max(1, ...flat),
      showValues: data.labels.length <= 30,
      xName: "predicted",
      yName: "true",
      percent: normalized,
      palette: "blues",
    };
    return (c: typeof import("./charts"), el: HTMLElement) => c.drawHeatmap(el, values, opts, theme);
  }, [data, normalized, theme]);
  const onReady = useCallback((ms?: number) => report.ready(ms), [report]);
  const { ref } = useEChart(draw, onReady, report.fail);
  const side = Math.min(640, 160 + (data?.labels.length ?? 2) * 48);
  const total = data?.matrix.flat().reduce<number>((s, v) => s + (v ?? 0), 0) ?? 0;
  const correct = data?.matrix.reduce<number>((s, row, i) => s + (row[i] ?? 0), 0) ?? 0;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text fz="xs" c="dimmed">
          {data ? `${data.labels.length} classes · ${total.toLocaleString("en-US")} samples · ${total ? ((100 * correct) / total).toFixed(1) : "—"}% on the diagonal` : "Loading…"}
        </Text>
        <SegmentedControl
          size="xs"
          value={normalized ? "norm" : "count"}
          onChange={(v) => setNormalized(v === "norm")}
          data={[
            { value: "count", label: "Counts" },
            { value: "norm", label: "Normalized" },
          ]}
          aria-label="Confusion matrix values"
        />
      </Group>
      <div ref={ref} style={{ height: side, width: "100%", maxWidth: side + 80 }} data-testid="viz-chart" />
    </Stack>
  );
}
