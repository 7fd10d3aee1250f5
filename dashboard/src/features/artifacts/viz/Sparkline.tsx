import { useMemo } from "react";

import { useChartTheme, useEChart } from "./hooks";
import type { Histogram } from "./parse";

/** A histogram drawn by ECharts: a bare sparkline in tables, with axes when `compact` is off. */
export function HistogramChart({ histogram, compact, height }: { histogram: Histogram; compact: boolean; height: number }) {
  const theme = useChartTheme();
  const draw = useMemo(
    () => (c: typeof import("./charts"), el: HTMLElement) => c.drawHistogram(el, histogram.edges, histogram.counts, theme, compact),
    [histogram, theme, compact],
  );
  const { ref, failed } = useEChart(draw);
  if (failed) return null;
  return <div ref={ref} style={{ height, width: compact ? 120 : "100%" }} data-testid="viz-histogram" />;
}
