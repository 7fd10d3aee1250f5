import { describe, expect, it } from "vitest";

import { benchGraph, fixtureGraph, fixtureStep } from "./fixtures";
import { foldSteps } from "./fold";
import { type GroupNodeModel, buildModel } from "./model";

const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

describe("buildModel", () => {
  it("draws steps, one artifact per output, and data edges through the artifacts", () => {
    const g = fixtureGraph([fixtureStep("load", "load"), fixtureStep("fit", "fit", ["load"]), fixtureStep("score", "score", ["load", "fit"])]);
    const m = buildModel(g, new Set());
    expect(ids(m.nodes)).toEqual(["artifact:fit/out", "artifact:load/out", "artifact:score/out", "fit", "load", "score"]);
    expect(ids(m.edges)).toEqual([
      "artifact:fit/out->score",
      "artifact:load/out->fit",
      "artifact:load/out->score",
      "fit->artifact:fit/out",
      "load->artifact:load/out",
      "score->artifact:score/out",
    ]);
    // An artifact read by two steps is one node with two out-edges.
    expect(m.edges.filter((e) => e.source === "artifact:load/out")).toHaveLength(2);
    expect(m.edges.every((e) => e.kind === "data" && e.count === 1)).toBe(true);
  });

  it("draws `after` as a step-to-step ordering edge", () => {
    const g = fixtureGraph([fixtureStep("a", "a"), fixtureStep("b", "b", [], "completed", { after: ["a"], outputs: [] })]);
    const m = buildModel(g, new Set());
    expect(m.edges.find((e) => e.kind === "after")).toMatchObject({ id: "after:a->b", source: "a", target: "b" });
  });

  it("keeps the produced version on a step's artifact, and undeclared read outputs get a node", () => {
    const g = fixtureGraph([fixtureStep("a", "a"), fixtureStep("b", "b", [], "running", { inputs: [{ name: "x", step: "a", output: "extra", version_id: null }] })]);
    const m = buildModel(g, new Set());
    expect(m.nodes.find((n) => n.id === "artifact:a/out")).toMatchObject({ kind: "artifact", version: 1, dataType: "int" });
    expect(m.nodes.find((n) => n.id === "artifact:a/extra")).toMatchObject({ kind: "artifact", dataType: "?" });
    expect(m.edges.map((e) => e.id)).toContain("a->artifact:a/extra");
  });

  it("folds a fan-out into a group with status counts, merged edges, and merged artifacts", () => {
    const statuses = ["completed", "completed", "failed", "running", null, "cached"] as const;
    const steps = [fixtureStep("source", "source"), ...statuses.map((st, i) => fixtureStep(`train_${i + 1}`, "train", ["source"], st))];
    steps.push(fixtureStep("report", "report", ["train_1", "train_2"]));
    const m = buildModel(fixtureGraph(steps), new Set());
    const group = m.nodes.find((n) => n.kind === "group") as GroupNodeModel;
    expect(group.id).toBe("group:train:source");
    expect(group.members.map((s) => s.name)).toEqual(["train_1", "train_2", "train_3", "train_4", "train_5", "train_6"]);
    expect(group.counts).toEqual({ completed: 2, failed: 1, running: 1, pending: 1, cached: 1 });
    expect(m.nodes.filter((n) => n.kind === "step").map((n) => n.id)).toEqual(["source", "report"]);
    expect(m.nodes.find((n) => n.id === "artifact:group:train:source/out")).toMatchObject({ count: 6, version: null });
    expect(m.edges.find((e) => e.id === "artifact:source/out->group:train:source")?.count).toBe(6);
    expect(m.edges.find((e) => e.id === "artifact:group:train:source/out->report")?.count).toBe(2);
    expect(m.nodes.some((n) => n.id.startsWith("artifact:train_"))).toBe(false);
  });

  it("expands a group into its calls, keeping the other groups and their ids", () => {
    const g = benchGraph();
    const f = foldSteps(g.steps);
    const folded = buildModel(g, new Set(), f);
    const open = buildModel(g, new Set(["group:train:source"]), f);
    expect(folded.nodes.filter((n) => n.kind === "step")).toHaveLength(1);
    expect(open.nodes.filter((n) => n.kind === "step")).toHaveLength(500);
    expect(open.nodes.find((n) => n.id === "train_7")).toMatchObject({ kind: "step", groupId: "group:train:source" });
    const groups = (m: typeof folded) => m.nodes.filter((n) => n.kind === "group").map((n) => n.id);
    expect(groups(open)).toEqual(groups(folded).filter((id) => id !== "group:train:source"));
    expect(open.structureKey).not.toBe(folded.structureKey);
  });

  it("keeps the structure key when only statuses change", () => {
    const a = buildModel(benchGraph(() => null), new Set());
    const b = buildModel(benchGraph((name, i) => (i % 7 === 0 ? "failed" : name.startsWith("stage") ? "running" : "completed")), new Set());
    expect(b.structureKey).toBe(a.structureKey);
    const c = buildModel(fixtureGraph([...benchGraph().steps, fixtureStep("extra", "extra", ["source"])]), new Set());
    expect(c.structureKey).not.toBe(a.structureKey);
  });

  it("draws the 1,000-step benchmark run as about a hundred nodes", () => {
    const m = buildModel(benchGraph(), new Set());
    expect(m.nodes.filter((n) => n.kind === "group")).toHaveLength(51);
    expect(m.nodes).toHaveLength(104);
  });
});
