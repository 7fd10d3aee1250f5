import { Alert, Box } from "@mantine/core";
import { useEffect, useRef, useState } from "react";

import { useChartTheme } from "../artifacts/viz/hooks";
import { type Axis, fromIntervals, parallelOption, toIntervals } from "./parallel";
import type { Brushes } from "./runCompare";

interface Props {
  axes: readonly Axis[];
  count: number;
  names: readonly string[];
  color: Axis | undefined;
  brushes: Brushes | undefined;
  /** A brush moved: the ranges of every axis now (undefined when none is brushed). */
  onBrush: (next: Brushes | undefined) => void;
  /** A line was clicked. */
  onPick?: (index: number) => void;
  height?: number;
}

interface AreaSelected {
  parallelAxisId?: string;
  intervals?: number[][];
}

/** One line per run across the chosen axes; dragging along an axis brushes a range and the runs outside fade. */
export function ParallelCoords({ axes, count, names, color, brushes, onBrush, onPick, height = 360 }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const theme = useChartTheme();
  const [failed, setFailed] = useState(false);
  // The latest brushes and callbacks, read by the chart's handlers without redrawing it on every move.
  const current = useRef({ brushes, onBrush, onPick, axes });
  current.current = { brushes, onBrush, onPick, axes };
  const brushKey = JSON.stringify(brushes ?? {});
  const applied = useRef<string>("");

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (!document.createElement("canvas").getContext("2d")) {
      setFailed(true);
      return;
    }
    let disposed = false;
    let dispose: (() => void) | undefined;
    Promise.all([import("echarts/core"), import("echarts/charts"), import("echarts/components"), import("echarts/renderers")]).then(
      ([core, charts, components, renderers]) => {
        if (disposed) return;
        core.use([charts.ParallelChart, components.ParallelComponent, components.VisualMapComponent, components.TooltipComponent, renderers.CanvasRenderer]);
        const chart = core.init(el, undefined, { renderer: "canvas" });
        try {
          chart.setOption(parallelOption(axes, count, names, color, theme));
        } catch {
          chart.dispose();
          setFailed(true);
          return;
        }
        // The URL's brushes drawn on the new chart.
        const start = current.current.brushes ?? {};
        for (const axis of axes) {
          const ranges = start[axis.id];
          if (ranges?.length) chart.dispatchAction({ type: "axisAreaSelect", parallelAxisId: axis.id, intervals: toIntervals(axis, ranges) });
        }
        applied.current = JSON.stringify(start);
        chart.on("axisareaselected", (raw: unknown) => {
          const event = raw as AreaSelected;
          const axis = current.current.axes.find((a) => a.id === event.parallelAxisId);
          if (!axis) return;
          const next: Brushes = { ...(current.current.brushes ?? {}) };
          const ranges = fromIntervals(axis, event.intervals ?? []);
          if (ranges.length) next[axis.id] = ranges;
          else delete next[axis.id];
          const key = JSON.stringify(next);
          if (key === applied.current) return;
          applied.current = key;
          current.current.onBrush(Object.keys(next).length ? next : undefined);
        });
        chart.on("click", (raw: unknown) => {
          const index = (raw as { dataIndex?: number }).dataIndex;
          if (typeof index === "number") current.current.onPick?.(index);
        });
        const observer = new ResizeObserver(() => chart.resize());
        observer.observe(el);
        dispose = () => {
          observer.disconnect();
          chart.dispose();
        };
      },
      () => setFailed(true),
    );
    return () => {
      disposed = true;
      dispose?.();
    };
    // The brushes are read through `current`: the chart is redrawn when what it shows changes, not on each move.
  }, [axes, count, names, color, theme]);

  // Brushes changed from outside the chart (cleared, a link): redraw them.
  useEffect(() => {
    if (brushKey === applied.current) return;
    const el = ref.current;
    if (!el) return;
    void import("echarts/core").then((core) => {
      const chart = core.getInstanceByDom(el);
      if (!chart) return;
      const want = brushes ?? {};
      applied.current = brushKey;
      for (const axis of current.current.axes) {
        chart.dispatchAction({ type: "axisAreaSelect", parallelAxisId: axis.id, intervals: want[axis.id] ? toIntervals(axis, want[axis.id]!) : [] });
      }
    });
  }, [brushKey, brushes]);

  if (failed) {
    return (
      <Alert color="yellow" title="The chart could not be drawn">
        This browser gave no 2D canvas; the table below still compares the runs.
      </Alert>
    );
  }
  return <Box ref={ref} h={height} data-testid="parallel-coordinates" aria-label="Parallel coordinates of the compared runs" role="img" />;
}
