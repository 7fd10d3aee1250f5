import { formatOffset, formatSpan, tickStep, ticks } from "./axis";
import type { CriticalPath } from "./criticalPath";
import { type TimelineModel, type TimelineRow, barEnd } from "./model";
import type { Palette } from "./palette";

export const ROW_H = 24;
export const HEADER_H = 28;
export const BAR_H = 14;
/** Room left of time zero, and right of the last end for its duration label. */
export const PAD_L = 12;
export const PAD_R = 96;
const MARKER = 5;

/** What part of the chart the canvas shows: its size, the scroll offsets and the time scale. */
export interface Viewport {
  width: number;
  height: number;
  scrollTop: number;
  scrollLeft: number;
  /** Pixels per millisecond. */
  scale: number;
}

export interface Scene {
  model: TimelineModel;
  critical: CriticalPath;
  /**
   * Draw the critical path (outlined bars, linked, the other steps dimmed). Off by default: the
   * orange outlines on every run read as a warning when nobody asked about the run's length.
   */
  showCritical: boolean;
  selected: number;
  hovered: number;
  /** Where open (running) bars end, epoch ms. */
  open: number;
  palette: Palette;
}

/** A time's x on the canvas. */
export function xOf(t: number, model: TimelineModel, v: Viewport): number {
  return PAD_L + (t - model.origin) * v.scale - v.scrollLeft;
}

/** The rows at least partly under the header-less body of the canvas, as [first, last]. */
export function visibleRows(v: Viewport, count: number): [number, number] {
  const first = Math.max(0, Math.floor(v.scrollTop / ROW_H));
  const last = Math.min(count - 1, Math.ceil((v.scrollTop + v.height - HEADER_H) / ROW_H));
  return [first, last];
}

/** The row under a canvas point, and whether the point is on its bar (or marker), with a little slop. */
export function hitTest(scene: Pick<Scene, "model" | "open">, v: Viewport, x: number, y: number): { row: number; onBar: boolean } | null {
  if (y < HEADER_H) return null;
  const index = Math.floor((y - HEADER_H + v.scrollTop) / ROW_H);
  const row = scene.model.rows[index];
  if (!row) return null;
  if (Number.isNaN(row.start)) return { row: index, onBar: false };
  const x0 = xOf(row.start, scene.model, v);
  const x1 = Math.max(xOf(barEnd(row, scene.open), scene.model, v), x0 + 2);
  return { row: index, onBar: x >= x0 - MARKER - 2 && x <= x1 + 2 * MARKER + 4 };
}

/** Width of the overview strip along the chart's right edge, shown when the rows overflow. */
export const OVERVIEW_W = 12;

/** Whether the rows overflow the view, so the overview strip is drawn (and takes clicks). */
export function hasOverview(v: Viewport, count: number): boolean {
  return count * ROW_H > v.height - HEADER_H;
}

/** The row fraction (0..1) at a y on the overview strip. */
export function overviewFraction(v: Viewport, y: number): number {
  return Math.min(1, Math.max(0, (y - HEADER_H - 2) / (v.height - HEADER_H - 4)));
}

const hatches = new Map<string, CanvasPattern | null>();

/** Diagonal stripes for cached bars: readable without colour, and distinct from a fresh run. */
function hatch(ctx: CanvasRenderingContext2D, color: string): CanvasPattern | string {
  let pattern = hatches.get(color);
  if (pattern === undefined) {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 6;
    const t = tile.getContext("2d");
    if (t) {
      t.strokeStyle = color;
      t.lineWidth = 1.5;
      t.beginPath();
      t.moveTo(-1, 7);
      t.lineTo(7, -1);
      t.stroke();
    }
    pattern = t ? ctx.createPattern(tile, "repeat") : null;
    hatches.set(color, pattern);
  }
  return pattern ?? color;
}

function roundedBar(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number) {
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, Math.min(3, w / 2));
}

/** The words after a bar: its duration, and what is special about it. */
function barLabel(row: TimelineRow, end: number): string {
  const d = formatSpan(end - row.start);
  switch (row.status) {
    case "cached":
      return "cached";
    case "failed":
      return `${d} · ${row.step.error_type ?? "failed"}`;
    case "crashed":
      return `${d} · crashed`;
    case "stopped":
      return `${d} · stopped`;
    case "skipped":
      return "skipped";
    case "running":
    case "initializing":
      return `${d} …`;
    default:
      return d;
  }
}

function drawRow(ctx: CanvasRenderingContext2D, scene: Scene, v: Viewport, row: TimelineRow, y: number) {
  const { model, palette: p } = scene;
  const mid = y + ROW_H / 2;
  const top = mid - BAR_H / 2;
  const onPath = scene.showCritical && scene.critical.members.has(row.index);
  ctx.globalAlpha = scene.showCritical && !onPath ? 0.22 : 1;

  if (Number.isNaN(row.start)) {
    // Not started: no bar; say so where it will start (after what it waits for, when known).
    let after = Number.NaN;
    for (const d of row.deps) {
      const dep = model.rows[d];
      const e = dep ? barEnd(dep, scene.open) : Number.NaN;
      if (!Number.isNaN(e) && !(after >= e)) after = e;
    }
    const x = Math.max(4, Number.isNaN(after) ? PAD_L - v.scrollLeft : xOf(after, model, v) + 4);
    ctx.fillStyle = p.dimmed;
    ctx.textAlign = "left";
    ctx.fillText(row.status === "skipped" ? "skipped" : "pending", x, mid);
    ctx.globalAlpha = 1;
    return;
  }

  const end = barEnd(row, scene.open);
  const x0 = xOf(row.start, model, v);
  const x1 = xOf(end, model, v);
  const w = Math.max(2, x1 - x0);
  let labelX = x0 + w + 6;
  const fill = p.fill[row.status];
  const asMarker = row.status === "cached" && w < 2 * MARKER;

  if (asMarker) {
    // A cache hit takes no time: a diamond marks when it was looked up.
    ctx.fillStyle = fill;
    ctx.beginPath();
    ctx.moveTo(x0, mid - MARKER - 1);
    ctx.lineTo(x0 + MARKER + 1, mid);
    ctx.lineTo(x0, mid + MARKER + 1);
    ctx.lineTo(x0 - MARKER - 1, mid);
    ctx.closePath();
    ctx.fill();
    labelX = x0 + MARKER + 6;
  } else if (row.status === "cached" || row.status === "skipped" || row.status === "stopped") {
    ctx.fillStyle = p.light[row.status];
    roundedBar(ctx, x0, top, w, BAR_H);
    ctx.fill();
    if (row.status === "cached") {
      ctx.fillStyle = hatch(ctx, fill);
      ctx.fill();
    }
    ctx.strokeStyle = fill;
    ctx.lineWidth = 1;
    if (row.status === "skipped") ctx.setLineDash([3, 2]);
    ctx.stroke();
    ctx.setLineDash([]);
  } else {
    ctx.fillStyle = fill;
    roundedBar(ctx, x0, top, w, BAR_H);
    ctx.fill();
  }

  if (row.status === "failed" || row.status === "crashed") {
    // A failure is more than a red bar: a round marker at its end, readable at any zoom.
    const cx = x0 + w + MARKER + 3;
    ctx.fillStyle = fill;
    ctx.beginPath();
    ctx.arc(cx, mid, MARKER + 1, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = p.body;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(cx - 2.5, mid - 2.5);
    ctx.lineTo(cx + 2.5, mid + 2.5);
    ctx.moveTo(cx + 2.5, mid - 2.5);
    ctx.lineTo(cx - 2.5, mid + 2.5);
    ctx.stroke();
    labelX = cx + MARKER + 6;
  }

  if (onPath) {
    ctx.strokeStyle = p.critical;
    ctx.lineWidth = 2;
    if (asMarker) {
      ctx.beginPath();
      ctx.arc(x0, mid, MARKER + 4, 0, 2 * Math.PI);
    } else {
      roundedBar(ctx, x0 - 2, top - 2, w + 4, BAR_H + 4);
    }
    ctx.stroke();
  }

  const label = barLabel(row, end);
  const tw = ctx.measureText(label).width;
  ctx.fillStyle = p.dimmed;
  if (labelX + tw > v.width - 2 && w > tw + 12) {
    ctx.textAlign = "right";
    ctx.fillStyle = p.body;
    ctx.fillText(label, x0 + w - 6, mid);
  } else if (labelX + tw > v.width - 2 && x0 - tw - 8 > 0) {
    ctx.textAlign = "right";
    ctx.fillText(label, x0 - 8, mid);
  } else {
    ctx.textAlign = "left";
    ctx.fillText(label, labelX, mid);
  }
  ctx.globalAlpha = 1;
}

/**
 * Elbow lines from the end of each `from` row to the start of the `to` row that waited for it,
 * for pairs with at least one end on screen (or crossing it).
 */
function drawLinks(ctx: CanvasRenderingContext2D, scene: Scene, v: Viewport, pairs: Iterable<[number, number]>, color: string) {
  const yOf = (i: number) => HEADER_H + i * ROW_H - v.scrollTop + ROW_H / 2;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  for (const [from, to] of pairs) {
    const a = scene.model.rows[from];
    const b = scene.model.rows[to];
    if (!a || !b || Number.isNaN(a.start) || Number.isNaN(b.start)) continue;
    const ya = yOf(a.index);
    const yb = yOf(b.index);
    if (Math.max(ya, yb) < HEADER_H || Math.min(ya, yb) > v.height) continue;
    const xa = xOf(barEnd(a, scene.open), scene.model, v);
    const xb = xOf(b.start, scene.model, v);
    ctx.moveTo(xa, ya + (yb > ya ? BAR_H / 2 + 2 : -BAR_H / 2 - 2));
    ctx.lineTo(xa, yb);
    ctx.lineTo(xb - 3, yb);
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

function* chainPairs(rows: number[]): Generator<[number, number]> {
  for (let k = 1; k < rows.length; k++) yield [rows[k - 1] ?? -1, rows[k] ?? -1];
}

/** What the selected step waited for; a huge fan-in shows only the links of rows on screen. */
function* selectedPairs(scene: Scene, v: Viewport): Generator<[number, number]> {
  const row = scene.model.rows[scene.selected];
  if (!row) return;
  const [first, last] = visibleRows(v, scene.model.rows.length);
  const few = row.deps.length <= 50;
  for (const d of row.deps) if (few || (d >= first && d <= last)) yield [d, row.index];
}

/**
 * The overview strip: where the failures, running steps, the critical path and the selection are
 * among all rows, and which part is on screen, so a problem in a 10,000-step run is one click away.
 */
function drawOverview(ctx: CanvasRenderingContext2D, scene: Scene, v: Viewport) {
  const { model, palette: p } = scene;
  const n = model.rows.length;
  if (!hasOverview(v, n)) return;
  const x = v.width - OVERVIEW_W;
  const top = HEADER_H + 2;
  const h = v.height - HEADER_H - 4;
  ctx.fillStyle = p.body;
  ctx.fillRect(x - 1, HEADER_H, OVERVIEW_W + 1, v.height - HEADER_H);
  ctx.fillStyle = p.border;
  ctx.fillRect(x - 1, HEADER_H, 1, v.height - HEADER_H);
  const yOf = (i: number) => top + Math.floor((i / n) * h);
  ctx.fillStyle = p.critical;
  if (scene.showCritical) for (const i of scene.critical.rows) ctx.fillRect(x + 1, yOf(i), 3, 2);
  for (const row of model.rows) {
    if (row.status === "failed" || row.status === "crashed" || row.status === "running") {
      ctx.fillStyle = p.fill[row.status];
      ctx.fillRect(x + 4, yOf(row.index), OVERVIEW_W - 5, 2);
    }
  }
  if (scene.selected >= 0) {
    ctx.fillStyle = p.text;
    ctx.fillRect(x + 1, yOf(scene.selected), OVERVIEW_W - 2, 2);
  }
  const total = n * ROW_H;
  ctx.fillStyle = p.selected;
  ctx.strokeStyle = p.dimmed;
  ctx.lineWidth = 1;
  const vy = top + (v.scrollTop / total) * h;
  const vh = Math.max(4, ((v.height - HEADER_H) / total) * h);
  ctx.fillRect(x, vy, OVERVIEW_W - 1, vh);
  ctx.strokeRect(x + 0.5, vy + 0.5, OVERVIEW_W - 2, vh - 1);
}

/** Paint the visible part of the chart: grid, rows, bars, the critical path, "now" and the axis. */
export function drawTimeline(ctx: CanvasRenderingContext2D, scene: Scene, v: Viewport, dpr: number) {
  const { model, palette: p } = scene;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, v.width, v.height);
  ctx.font = `11px ${p.font}`;
  ctx.textBaseline = "middle";

  const step = tickStep(v.scale);
  const from = (v.scrollLeft - PAD_L) / v.scale;
  const to = (v.scrollLeft + v.width) / v.scale;
  const marks = Number.isNaN(model.origin) ? [] : ticks(from, to, step);

  // Grid lines stay faint: they help read a time, they are not the picture.
  ctx.fillStyle = p.border;
  ctx.globalAlpha = 0.45;
  for (const t of marks) ctx.fillRect(Math.round(PAD_L + t * v.scale - v.scrollLeft), HEADER_H, 1, v.height - HEADER_H);
  ctx.globalAlpha = 1;

  const [first, last] = visibleRows(v, model.rows.length);
  for (const i of [scene.hovered, scene.selected]) {
    if (i < first || i > last) continue;
    ctx.fillStyle = i === scene.selected ? p.selected : p.hover;
    ctx.fillRect(0, HEADER_H + i * ROW_H - v.scrollTop, v.width, ROW_H);
  }
  // Links under the bars: a long one crossing many rows must not hide them.
  drawLinks(ctx, scene, v, selectedPairs(scene, v), p.dimmed);
  if (scene.showCritical) drawLinks(ctx, scene, v, chainPairs(scene.critical.rows), p.critical);
  for (let i = first; i <= last; i++) {
    const row = model.rows[i];
    if (row) drawRow(ctx, scene, v, row, HEADER_H + i * ROW_H - v.scrollTop);
  }

  if (model.live && !Number.isNaN(model.origin)) {
    const x = Math.round(xOf(scene.open, model, v)) + 0.5;
    ctx.strokeStyle = p.fill.running;
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, HEADER_H);
    ctx.lineTo(x, v.height);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  drawOverview(ctx, scene, v);

  // The axis last, over rows scrolled under it.
  ctx.fillStyle = p.body;
  ctx.fillRect(0, 0, v.width, HEADER_H);
  ctx.fillStyle = p.border;
  ctx.fillRect(0, HEADER_H - 1, v.width, 1);
  ctx.fillStyle = p.dimmed;
  ctx.textAlign = "left";
  for (const t of marks) {
    const x = Math.round(PAD_L + t * v.scale - v.scrollLeft);
    ctx.fillRect(x, HEADER_H - 6, 1, 5);
    const label = formatOffset(t, step);
    if (x + 3 + ctx.measureText(label).width < v.width) ctx.fillText(label, x + 3, HEADER_H / 2 - 1);
  }
}
