import { useMemo } from "react";

import { useChartTheme, useEChart } from "./hooks";
import { type Histogram, formatNumber } from "./parse";

/**
 * A histogram as a bare SVG sparkline: a table of 200 columns draws 200 of these, which would
 * be 200 ECharts instances (and canvases) otherwise.
 */
export function Sparkline({ histogram, width = 120, height = 28 }: { histogram: Histogram; width?: number; height?: number }) {
  const { counts, edges } = histogram;
  const max = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  const lo = edges[0];
  const hi = edges[edges.length - 1];
  return (
    <svg width={width} height={height} role="img" aria-label={`histogram from ${formatNumber(lo)} to ${formatNumber(hi)}`} data-testid="viz-histogram" style={{ display: "block" }}>
      <title>{`${formatNumber(lo)} … ${formatNumber(hi)}; tallest bin ${max.toLocaleString("en-US")}`}</title>
      {counts.map((c, i) => {
        const h = c > 0 ? Math.max(1, (c / max) * (height - 1)) : 0;
        return <rect key={i} x={i * w + 0.5} y={height - h} width={Math.max(0.5, w - 1)} height={h} fill="var(--mantine-color-blue-filled)" />;
      })}
    </svg>
  );
}

/** A histogram with axes and tooltips, drawn by ECharts (loaded on demand). */
export function HistogramChart({ histogram, height }: { histogram: Histogram; height: number }) {
  const theme = useChartTheme();
  const draw = useMemo(
    () => (c: typeof import("./charts"), el: HTMLElement) => c.drawHistogram(el, histogram.edges, histogram.counts, theme, false),
    [histogram, theme],
  );
  const { ref, failed } = useEChart(draw);
  if (failed) return null;
  return <div ref={ref} style={{ height, width: "100%" }} data-testid="viz-histogram-chart" />;
}
