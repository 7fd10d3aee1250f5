/**
 * Parallel coordinates on a canvas: axes, scales, brushes and lines, without a chart library.
 *
 * ECharts' parallel series (the first version of this view) rebuilt every line as a shape of its
 * own on each brush move: 330–500 ms per move for 10,000 runs on this 2-core machine, against a
 * target of 100 ms. Here every line is drawn once into two cached bitmaps (normal and faded); a
 * brush move pastes the faded one and strokes only the runs inside the brushes, batched into one
 * path per colour, so a move costs one pass over the runs inside.
 */
import type { ChartTheme } from "../artifacts/viz/charts";
import type { Brushes } from "./runCompare";

export interface Axis {
  /** The row id it shows (section:key), as the URL names it. */
  id: string;
  name: string;
  /** One value per run: a number, a category, or null. */
  values: readonly unknown[];
  numeric: boolean;
  log: boolean;
}

/** A numeric axis on a log scale needs every value above zero. */
export function canBeLog(axis: Pick<Axis, "values" | "numeric">): boolean {
  return axis.numeric && axis.values.some((v) => typeof v === "number") && axis.values.every((v) => v === null || v === undefined || (typeof v === "number" && v > 0));
}

/** The categories of a text axis, in a stable order (natural sort). */
export function categoriesOf(values: readonly unknown[]): string[] {
  const set = new Set<string>();
  for (const v of values) if (v !== null && v !== undefined) set.add(String(v));
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export interface Frame {
  width: number;
  height: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Where the axes stand: evenly spaced between the margins, names above, labels beside them. */
export function frameFor(width: number, height: number, colored: boolean): Frame {
  return { width, height, top: 40, bottom: height - 24, left: 60, right: width - (colored ? 150 : 60) };
}

/** `text`, cut with an ellipsis to `width` pixels in the context's font. */
function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let end = text.length - 1;
  while (end > 1 && ctx.measureText(`${text.slice(0, end)}…`).width > width) end -= 1;
  return `${text.slice(0, end)}…`;
}

export function axisX(frame: Frame, index: number, count: number): number {
  return count <= 1 ? (frame.left + frame.right) / 2 : frame.left + ((frame.right - frame.left) * index) / (count - 1);
}

export interface Scale {
  /** A value's height on the axis; null for a value the axis cannot place (none, text on a number axis). */
  y: (value: unknown) => number | null;
  /** The value at a height (numbers), for brushes. */
  value: (y: number) => number;
  ticks: { y: number; label: string }[];
  categories?: string[];
  /** A category's band half-height, for brushes drawn on categories. */
  band: number;
}

const fmt = (v: number) => (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(4)).toString());

/** About `count` round numbers between lo and hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** The axis's scale between the frame's top (largest value, last category) and bottom. */
export function scaleFor(axis: Axis, frame: Frame): Scale {
  const span = frame.bottom - frame.top;
  if (!axis.numeric) {
    const categories = categoriesOf(axis.values);
    const index = new Map(categories.map((c, i) => [c, i]));
    const step = span / Math.max(categories.length, 1);
    const at = (i: number) => frame.bottom - (i + 0.5) * step;
    return {
      y: (v) => (v === null || v === undefined ? null : at(index.get(String(v)) ?? -1)),
      value: (y) => (frame.bottom - y) / step - 0.5,
      ticks: categories.map((c, i) => ({ y: at(i), label: c })),
      categories,
      band: step * 0.4,
    };
  }
  const numbers = axis.values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const log = axis.log && canBeLog(axis);
  const f = log ? Math.log10 : (v: number) => v;
  const inv = log ? (t: number) => 10 ** t : (t: number) => t;
  let lo = numbers.length ? Math.min(...numbers.map(f)) : 0;
  let hi = numbers.length ? Math.max(...numbers.map(f)) : 1;
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const y = (t: number) => frame.bottom - ((t - lo) / (hi - lo)) * span;
  const ticks = log
    ? niceTicks(lo, hi, 4).map((t) => ({ y: y(t), label: fmt(inv(t)) }))
    : niceTicks(lo, hi, 5).map((t) => ({ y: y(t), label: fmt(t) }));
  return {
    y: (v) => (typeof v === "number" && Number.isFinite(v) && (!log || v > 0) ? y(f(v)) : null),
    value: (py) => inv(lo + ((frame.bottom - py) / span) * (hi - lo)),
    ticks,
    band: 0,
  };
}

/** A brush dragged from y0 to y1 on an axis, as the URL keeps it: a value interval, or the categories inside. */
export function brushFromPixels(scale: Scale, y0: number, y1: number): [number, number][] | string[] {
  const [top, bottom] = [Math.min(y0, y1), Math.max(y0, y1)];
  if (scale.categories) {
    return scale.categories.filter((c) => {
      const y = scale.y(c);
      return y !== null && y >= top - scale.band && y <= bottom + scale.band;
    });
  }
  const a = scale.value(bottom);
  const b = scale.value(top);
  return [[Number(Math.min(a, b).toPrecision(8)), Number(Math.max(a, b).toPrecision(8))]];
}

/** Where a brush of the URL is drawn on its axis: pixel spans, top first. */
export function brushPixels(scale: Scale, ranges: Brushes[string]): [number, number][] {
  if (!ranges.length) return [];
  if (typeof ranges[0] === "string") {
    return (ranges as string[]).flatMap((c) => {
      const y = scale.y(c);
      return y === null ? [] : [[y - scale.band, y + scale.band] as [number, number]];
    });
  }
  return (ranges as [number, number][]).flatMap(([lo, hi]) => {
    const a = scale.y(lo);
    const b = scale.y(hi);
    if (a === null || b === null) {
      // A log axis cannot place zero or less: from the bottom of the axis.
      const bottom = Math.max(scale.y(hi) ?? 0, scale.y(lo) ?? 0);
      return a === null && b !== null ? [[b, bottom] as [number, number]] : [];
    }
    return [[Math.min(a, b), Math.max(a, b)] as [number, number]];
  });
}

const RAMP = ["#4263eb", "#12b886", "#fab005", "#f03e3e"];
/** Colour buckets of the ramp: lines of a bucket are stroked as one path. */
export const BUCKETS = 12;

function mix(a: string, b: string, t: number): string {
  const pa = [1, 3, 5].map((i) => parseInt(a.slice(i, i + 2), 16));
  const pb = [1, 3, 5].map((i) => parseInt(b.slice(i, i + 2), 16));
  return `rgb(${pa.map((x, i) => Math.round(x + (pb[i]! - x) * t)).join(",")})`;
}

/** The bucket colours, low to high along the ramp. */
export function bucketColors(): string[] {
  return Array.from({ length: BUCKETS }, (_, i) => {
    const t = (i / (BUCKETS - 1)) * (RAMP.length - 1);
    const k = Math.min(Math.floor(t), RAMP.length - 2);
    return mix(RAMP[k]!, RAMP[k + 1]!, t - k);
  });
}

/** Each run's colour bucket by its value of `color` (-1: no value, drawn grey), or all 0 without one. */
export function colorBuckets(count: number, color: Axis | undefined): { buckets: Int8Array; min: number; max: number } {
  const buckets = new Int8Array(count);
  if (!color) return { buckets, min: 0, max: 0 };
  const numbers = color.values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const min = numbers.length ? Math.min(...numbers) : 0;
  const max = numbers.length ? Math.max(...numbers) : 0;
  for (let i = 0; i < count; i += 1) {
    const v = color.values[i];
    buckets[i] = typeof v === "number" && Number.isFinite(v) ? (max > min ? Math.min(BUCKETS - 1, Math.floor(((v - min) / (max - min)) * BUCKETS)) : BUCKETS - 1) : -1;
  }
  return { buckets, min, max };
}

/** The run whose line passes closest to (x, y) within `tolerance` pixels, if any. */
export function pickLine(ys: Float32Array, count: number, axes: number, xs: readonly number[], x: number, y: number, tolerance = 5): number | undefined {
  if (axes < 2 || x < xs[0]! || x > xs[axes - 1]!) return undefined;
  let a = 0;
  while (a < axes - 2 && x > xs[a + 1]!) a += 1;
  const t = (x - xs[a]!) / (xs[a + 1]! - xs[a]! || 1);
  let best: number | undefined;
  let bestDistance = tolerance;
  for (let i = 0; i < count; i += 1) {
    const y0 = ys[i * axes + a]!;
    const y1 = ys[i * axes + a + 1]!;
    if (Number.isNaN(y0) || Number.isNaN(y1)) continue;
    const d = Math.abs(y0 + (y1 - y0) * t - y);
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

export interface Callbacks {
  onBrush: (next: Brushes | undefined) => void;
  onPick?: (index: number) => void;
  onHover?: (index: number | undefined, x: number, y: number) => void;
}

/**
 * The drawing: three stacked canvases (lines, axes and brushes) in `host`. Framework-free, so a
 * benchmark can drive it as the page does.
 */
export class ParallelRenderer {
  private readonly lines: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private full?: HTMLCanvasElement;
  private faded?: HTMLCanvasElement;
  private axes: Axis[] = [];
  private count = 0;
  private color: Axis | undefined;
  private theme: ChartTheme = { text: "#000", dimmed: "#868e96", grid: "rgba(0,0,0,0.08)", background: "#fff", accent: "#1c7ed6" };
  private frame: Frame = frameFor(0, 0, false);
  private scales: Scale[] = [];
  private xs: number[] = [];
  /** Every run's height on every axis (NaN: none), runs × axes. */
  private ys: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private buckets: Int8Array<ArrayBufferLike> = new Int8Array(0);
  private range = { min: 0, max: 0 };
  private brushes: Brushes | undefined;
  private drag: { axis: number; y0: number; y1: number } | undefined;
  private readonly dpr = Math.max(1, Math.min(2, window.devicePixelRatio || 1));
  private readonly cleanup: (() => void)[] = [];

  constructor(
    private readonly host: HTMLElement,
    private readonly callbacks: Callbacks,
  ) {
    host.style.position = "relative";
    this.lines = this.canvas();
    this.overlay = this.canvas();
    this.overlay.style.cursor = "crosshair";
    this.overlay.style.touchAction = "none";
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void) => {
      this.overlay.addEventListener(type, fn as EventListener);
      this.cleanup.push(() => this.overlay.removeEventListener(type, fn as EventListener));
    };
    on("pointerdown", (e) => this.down(e));
    on("pointermove", (e) => this.move(e));
    on("pointerup", (e) => this.up(e));
    on("pointerleave", () => this.callbacks.onHover?.(undefined, 0, 0));
  }

  private canvas(): HTMLCanvasElement {
    const c = document.createElement("canvas");
    c.style.position = "absolute";
    c.style.inset = "0";
    this.host.appendChild(c);
    return c;
  }

  /** What is drawn; lays out, caches every line and draws. */
  setData(axes: readonly Axis[], count: number, color: Axis | undefined, theme: ChartTheme, brushes: Brushes | undefined): void {
    this.axes = [...axes];
    this.count = count;
    this.color = color;
    this.theme = theme;
    this.brushes = brushes;
    this.layout();
  }

  /** Brushes changed (a drag here, or the URL): only the lines are drawn again. */
  setBrushes(brushes: Brushes | undefined): void {
    if (JSON.stringify(brushes ?? {}) === JSON.stringify(this.brushes ?? {})) return; // its own drag, echoed back
    this.brushes = brushes;
    this.drawLines();
    this.drawOverlay();
  }

  resize(): void {
    this.layout();
  }

  dispose(): void {
    for (const fn of this.cleanup) fn();
    this.lines.remove();
    this.overlay.remove();
  }

  private layout(): void {
    const width = this.host.clientWidth;
    const height = this.host.clientHeight;
    for (const c of [this.lines, this.overlay]) {
      c.width = Math.round(width * this.dpr);
      c.height = Math.round(height * this.dpr);
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
    }
    this.frame = frameFor(width, height, !!this.color);
    this.scales = this.axes.map((a) => scaleFor(a, this.frame));
    this.xs = this.axes.map((_, i) => axisX(this.frame, i, this.axes.length));
    const n = this.axes.length;
    this.ys = new Float32Array(this.count * n);
    for (let a = 0; a < n; a += 1) {
      const scale = this.scales[a]!;
      const values = this.axes[a]!.values;
      for (let i = 0; i < this.count; i += 1) this.ys[i * n + a] = scale.y(values[i]) ?? Number.NaN;
    }
    const colored = colorBuckets(this.count, this.color);
    this.buckets = colored.buckets;
    this.range = { min: colored.min, max: colored.max };
    this.full = this.paint(this.count > 1000 ? 0.35 : 0.85);
    this.faded = this.paint(this.count > 1000 ? 0.04 : 0.12);
    this.drawLines();
    this.drawOverlay();
  }

  private lineWidth(): number {
    return this.count > 1000 ? 0.6 : this.count > 200 ? 1 : 1.6;
  }

  /** Every line into an offscreen canvas at `alpha`. */
  private paint(alpha: number): HTMLCanvasElement {
    const c = document.createElement("canvas");
    c.width = this.lines.width;
    c.height = this.lines.height;
    const ctx = c.getContext("2d");
    if (ctx) this.stroke(ctx, null, alpha);
    return c;
  }

  /** The lines of the runs where `inside` holds (all when null), one path per colour bucket. */
  private stroke(ctx: CanvasRenderingContext2D, inside: Uint8Array | null, alpha: number): void {
    const n = this.axes.length;
    if (n < 2) return;
    ctx.save();
    ctx.scale(this.dpr, this.dpr);
    ctx.globalAlpha = alpha;
    ctx.lineWidth = this.lineWidth();
    ctx.lineJoin = "round";
    const colors = this.color ? bucketColors() : [this.theme.accent];
    const groups = this.color ? [-1, ...colors.map((_, i) => i)] : [0];
    for (const group of groups) {
      ctx.beginPath();
      let any = false;
      for (let i = 0; i < this.count; i += 1) {
        if (this.buckets[i] !== group || (inside && !inside[i])) continue;
        let pen = false;
        for (let a = 0; a < n; a += 1) {
          const y = this.ys[i * n + a]!;
          if (Number.isNaN(y)) {
            pen = false;
            continue;
          }
          if (pen) ctx.lineTo(this.xs[a]!, y);
          else ctx.moveTo(this.xs[a]!, y);
          pen = true;
        }
        any = true;
      }
      if (!any) continue;
      ctx.strokeStyle = group === -1 ? this.theme.dimmed : (colors[group] ?? this.theme.accent);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Which runs lie inside every brushed axis, measured in pixels on the cached heights. */
  private insideNow(): Uint8Array | null {
    const spans = this.spans();
    if (!spans.some((s) => s.length)) return null;
    const n = this.axes.length;
    const inside = new Uint8Array(this.count).fill(1);
    spans.forEach((ranges, a) => {
      if (!ranges.length) return;
      for (let i = 0; i < this.count; i += 1) {
        if (!inside[i]) continue;
        const y = this.ys[i * n + a]!;
        let hit = false;
        for (const [top, bottom] of ranges) if (y >= top - 0.5 && y <= bottom + 0.5) hit = true;
        if (!hit) inside[i] = 0;
      }
    });
    return inside;
  }

  /** Each axis's brushed spans in pixels: the one being dragged, else the URL's. */
  private spans(): [number, number][][] {
    return this.axes.map((axis, a) => {
      if (this.drag?.axis === a) return [[Math.min(this.drag.y0, this.drag.y1), Math.max(this.drag.y0, this.drag.y1)] as [number, number]];
      const ranges = this.brushes?.[axis.id];
      return ranges ? brushPixels(this.scales[a]!, ranges) : [];
    });
  }

  private drawLines(): void {
    const ctx = this.lines.getContext("2d");
    if (!ctx || !this.full || !this.faded) return;
    ctx.clearRect(0, 0, this.lines.width, this.lines.height);
    const inside = this.insideNow();
    if (!inside) {
      ctx.drawImage(this.full, 0, 0);
      return;
    }
    ctx.drawImage(this.faded, 0, 0);
    this.stroke(ctx, inside, this.count > 1000 ? 0.5 : 0.9);
  }

  private drawOverlay(): void {
    const ctx = this.overlay.getContext("2d");
    if (!ctx) return;
    const { theme, frame } = this;
    ctx.save();
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, frame.width, frame.height);
    ctx.font = "12px system-ui, sans-serif";
    const spans = this.spans();
    this.axes.forEach((axis, a) => {
      const x = this.xs[a]!;
      ctx.strokeStyle = theme.dimmed;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, frame.top);
      ctx.lineTo(x, frame.bottom);
      ctx.stroke();
      for (const [top, bottom] of spans[a]!) {
        ctx.fillStyle = "rgba(120,130,150,0.35)";
        ctx.fillRect(x - 8, top, 16, Math.max(bottom - top, 2));
        ctx.strokeStyle = theme.text;
        ctx.strokeRect(x - 8, top, 16, Math.max(bottom - top, 2));
      }
      ctx.fillStyle = theme.dimmed;
      ctx.textAlign = a === this.axes.length - 1 && this.axes.length > 1 ? "right" : "left";
      ctx.textBaseline = "middle";
      const scale = this.scales[a]!;
      const every = Math.max(1, Math.ceil(scale.ticks.length / Math.max(2, Math.floor((frame.bottom - frame.top) / 16))));
      scale.ticks.forEach((tick, k) => {
        if (k % every) return;
        ctx.beginPath();
        ctx.moveTo(x - 3, tick.y);
        ctx.lineTo(x + 3, tick.y);
        ctx.stroke();
        const label = tick.label.length > 14 ? `${tick.label.slice(0, 13)}…` : tick.label;
        ctx.fillText(label, ctx.textAlign === "right" ? x - 6 : x + 6, tick.y);
      });
      ctx.fillStyle = theme.text;
      ctx.textAlign = a === 0 ? "left" : a === this.axes.length - 1 ? "right" : "center";
      ctx.textBaseline = "bottom";
      // A name fits beside its neighbours' (an end one reaches its full width inwards, a middle one half each way).
      const room = this.axes.length > 1 ? ((this.xs[1]! - this.xs[0]!) * 2) / 3 - 6 : frame.width;
      const name = fitText(ctx, (axis.name.length > 28 ? `${axis.name.slice(0, 27)}…` : axis.name) + (axis.log && canBeLog(axis) ? " (log)" : ""), room);
      ctx.fillText(name, a === 0 ? x - 4 : a === this.axes.length - 1 ? x + 4 : x, frame.top - 12);
    });
    if (this.color) {
      // The colour scale: the ramp, its metric and its range.
      const x = frame.width - 84;
      const colors = bucketColors();
      const h = (frame.bottom - frame.top) / colors.length;
      colors.forEach((c, i) => {
        ctx.fillStyle = c;
        ctx.fillRect(x, frame.bottom - (i + 1) * h, 12, h + 0.5);
      });
      ctx.fillStyle = theme.text;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(fmt(this.range.max), x + 16, frame.top + 6);
      ctx.fillText(fmt(this.range.min), x + 16, frame.bottom - 6);
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      const name = this.color.name.length > 18 ? `…${this.color.name.slice(-17)}` : this.color.name;
      ctx.fillText(name, frame.width - 4, frame.top - 12);
    }
    ctx.restore();
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.overlay.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private down(e: PointerEvent): void {
    const { x, y } = this.point(e);
    const axis = this.xs.findIndex((ax) => Math.abs(ax - x) <= 14);
    if (axis < 0 || y < this.frame.top - 8 || y > this.frame.bottom + 8) return;
    const clamped = Math.min(Math.max(y, this.frame.top), this.frame.bottom);
    this.drag = { axis, y0: clamped, y1: clamped };
    this.overlay.setPointerCapture(e.pointerId);
  }

  private move(e: PointerEvent): void {
    const { x, y } = this.point(e);
    if (!this.drag) {
      this.callbacks.onHover?.(pickLine(this.ys, this.count, this.axes.length, this.xs, x, y), x, y);
      return;
    }
    this.drag.y1 = Math.min(Math.max(y, this.frame.top), this.frame.bottom);
    this.drawLines();
    this.drawOverlay();
    this.emit(false);
  }

  private up(e: PointerEvent): void {
    if (!this.drag) {
      const { x, y } = this.point(e);
      const picked = pickLine(this.ys, this.count, this.axes.length, this.xs, x, y);
      if (picked !== undefined) this.callbacks.onPick?.(picked);
      return;
    }
    this.emit(true);
    this.drag = undefined;
    this.drawLines();
    this.drawOverlay();
  }

  /** The brushes with the dragged one in; a click without a drag clears that axis's brush. */
  private emit(final: boolean): void {
    const drag = this.drag;
    if (!drag) return;
    const axis = this.axes[drag.axis]!;
    const next: Brushes = { ...(this.brushes ?? {}) };
    if (Math.abs(drag.y1 - drag.y0) < 3) {
      if (!final) return;
      delete next[axis.id];
    } else {
      const ranges = brushFromPixels(this.scales[drag.axis]!, drag.y0, drag.y1);
      if (ranges.length) next[axis.id] = ranges;
      else delete next[axis.id];
    }
    this.brushes = Object.keys(next).length ? next : undefined;
    this.callbacks.onBrush(this.brushes);
  }
}
