import { Loader, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";

import { useChartTheme } from "../artifacts/viz/hooks";
import { type HistoryDatum, type HistorySeries, historyChartOptions } from "./historyChart";

/** A key's numeric values over time, a line per pipeline; clicking a point calls `onOpenRun` with its run. */
export function HistoryChart({ series, metadataKey, onOpenRun }: { series: readonly HistorySeries[]; metadataKey: string; onOpenRun: (runId: string) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useChartTheme();
  const [failed, setFailed] = useState(false);
  const [drawn, setDrawn] = useState(false);
  // The latest handler, without redrawing the chart when the page passes a new one.
  const openRun = useRef(onOpenRun);
  useEffect(() => {
    openRun.current = onOpenRun;
  }, [onOpenRun]);
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
    setDrawn(false);
    // ECharts loads with the first chart, not with the page.
    Promise.all([import("echarts/core"), import("echarts/charts"), import("echarts/components"), import("echarts/renderers")]).then(
      ([core, charts, components, renderers]) => {
        if (disposed) return;
        let chart: ReturnType<typeof core.init> | undefined;
        try {
          core.use([
            charts.LineChart,
            components.GridComponent,
            components.TooltipComponent,
            components.LegendComponent,
            components.DataZoomComponent,
            renderers.CanvasRenderer,
          ]);
          chart = core.init(el, undefined, { renderer: "canvas" });
          chart.setOption(historyChartOptions(series, metadataKey, theme));
          chart.on("click", (p) => {
            const datum = p.data as HistoryDatum | undefined;
            if (datum?.runId) openRun.current(datum.runId);
          });
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
  }, [series, metadataKey, theme]);
  const points = series.reduce((n, s) => n + s.data.length, 0);
  if (failed) {
    return (
      <Text fz="sm" c="red" data-testid="metadata-chart-failed">
        The chart could not be drawn here; reload the page.
      </Text>
    );
  }
  return (
    <div style={{ position: "relative" }}>
      {!drawn && <Loader size="xs" style={{ position: "absolute", top: 8, left: 8 }} aria-label="Drawing the chart" />}
      <div
        ref={ref}
        style={{ height: 300, width: "100%" }}
        role="img"
        aria-label={`${metadataKey} over time, ${series.length} pipeline${series.length === 1 ? "" : "s"}`}
        data-testid="metadata-history-chart"
        data-state={drawn ? "drawn" : "loading"}
        data-points={points}
        data-series={series.length}
      />
    </div>
  );
}
