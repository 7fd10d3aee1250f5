import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";

import { benchGraph, fixtureGraph, fixtureStep } from "./fixtures";
import { SIZES, layoutRequest, runLayout } from "./layout";
import { buildModel } from "./model";
import { viewportFor } from "./viewport";

describe("runLayout", () => {
  it("places every node, producers left of what they feed", async () => {
    const g = fixtureGraph([fixtureStep("load", "load"), fixtureStep("a", "a", ["load"]), fixtureStep("b", "b", ["load"]), fixtureStep("join", "join", ["a", "b"])]);
    const m = buildModel(g, new Set());
    const r = await runLayout(new ELK(), layoutRequest(m));
    expect(Object.keys(r.positions).sort()).toEqual(m.nodes.map((n) => n.id).sort());
    for (const e of m.edges) expect(r.positions[e.source]!.x).toBeLessThan(r.positions[e.target]!.x);
    // Parallel branches side by side: a and b share a column, one above the other.
    expect(r.positions.a!.x).toBe(r.positions.b!.x);
    expect(Math.abs(r.positions.a!.y - r.positions.b!.y)).toBeGreaterThanOrEqual(SIZES.step.height);
  });

  it("lays out the folded 1,000-step benchmark run quickly", async () => {
    const r = await runLayout(new ELK(), layoutRequest(buildModel(benchGraph(), new Set())));
    expect(Object.keys(r.positions)).toHaveLength(104);
    expect(r.ms).toBeLessThan(2000);
  });
});

describe("keepCallOrder", () => {
  it("draws an expanded group's calls in call order, each with its own artifacts", async () => {
    const steps = [fixtureStep("source", "source"), ...Array.from({ length: 12 }, (_, i) => fixtureStep(`train_${i + 1}`, "train", ["source"]))];
    const m = buildModel(fixtureGraph(steps), new Set(["group:train:source"]));
    const r = await runLayout(new ELK(), layoutRequest(m));
    const ys = steps.slice(1).map((s) => r.positions[s.name]!.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    for (const s of steps.slice(1)) expect(r.positions[`artifact:${s.name}/out`]!.y - r.positions[s.name]!.y).toBe(r.positions["artifact:train_1/out"]!.y - r.positions.train_1!.y);
  });
});

describe("viewportFor", () => {
  it("centres a graph that fits, and opens a long one at its start at a readable zoom", () => {
    expect(viewportFor({ x: 0, y: 0, width: 400, height: 200 }, 1000, 600)).toEqual({ x: 300, y: 200, zoom: 1 });
    const long = viewportFor({ x: 0, y: 0, width: 20000, height: 300 }, 1000, 600);
    expect(long.zoom).toBeGreaterThanOrEqual(0.85);
    expect(long.x).toBe(24);
    // A small pipeline asks for a lower floor, and opens whole.
    expect(viewportFor({ x: 0, y: 0, width: 3000, height: 300 }, 1000, 600, 1, 0.2).zoom).toBeCloseTo(952 / 3000);
  });
});
