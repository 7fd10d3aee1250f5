import { Loader, Text } from "@mantine/core";
import { useEffect, useMemo, useRef, useState } from "react";

import { useChartTheme, useEChart } from "../artifacts/viz/hooks";
import { type HistoryDatum, type HistorySeries, historyChartOptions } from "./historyChart";

/** A key's numeric values over time, a line per pipeline; clicking a point calls `onOpenRun` with its run. */
export function HistoryChart({ series, metadataKey, onOpenRun }: { series: readonly HistorySeries[]; metadataKey: string; onOpenRun: (runId: string) => void }) {
  const theme = useChartTheme();
  const [failed, setFailed] = useState(false);
  const [drawn, setDrawn] = useState(false);
  // The latest handler, without redrawing the chart when the page passes a new one.
  const openRun = useRef(onOpenRun);
  useEffect(() => {
    openRun.current = onOpenRun;
  }, [onOpenRun]);
  const draw = useMemo(
    () => (charts: typeof import("../artifacts/viz/charts"), el: HTMLElement) => {
      // No 2D canvas (a test's DOM, a locked-down browser): say so rather than fail inside ECharts.
      if (!document.createElement("canvas").getContext("2d")) throw new Error("no 2D canvas");
      const chart = charts.drawOption(el, historyChartOptions(series, metadataKey, theme) as Record<string, unknown>);
      chart.on("click", (p) => {
        const datum = p.data as HistoryDatum | undefined;
        if (datum?.runId) openRun.current(datum.runId);
      });
      return chart;
    },
    [series, metadataKey, theme],
  );
  useEffect(() => {
    setDrawn(false);
    setFailed(false);
  }, [draw]);
  // ECharts (loaded with the first chart, not with the page) through the visualizations' one chart hook.
  const { ref, failed: notLoaded } = useEChart(
    draw,
    () => setDrawn(true),
    () => setFailed(true),
  );
  const points = series.reduce((n, s) => n + s.data.length, 0);
  if (failed || notLoaded) {
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
