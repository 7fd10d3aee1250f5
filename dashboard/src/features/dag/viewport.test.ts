import { describe, expect, it } from "vitest";

import { fixtureGraph, fixtureStep } from "./fixtures";
import { SIZES, type LayoutResult } from "./layout";
import { buildModel } from "./model";
import { MIN_TITLE_SCREEN_PX, READABLE_ZOOM, TITLE_PX, firstLayer, openingViewport, panToShow } from "./viewport";

/** A chain of `n` steps (each with its one output), laid out by hand the way ELK would: left to right. */
function chain(n: number) {
  const steps = Array.from({ length: n }, (_, i) => fixtureStep(`s${i}`, `s${i}`, i ? [`s${i - 1}`] : []));
  const model = buildModel(fixtureGraph(steps), new Set());
  const positions: LayoutResult["positions"] = {};
  steps.forEach((s, i) => {
    positions[s.name] = { x: i * 500, y: 0 };
    positions[`artifact:${s.name}/out`] = { x: i * 500 + 260, y: 19 };
  });
  return { model, layout: { key: model.structureKey, positions, ms: 0 } };
}

const onScreen = (v: { x: number; y: number; zoom: number }, p: { x: number; y: number }) => ({ x: v.x + p.x * v.zoom, y: v.y + p.y * v.zoom });

describe("openingViewport", () => {
  it("keeps step titles at 11 px or more", () => {
    expect(TITLE_PX * READABLE_ZOOM).toBeGreaterThanOrEqual(MIN_TITLE_SCREEN_PX);
  });

  it("fits a graph whole only when its titles stay readable", () => {
    const { model, layout } = chain(3);
    const v = openingViewport(model, layout, 1400, 800)!;
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    // Everything is on screen.
    expect(onScreen(v, { x: 0, y: 0 }).x).toBeGreaterThanOrEqual(0);
    expect(onScreen(v, { x: 2 * 500 + 260 + SIZES.artifact.width, y: 0 }).x).toBeLessThanOrEqual(1400);
  });

  it("opens a 200-step graph on its first layer at a readable zoom, not fitted to a speck", () => {
    const { model, layout } = chain(200);
    expect([...firstLayer(model, layout)]).toEqual(["s0"]);
    const v = openingViewport(model, layout, 1400, 800)!;
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const first = onScreen(v, layout.positions.s0!);
    expect(first.x).toBeGreaterThanOrEqual(0);
    expect(first.x + SIZES.step.width * v.zoom).toBeLessThanOrEqual(1400);
    expect(first.y).toBeGreaterThanOrEqual(0);
    expect(first.y + SIZES.step.height * v.zoom).toBeLessThanOrEqual(800);
  });

  it("opens a big failed run on its failing step, centred", () => {
    const { model, layout } = chain(200);
    const v = openingViewport(model, layout, 880, 800, "s150")!;
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    const at = onScreen(v, layout.positions.s150!);
    expect(at.x + (SIZES.step.width * v.zoom) / 2).toBeCloseTo(440);
    expect(at.y + (SIZES.step.height * v.zoom) / 2).toBeCloseTo(400);
  });
});

describe("panToShow", () => {
  const box = { x: 1000, y: 100, width: 210, height: 66 };

  it("leaves a node that is in view where it is", () => {
    expect(panToShow({ x: -500, y: 0, zoom: 1 }, box, 1400, 800)).toBeUndefined();
  });

  it("pans a node the narrowed pane cuts off back into view, by the least needed", () => {
    // The panel took 520 px of a 1400 px pane: the node at 1000..1210 is now past the edge at 880.
    const next = panToShow({ x: 0, y: 0, zoom: 1 }, box, 880, 800)!;
    expect(next.zoom).toBe(1);
    expect(next.y).toBe(0);
    expect(next.x + box.x + box.width).toBe(880 - 32);
  });

  it("pans the other way, and vertically, at the current zoom", () => {
    const next = panToShow({ x: 0, y: 0, zoom: 0.5 }, { x: -400, y: 2000, width: 210, height: 66 }, 880, 800)!;
    expect(next.x + -400 * 0.5).toBe(32);
    expect(next.y + 2000 * 0.5 + 33).toBe(800 - 32);
  });

  it("centres a node larger than the pane", () => {
    const next = panToShow({ x: 0, y: 0, zoom: 2 }, { x: 0, y: 0, width: 500, height: 66 }, 400, 800)!;
    expect(next.x + 500).toBe(200);
  });
});
