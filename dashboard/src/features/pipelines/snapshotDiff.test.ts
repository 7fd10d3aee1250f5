import { describe, expect, it } from "vitest";

import { diffSteps, stepsOf, versions } from "./snapshotDiff";

function step(name: string, hash = "h1", inputs: Record<string, [string, string]> = {}, after: string[] = []) {
  return {
    name,
    step_name: name.replace(/_\d+$/, ""),
    source_hash: hash,
    inputs: Object.fromEntries(Object.entries(inputs).map(([k, [s, o]]) => [k, { step: s, output: o }])),
    after,
  };
}

const snap = (id: string, at: string, steps: unknown[]) => ({ id, created_at: at, spec: { name: "p", steps } });

describe("stepsOf", () => {
  it("reads steps and normalises their wiring", () => {
    expect(stepsOf({ steps: [step("train", "a", { y: ["load", "labels"], x: ["load", "features"] }, ["z", "b"])] })).toEqual([
      { name: "train", stepName: "train", sourceHash: "a", inputs: ["x=load.features", "y=load.labels"], after: ["b", "z"] },
    ]);
  });

  it("survives a spec that is not what it should be", () => {
    expect(stepsOf({})).toEqual([]);
    expect(stepsOf({ steps: [null, 3, { step_name: "nameless" }, { name: "ok" }] })).toEqual([
      { name: "ok", stepName: "ok", sourceHash: "", inputs: [], after: [] },
    ]);
  });
});

describe("diffSteps", () => {
  it("finds added, removed, changed code and rewired steps", () => {
    const before = stepsOf({ steps: [step("load"), step("train", "a", { x: ["load", "out"] }), step("old")] });
    const after = stepsOf({
      steps: [step("load", "changed"), step("clean"), step("train", "a", { x: ["clean", "out"] }), step("evaluate")],
    });
    expect(diffSteps(before, after)).toEqual({ added: ["clean", "evaluate"], removed: ["old"], changed: ["load"], rewired: ["train"] });
  });

  it("counts a new `after` as rewiring and nothing for an identical snapshot", () => {
    const a = stepsOf({ steps: [step("a"), step("b")] });
    expect(diffSteps(a, stepsOf({ steps: [step("a"), step("b", "h1", {}, ["a"])] })).rewired).toEqual(["b"]);
    expect(diffSteps(a, a)).toEqual({ added: [], removed: [], changed: [], rewired: [] });
  });
});

describe("versions", () => {
  it("orders snapshots by time and compares each with the one before", () => {
    const out = versions([
      snap("s3", "2026-11-03T00:00:00Z", [step("a"), step("c")]),
      snap("s1", "2026-11-01T00:00:00Z", [step("a")]),
      snap("s2", "2026-11-02T00:00:00Z", [step("a"), step("b")]),
    ]);
    expect(out.map((v) => [v.snapshot.id, v.number, v.initial, v.added, v.removed])).toEqual([
      ["s1", 1, true, ["a"], []],
      ["s2", 2, false, ["b"], []],
      ["s3", 3, false, ["c"], ["b"]],
    ]);
  });

  it("is empty without snapshots", () => {
    expect(versions([])).toEqual([]);
  });
});
