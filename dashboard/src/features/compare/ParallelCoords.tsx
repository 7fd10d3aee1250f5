import { Alert, Box, Paper, Text } from "@mantine/core";
import { useEffect, useRef, useState } from "react";

import { useChartTheme } from "../artifacts/viz/hooks";
import { type Axis, ParallelRenderer } from "./parallel";
import type { Brushes } from "./runCompare";

interface Props {
  axes: readonly Axis[];
  count: number;
  names: readonly string[];
  color: Axis | undefined;
  brushes: Brushes | undefined;
  /** A brush moved: the ranges of every axis now (undefined when none is brushed); at most once a frame. */
  onBrush: (next: Brushes | undefined) => void;
  /** A line was clicked. */
  onPick?: (index: number) => void;
  height?: number;
}

/** One line per run across the chosen axes; dragging along an axis brushes a range and the runs outside fade. */
export function ParallelCoords({ axes, count, names, color, brushes, onBrush, onPick, height = 360 }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const renderer = useRef<ParallelRenderer | null>(null);
  const theme = useChartTheme();
  const [failed, setFailed] = useState(false);
  const [hover, setHover] = useState<{ index: number; x: number; y: number }>();
  // The latest props, read by the renderer's callbacks and the data effect without re-creating it.
  const latest = useRef({ onBrush, onPick, brushes });
  latest.current = { onBrush, onPick, brushes };
  const pending = useRef<{ next: Brushes | undefined } | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    // No 2D canvas (a test's DOM, a locked-down browser): say so rather than draw nothing.
    if (!document.createElement("canvas").getContext("2d")) {
      setFailed(true);
      return;
    }
    let frame = 0;
    const r = new ParallelRenderer(el, {
      // A drag moves many times a frame; the page (URL, table) hears the latest once a frame.
      onBrush: (next) => {
        pending.current = { next };
        if (frame) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          const p = pending.current;
          pending.current = null;
          if (p) latest.current.onBrush(p.next);
        });
      },
      onPick: (i) => latest.current.onPick?.(i),
      onHover: (index, x, y) => setHover(index === undefined ? undefined : { index, x, y }),
    });
    renderer.current = r;
    const observer = new ResizeObserver(() => r.resize());
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      r.dispose();
      renderer.current = null;
    };
  }, []);

  useEffect(() => {
    renderer.current?.setData(axes, count, color, theme, latest.current.brushes);
  }, [axes, count, color, theme]);

  const brushKey = JSON.stringify(brushes ?? {});
  useEffect(() => {
    renderer.current?.setBrushes(latest.current.brushes);
  }, [brushKey]);

  if (failed) {
    return (
      <Alert color="yellow" title="The chart could not be drawn">
        This browser gave no 2D canvas; the table below still compares the runs.
      </Alert>
    );
  }
  return (
    <Box ref={ref} h={height} data-testid="parallel-coordinates" aria-label="Parallel coordinates of the compared runs" role="img" style={{ userSelect: "none" }}>
      {hover && names[hover.index] !== undefined && (
        <Paper
          withBorder
          shadow="xs"
          px={6}
          py={2}
          data-testid="parallel-hover"
          style={{ position: "absolute", left: hover.x + 12, top: hover.y + 8, pointerEvents: "none", zIndex: 2, whiteSpace: "nowrap" }}
        >
          <Text fz="xs">{names[hover.index]}</Text>
        </Paper>
      )}
    </Box>
  );
}
