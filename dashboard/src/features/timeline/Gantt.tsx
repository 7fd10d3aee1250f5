import { ActionIcon, Button, Group, Text, useComputedColorScheme } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, type MouseEvent, useCallback, useId, useLayoutEffect, useRef, useState } from "react";

import "./timeline.css";
import { BarTooltip } from "./BarTooltip";
import type { CriticalPath } from "./criticalPath";
import { HEADER_H, OVERVIEW_W, PAD_L, PAD_R, ROW_H, type Viewport, drawTimeline, hasOverview, hitTest, overviewFraction } from "./draw";
import { type ZoomAt, useDragPan, useZoomGestures } from "./gestures";
import { useClientSize } from "./hooks";
import { type TimelineModel, barEnd, extentOf, openEnd } from "./model";
import { type Palette, resolvePalette } from "./palette";
import { RowLabel } from "./RowLabel";

/** Widest a zoomed chart gets (px): past this, browsers stop scrolling reliably. */
const MAX_CONTENT_PX = 4_000_000;
const KEY_ZOOM = 1.5;

interface Props {
  model: TimelineModel;
  now: number;
  critical: CriticalPath;
  /** Draw the critical path (off by default). */
  showCritical: boolean;
  selected: string | undefined;
  onSelect: (step: string | undefined) => void;
  /** Called once the first frame is on screen. */
  onPainted: () => void;
}

interface Hover {
  row: number;
  onBar: boolean;
  x: number;
  y: number;
}

/**
 * The chart: one scroll container whose sticky "stage" (the size of the viewport) holds the canvas
 * with the bars and the axis, and the virtualized name column. Only what is on screen is drawn.
 */
export function Gantt({ model, now, critical, showCritical, selected, onSelect, onPainted }: Props) {
  const [scroller, setScroller] = useState<HTMLDivElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const size = useClientSize(scroller, { width: 960, height: 480 });
  const [scroll, setScroll] = useState({ top: 0, left: 0 });
  const [scale, setScale] = useState<number | null>(null); // null: fit the whole run
  const [hover, setHover] = useState<Hover | null>(null);
  const intent = useRef<{ scale: number; left: number } | null>(null);
  const [intentSeq, setIntentSeq] = useState(0); // a new intent applies even when the scale stays the same
  const palette = useRef<{ scheme: string; value: Palette } | null>(null);
  const painted = useRef(false);
  const scheme = useComputedColorScheme("light");
  const ids = useId();

  const rows = model.rows;
  // Names get what they need, up to a third of a narrow chart (the bars are the point).
  const nameW = Math.max(120, Math.min(340, Math.round(size.width / 3), Math.max(170, Math.round(model.longestName * 7.4) + 48)));
  const chartW = Math.max(120, size.width - nameW);
  const extent = extentOf(model, now);
  const fit = (chartW - PAD_L - PAD_R) / extent;
  const maxScale = Math.max(fit, Math.min(4, MAX_CONTENT_PX / extent));
  const eff = scale === null ? fit : Math.min(maxScale, Math.max(fit, scale));
  const contentW = Math.floor(nameW + PAD_L + extent * eff + PAD_R);
  // Room under the last row so the zoom buttons never cover it.
  const contentH = Math.max(size.height, HEADER_H + rows.length * ROW_H + 44);
  const open = openEnd(model, now);
  const viewport: Viewport = { width: chartW, height: size.height, scrollTop: scroll.top, scrollLeft: scroll.left, scale: eff };
  const selIndex = selected === undefined ? -1 : (model.byName.get(selected) ?? -1);
  const hovered = hover?.row ?? -1;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller,
    estimateSize: () => ROW_H,
    paddingStart: HEADER_H,
    overscan: 6,
    initialRect: size,
  });

  const zoomAt: ZoomAt = (factor, anchor) => {
    const cur = intent.current ?? { scale: eff, left: scroller?.scrollLeft ?? 0 };
    const next = Math.min(maxScale, Math.max(fit, cur.scale * factor));
    const t = (anchor + cur.left - PAD_L) / cur.scale;
    intent.current = { scale: next, left: Math.max(0, PAD_L + t * next - anchor) };
    setScale(next <= fit * 1.0001 ? null : next);
    setIntentSeq((n) => n + 1);
  };
  /** Zoom so a step's bar fills most of the chart (double-click). */
  const zoomTo = (index: number) => {
    const row = rows[index];
    if (!row || Number.isNaN(row.start)) return;
    const span = Math.max(1, barEnd(row, open) - row.start);
    const next = Math.min(maxScale, Math.max(fit, (0.6 * chartW) / span));
    intent.current = { scale: next, left: Math.max(0, PAD_L + (row.start - model.origin) * next - 0.2 * chartW) };
    setScale(next <= fit * 1.0001 ? null : next);
    setIntentSeq((n) => n + 1);
  };
  const zoomRef = useRef<ZoomAt>(zoomAt);
  const chartLeft = useRef(nameW);
  useLayoutEffect(() => {
    zoomRef.current = zoomAt;
    chartLeft.current = nameW;
  });
  useZoomGestures(scroller, chartLeft, zoomRef);
  const pan = useDragPan(scroller);

  // After a zoom, scroll so the anchor stays under the pointer (the content has its new width now).
  useLayoutEffect(() => {
    if (!intent.current || !scroller) return;
    scroller.scrollLeft = intent.current.left;
    intent.current = null;
    setScroll({ top: scroller.scrollTop, left: scroller.scrollLeft });
  }, [scroller, eff, contentW, intentSeq]);

  // A step selected elsewhere (the URL, the DAG, the keyboard) is scrolled into view, once per selection.
  const shownFor = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    if (!scroller || !size.measured || shownFor.current === selected) return;
    shownFor.current = selected; // cleared on deselect, so picking the same step again shows it again
    if (selIndex < 0) return;
    const body = size.height - HEADER_H;
    const y = selIndex * ROW_H;
    if (y < scroller.scrollTop || y + ROW_H > scroller.scrollTop + body) scroller.scrollTop = y - body / 2 + ROW_H / 2;
    const row = rows[selIndex];
    if (row && !Number.isNaN(row.start)) {
      const x = PAD_L + (row.start - model.origin) * eff;
      if (x < scroller.scrollLeft || x > scroller.scrollLeft + chartW - 40) scroller.scrollLeft = x - chartW / 4;
    }
    setScroll({ top: scroller.scrollTop, left: scroller.scrollLeft });
  }, [scroller, size, selIndex, selected, rows, model.origin, eff, chartW]);

  // Paint on every render: renders happen only when what is drawn changed (scroll, hover, data, clock).
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(chartW * dpr);
    const h = Math.round(size.height * dpr);
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const ctx = canvas.getContext("2d");
    if (ctx && scroller) {
      if (palette.current?.scheme !== scheme) palette.current = { scheme, value: resolvePalette(scroller) };
      drawTimeline(ctx, { model, critical, showCritical, selected: selIndex, hovered, open, palette: palette.current.value }, viewport, dpr);
    }
    if (!painted.current && (size.measured || !ctx)) {
      painted.current = true;
      requestAnimationFrame(onPainted);
    }
  });

  const select = useCallback((name: string) => onSelect(name), [onSelect]);
  const hoverRow = useCallback((index: number | null) => setHover(index === null ? null : { row: index, onBar: false, x: 0, y: 0 }), []);

  const local = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const onStrip = (x: number, y: number) => y >= HEADER_H && x >= chartW - OVERVIEW_W - 1 && hasOverview(viewport, rows.length);
  const pointAt = (e: MouseEvent<HTMLCanvasElement>) => {
    const { x, y } = local(e);
    const hit = onStrip(x, y) ? null : hitTest({ model, open }, viewport, x, y);
    return hit ? { ...hit, x, y } : null;
  };
  /** Press on the overview strip: jump there, and follow the pointer until it is released. */
  const followStrip = (e: MouseEvent<HTMLCanvasElement>) => {
    if (!scroller) return;
    e.preventDefault();
    const top = e.currentTarget.getBoundingClientRect().top;
    const jump = (clientY: number) => {
      scroller.scrollTop = overviewFraction(viewport, clientY - top) * rows.length * ROW_H - (size.height - HEADER_H) / 2;
    };
    jump(e.clientY);
    const move = (m: globalThis.MouseEvent) => jump(m.clientY);
    const up = () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const move = (to: number) => {
      const row = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (row) onSelect(row.name);
      e.preventDefault();
    };
    if (e.key === "ArrowDown") move(selIndex < 0 ? 0 : selIndex + 1);
    else if (e.key === "ArrowUp") move(selIndex < 0 ? 0 : selIndex - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(rows.length - 1);
    else if (e.key === "Enter" && selIndex < 0 && hovered >= 0) move(hovered);
    else if (e.key === "Escape" && selected) onSelect(undefined);
    else if (e.key === "+" || e.key === "=") zoomAt(KEY_ZOOM, chartW / 2);
    else if (e.key === "-" || e.key === "_") zoomAt(1 / KEY_ZOOM, chartW / 2);
    else if (e.key === "0") setScale(null);
  };

  const tooltipRow = hover?.onBar ? rows[hover.row] : undefined;
  return (
    <div style={{ position: "relative", flex: 1, minHeight: 0, display: "flex" }}>
      <div
        ref={setScroller}
        tabIndex={0}
        role="listbox"
        aria-label="Steps by start time. Arrow keys move the selection, + and - zoom, 0 fits the run."
        aria-activedescendant={selIndex >= 0 ? `${ids}-${selIndex}` : undefined}
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          setScroll({ top: e.currentTarget.scrollTop, left: e.currentTarget.scrollLeft });
          setHover(null); // the row under a still pointer changed; it is hovered again when the pointer moves
        }}
        className="wp-timeline-scroller"
        style={{ position: "relative", flex: 1, minWidth: 0, overflow: "auto", outline: "none", touchAction: "pan-x pan-y", overscrollBehavior: "contain" }}
      >
        <div style={{ position: "relative", width: contentW, height: contentH }}>
          <div style={{ position: "sticky", top: 0, left: 0, width: size.width, height: size.height, overflow: "hidden" }}>
            <canvas
              ref={canvasRef}
              aria-hidden
              style={{ position: "absolute", left: nameW, top: 0, width: chartW, height: size.height, cursor: hovered >= 0 ? "pointer" : "default" }}
              onMouseMove={(e) => setHover(pointAt(e))}
              onMouseLeave={() => setHover(null)}
              onMouseDown={(e) => {
                const { x, y } = local(e);
                if (onStrip(x, y)) followStrip(e);
                else pan.onMouseDown(e);
              }}
              onDoubleClick={(e) => {
                const hit = pointAt(e);
                if (hit?.onBar) zoomTo(hit.row);
              }}
              onClick={(e) => {
                if (pan.dragged.current) return;
                const hit = pointAt(e);
                const row = hit ? rows[hit.row] : undefined;
                if (row) onSelect(row.name);
              }}
            />
            <Group
              gap={4}
              wrap="nowrap"
              style={{ position: "absolute", left: 0, top: 0, width: nameW, height: HEADER_H, padding: "0 10px", borderBottom: "1px solid var(--mantine-color-default-border)", borderRight: "1px solid var(--mantine-color-default-border)" }}
            >
              <Text fz="xs" c="dimmed" truncate title={Number.isNaN(model.origin) ? undefined : `Time zero: ${new Date(model.origin).toLocaleString()}`}>
                {Number.isNaN(model.origin) ? "Not started" : `+0s = ${new Date(model.origin).toLocaleTimeString()}`}
              </Text>
            </Group>
            <div
              style={{ position: "absolute", left: 0, top: HEADER_H, width: nameW, bottom: 0, overflow: "hidden", borderRight: "1px solid var(--mantine-color-default-border)", background: "var(--mantine-color-body)" }}
            >
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index];
                return row ? (
                  <RowLabel
                    key={row.name}
                    id={`${ids}-${row.index}`}
                    row={row}
                    top={item.start - HEADER_H - scroll.top}
                    selected={row.index === selIndex}
                    hovered={row.index === hovered}
                    critical={critical.members.has(row.index)}
                    showCritical={showCritical}
                    onSelect={select}
                    onHover={hoverRow}
                  />
                ) : null;
              })}
            </div>
            {model.startedCount === 0 && (
              <Text c="dimmed" fz="sm" ta="center" style={{ position: "absolute", left: nameW, right: 0, top: HEADER_H + 24, padding: "0 16px" }}>
                Not started yet: the bars appear as steps start.
              </Text>
            )}
            {tooltipRow && hover && (
              <BarTooltip
                row={tooltipRow}
                model={model}
                open={open}
                critical={showCritical && critical.members.has(tooltipRow.index)}
                left={nameW + Math.min(hover.x + 14, chartW - 330)}
                top={hover.y + 200 > size.height ? Math.max(0, hover.y - 190) : hover.y + 16}
              />
            )}
          </div>
        </div>
      </div>
      <div className="wp-timeline-focus" />
      <Group gap={4} wrap="nowrap" style={{ position: "absolute", right: 20, bottom: 20, zIndex: 3 }}>
        <ActionIcon variant="default" size="sm" aria-label="Zoom out" title="Zoom out (−, Ctrl/⌘-wheel)" onClick={() => zoomAt(1 / KEY_ZOOM, chartW / 2)} disabled={scale === null}>
          −
        </ActionIcon>
        <ActionIcon variant="default" size="sm" aria-label="Zoom in" title="Zoom in (+, Ctrl/⌘-wheel, pinch)" onClick={() => zoomAt(KEY_ZOOM, chartW / 2)} disabled={eff >= maxScale}>
          +
        </ActionIcon>
        <Button variant="default" size="compact-xs" title="Show the whole run (0)" onClick={() => setScale(null)} disabled={scale === null}>
          Fit
        </Button>
      </Group>
    </div>
  );
}

