import { Text } from "@mantine/core";
import { type MouseEvent, useEffect, useRef, useState } from "react";

import { VIRIDIS_CSS, matrixPixels, ticks } from "./colormap";
import { formatNumber } from "./parse";

const MAX_W = 560;
const MAX_H = 420;
const LEFT = 52;
const BOTTOM = 24;
const TOP = 6;

interface Props {
  values: (number | null)[][];
  shape: [number, number];
  min: number;
  max: number;
  onPainted: (ms: number) => void;
}

/**
 * A large matrix as one pixel per cell, scaled up without smoothing. Tens of thousands of cells
 * as chart shapes take most of a second to lay out; as an image they paint in milliseconds.
 */
export function MatrixCanvas({ values, shape, min, max, onPainted }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ x: number; y: number; text: string } | null>(null);
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  // the original array's aspect, so a 100 x 2,000 array looks wide even when shown as 100 x 200
  const aspect = shape[0] / Math.max(1, shape[1]);
  let width = MAX_W;
  let height = Math.max(40, Math.round(width * aspect));
  if (height > MAX_H) {
    height = MAX_H;
    width = Math.max(40, Math.round(height / aspect));
  }
  const painted = useRef(onPainted);
  useEffect(() => {
    painted.current = onPainted;
  });

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx || rows === 0 || cols === 0) return;
    const started = performance.now();
    ctx.putImageData(new ImageData(matrixPixels(values, min, max), cols, rows), 0, 0);
    const frame = requestAnimationFrame(() => painted.current(performance.now() - started));
    return () => cancelAnimationFrame(frame);
  }, [values, min, max, rows, cols]);

  const blockR = Math.ceil(shape[0] / Math.max(1, rows));
  const blockC = Math.ceil(shape[1] / Math.max(1, cols));
  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const c = Math.min(cols - 1, Math.max(0, Math.floor(((e.clientX - box.left) / box.width) * cols)));
    const r = Math.min(rows - 1, Math.max(0, Math.floor(((e.clientY - box.top) / box.height) * rows)));
    const v = values[r]?.[c] ?? null;
    const span = (i: number, block: number, total: number) =>
      block === 1 ? `${i}` : `${(i * block).toLocaleString("en-US")}–${Math.min(total, (i + 1) * block) - 1}`;
    const what = blockR * blockC > 1 ? "mean" : "value";
    setHover({ x: e.clientX - box.left, y: e.clientY - box.top, text: `row ${span(r, blockR, shape[0])}, column ${span(c, blockC, shape[1])}: ${what} ${v === null ? "n/a (no finite values)" : formatNumber(v)}` });
  };
  const label = { position: "absolute", fontSize: 11, color: "var(--mantine-color-dimmed)", whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" } as const;
  return (
    <div style={{ display: "flex", gap: 16, alignItems: "flex-start" }}>
      <div style={{ position: "relative", paddingLeft: LEFT, paddingTop: TOP, paddingBottom: BOTTOM, width: width + LEFT }}>
        {ticks(shape[0]).map((t) => (
          <span key={`r${t}`} style={{ ...label, left: 0, width: LEFT - 6, textAlign: "right", top: TOP + (t / shape[0]) * height - 7 }}>
            {t.toLocaleString("en-US")}
          </span>
        ))}
        <canvas
          ref={canvas}
          width={cols}
          height={rows}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          data-testid="viz-matrix-canvas"
          style={{ width, height, imageRendering: "pixelated", display: "block", cursor: "crosshair", border: "1px solid var(--mantine-color-default-border)" }}
        />
        {ticks(shape[1]).map((t) => (
          <span key={`c${t}`} style={{ ...label, top: TOP + height + 4, left: LEFT + (t / shape[1]) * width - 4 }}>
            {t.toLocaleString("en-US")}
          </span>
        ))}
        {hover ? (
          <div
            style={{
              position: "absolute",
              left: LEFT + Math.min(hover.x + 12, width - 200),
              top: Math.max(0, TOP + hover.y - 36),
              padding: "2px 6px",
              fontSize: 12,
              background: "var(--mantine-color-body)",
              border: "1px solid var(--mantine-color-default-border)",
              borderRadius: 4,
              pointerEvents: "none",
              whiteSpace: "nowrap",
            }}
          >
            {hover.text}
          </div>
        ) : null}
      </div>
      <div style={{ display: "flex", flexDirection: "column", alignItems: "center", gap: 4 }} aria-label="colour scale">
        <Text fz={11} c="dimmed">
          {formatNumber(max)}
        </Text>
        <div style={{ width: 12, height: Math.min(160, height), background: VIRIDIS_CSS, borderRadius: 2 }} />
        <Text fz={11} c="dimmed">
          {formatNumber(min)}
        </Text>
      </div>
    </div>
  );
}
