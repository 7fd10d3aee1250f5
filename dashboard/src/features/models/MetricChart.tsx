import { Group, Loader, Select, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";

import { ApiError } from "../../api/client";
import { type ModelMetricKey, type ModelMetricPoint, modelQueries } from "../../api/models";
import { useChartTheme } from "../artifacts/viz/hooks";
import { STAGE_COLORS, metricChartOptions, metricPoints } from "./chartOptions";

const NO_POINTS: ModelMetricPoint[] = [];

function Chart({ points, metric }: { points: readonly ModelMetricPoint[]; metric: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useChartTheme();
  const [failed, setFailed] = useState(false);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // No 2D canvas (a test's DOM, a locked-down browser): say so rather than fail inside ECharts.
    if (!document.createElement("canvas").getContext("2d")) {
      setFailed(true);
      return;
    }
    let disposed = false;
    let dispose: (() => void) | undefined;
    // ECharts loads with the first chart, not with the page.
    Promise.all([import("echarts/core"), import("echarts/charts"), import("echarts/components"), import("echarts/renderers")]).then(
      ([core, charts, components, renderers]) => {
        if (disposed) return;
        let chart: ReturnType<typeof core.init> | undefined;
        try {
          core.use([charts.LineChart, components.GridComponent, components.TooltipComponent, components.DataZoomComponent, renderers.CanvasRenderer]);
          chart = core.init(el, undefined, { renderer: "canvas" });
          chart.setOption(metricChartOptions(points, metric, theme));
        } catch {
          try {
            chart?.dispose();
          } catch {
            // a chart that failed half-way may fail to dispose as well; it is dropped either way
          }
          setFailed(true);
          return;
        }
        const drawnChart = chart;
        const observer = new ResizeObserver(() => drawnChart.resize());
        observer.observe(el);
        setDrawn(true);
        dispose = () => {
          observer.disconnect();
          drawnChart.dispose();
        };
      },
      () => setFailed(true),
    );
    return () => {
      disposed = true;
      dispose?.();
    };
  }, [points, metric, theme]);
  if (failed) {
    return (
      <Text fz="sm" c="red">
        The chart could not be drawn here; reload the page.
      </Text>
    );
  }
  return (
    <div style={{ position: "relative" }}>
      {!drawn && <Loader size="xs" style={{ position: "absolute", top: 8, left: 8 }} />}
      <div ref={ref} style={{ height: 220, width: "100%" }} role="img" aria-label={`${metric} across versions`} data-testid="model-metric-chart" data-points={metricPoints(points, metric).length} />
    </div>
  );
}

/** A numeric metric across every version of the model; the metric is picked from those logged. */
export function MetricChart({ model, metricKeys, chosen, onChoose }: { model: string; metricKeys: readonly ModelMetricKey[]; chosen: string | undefined; onChoose: (key: string) => void }) {
  const numeric = useMemo(() => metricKeys.filter((k) => k.numeric).map((k) => k.key), [metricKeys]);
  const metric = chosen && numeric.includes(chosen) ? chosen : numeric[0];
  const keys = useMemo(() => (metric ? [metric] : []), [metric]);
  const series = useQuery(modelQueries.series(model, keys));
  if (!metric) {
    return (
      <Text fz="sm" c="dimmed" data-testid="model-metric-chart-empty">
        No numeric metrics logged on the versions yet: log_metadata(…, model_name=, model_version=) or get_step_context().model.log_metadata(…) in a step.
      </Text>
    );
  }
  const points = series.data?.points ?? NO_POINTS;
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="wrap">
        <Select
          size="xs"
          w={260}
          label="Metric across versions"
          data={numeric}
          value={metric}
          onChange={(v) => v && onChoose(v)}
          allowDeselect={false}
          searchable
          limit={100}
          styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
        />
        <Group gap="md">
          {Object.entries(STAGE_COLORS).map(([stage, color]) => (
            <Group key={stage} gap={4}>
              <span style={{ display: "inline-block", width: 9, height: 9, borderRadius: "50%", background: color }} />
              <Text fz="xs" c="dimmed">
                {stage}
              </Text>
            </Group>
          ))}
        </Group>
      </Group>
      {series.error ? (
        <Text fz="sm" c="red">
          {series.error instanceof ApiError ? series.error.message : "Could not load the metric."}
        </Text>
      ) : series.data ? (
        <Chart points={points} metric={metric} />
      ) : (
        <Loader size="sm" aria-label="Loading the metric" />
      )}
    </Stack>
  );
}
