import { describe, expect, it } from "vitest";

import { criticalPath } from "./criticalPath";
import { HEADER_H, PAD_L, ROW_H, type Viewport, drawTimeline, hasOverview, hitTest, overviewFraction, visibleRows, xOf } from "./draw";
import { buildTimeline, openEnd } from "./model";
import type { Palette } from "./palette";
import { graph, ms, step } from "./testGraph";

/** A 2D context that records the calls the chart makes (the canvas itself is the browser's business). */
function recorder() {
  const calls: { name: string; args: unknown[] }[] = [];
  const ctx = new Proxy(
    { measureText: (t: string) => ({ width: t.length * 6 }), createPattern: () => null },
    {
      get(target, prop: string) {
        if (prop in target) return target[prop as keyof typeof target];
        return (...args: unknown[]) => calls.push({ name: prop, args });
      },
      set: () => true,
    },
  );
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

const colors = new Proxy({}, { get: () => "#888" }) as Palette["fill"];
const palette: Palette = { text: "#000", dimmed: "#888", border: "#ddd", body: "#fff", hover: "#eee", selected: "#def", critical: "#f80", fill: colors, light: colors, font: "sans-serif" };

const view = (over: Partial<Viewport> = {}): Viewport => ({ width: 800, height: HEADER_H + 10 * ROW_H, scrollTop: 0, scrollLeft: 0, scale: 0.01, ...over });

describe("draw", () => {
  const model = buildTimeline(graph(Array.from({ length: 1000 }, (_, i) => step(`s_${i}`, [i, i + 0.5], i ? [`s_${i - 1}`] : []))));
  const now = ms(2000);

  it("places times on x from the origin, the scale and the scroll", () => {
    expect(xOf(model.origin, model, view())).toBe(PAD_L);
    expect(xOf(ms(10), model, view({ scale: 0.01 }))).toBe(PAD_L + 100);
    expect(xOf(ms(10), model, view({ scale: 0.01, scrollLeft: 50 }))).toBe(PAD_L + 50);
  });

  it("knows which rows are on screen", () => {
    expect(visibleRows(view(), 1000)).toEqual([0, 10]);
    expect(visibleRows(view({ scrollTop: 100 * ROW_H }), 1000)).toEqual([100, 110]);
    expect(visibleRows(view({ scrollTop: 995 * ROW_H }), 1000)).toEqual([995, 999]);
  });

  it("finds the row and bar under the pointer", () => {
    const v = view({ scale: 0.01 });
    const y = HEADER_H + 3 * ROW_H + ROW_H / 2; // row 3 runs from 3s to 3.5s: x 42..47
    expect(hitTest({ model, open: openEnd(model, now) }, v, 44, y)).toEqual({ row: 3, onBar: true });
    expect(hitTest({ model, open: openEnd(model, now) }, v, 400, y)).toEqual({ row: 3, onBar: false });
    expect(hitTest({ model, open: openEnd(model, now) }, v, 44, 5)).toBeNull();
  });

  it("shows the overview strip only when the rows overflow, and maps it onto them", () => {
    expect(hasOverview(view(), 1000)).toBe(true);
    expect(hasOverview(view(), 5)).toBe(false);
    expect(overviewFraction(view(), HEADER_H + 2)).toBe(0);
    expect(overviewFraction(view(), view().height)).toBe(1);
    expect(overviewFraction(view(), HEADER_H + 2 + (view().height - HEADER_H - 4) / 2)).toBeCloseTo(0.5);
  });

  it("paints only the rows on screen, however many the run has", () => {
    const { ctx, calls } = recorder();
    const scene = { model, critical: criticalPath(model, now), showCritical: true, selected: -1, hovered: -1, open: openEnd(model, now), palette };
    drawTimeline(ctx, scene, view({ scrollTop: 500 * ROW_H }), 2);
    const bars = calls.filter((c) => c.name === "roundRect");
    // 11 visible rows, each a bar and (all on the critical path here) an outline.
    expect(bars.length).toBe(22);
    expect(calls.find((c) => c.name === "setTransform")?.args).toEqual([2, 0, 0, 2, 0, 0]);
    const labels = calls.filter((c) => c.name === "fillText").map((c) => c.args[0]);
    expect(labels).toContain("500ms");
    expect(labels).toContain("+10s");
  });

  it("outlines the critical path only when it is switched on", () => {
    const { ctx, calls } = recorder();
    const scene = { model, critical: criticalPath(model, now), showCritical: false, selected: -1, hovered: -1, open: openEnd(model, now), palette };
    drawTimeline(ctx, scene, view({ scrollTop: 500 * ROW_H }), 2);
    // 11 visible rows, a bar each and no outlines.
    expect(calls.filter((c) => c.name === "roundRect").length).toBe(11);
  });
});
