import { describe, expect, it } from "vitest";

import { benchGraph, fixtureStep } from "./fixtures";
import { FOLD_MIN, foldSteps } from "./fold";

const fan = (n: number, stepName = "train", parent = "source") =>
  Array.from({ length: n }, (_, i) => fixtureStep(`${stepName}_${i + 1}`, stepName, [parent]));

describe("foldSteps", () => {
  it("folds calls of one step fanned out from one parent, from the threshold up", () => {
    const below = foldSteps([fixtureStep("source", "source"), ...fan(FOLD_MIN - 1)]);
    expect(below.groups.size).toBe(0);

    const at = foldSteps([fixtureStep("source", "source"), ...fan(FOLD_MIN)]);
    expect([...at.groups.values()]).toEqual([{ id: "group:train:source", stepName: "train", parentKey: "source", members: ["train_1", "train_2", "train_3", "train_4", "train_5"] }]);
    expect(at.groupOf.get("train_3")).toBe("group:train:source");
    expect(at.groupOf.has("source")).toBe(false);
  });

  it("keeps apart calls of different steps, or with different parents", () => {
    const f = foldSteps([fixtureStep("a", "load"), fixtureStep("b", "load2"), ...fan(5, "fit", "a"), ...fan(5, "score", "a"), ...fan(5, "fit", "b").map((s) => ({ ...s, name: `b_${s.name}` }))]);
    expect([...f.groups.keys()].sort()).toEqual(["group:fit:a", "group:fit:b", "group:score:a"]);
  });

  it("counts `after` dependencies as parents", () => {
    const steps = [fixtureStep("source", "source"), fixtureStep("gate", "gate"), ...fan(5)];
    steps[2] = { ...steps[2]!, after: ["gate"] };
    const f = foldSteps(steps);
    // train_1 also waits on `gate`, so it no longer shares its parents with the other four.
    expect(f.groups.size).toBe(0);
    expect(f.groupOf.has("train_1")).toBe(false);
  });

  it("folds a map over a fan-out into a chain of groups (parents compared as drawn)", () => {
    const steps = [fixtureStep("source", "source"), ...fan(6)];
    for (let i = 1; i <= 6; i++) steps.push(fixtureStep(`eval_${i}`, "eval", [`train_${i}`]));
    const f = foldSteps(steps);
    expect(f.groupOf.get("eval_4")).toBe("group:eval:group:train:source");
    expect(f.groups.get("group:eval:group:train:source")?.members).toHaveLength(6);
  });

  it("does not fold calls that read different unfolded parents", () => {
    const steps = [fixtureStep("source", "source"), ...fan(3)];
    for (let i = 1; i <= 3; i++) steps.push(fixtureStep(`eval_${i}`, "eval", [`train_${i}`]));
    expect(foldSteps(steps).groups.size).toBe(0);
  });

  it("folds the benchmark run into one train group and 50 groups of 10 stage calls", () => {
    const f = foldSteps(benchGraph().steps);
    expect(f.groups.get("group:train:source")?.members).toHaveLength(499);
    const stages = [...f.groups.values()].filter((g) => g.stepName === "stage");
    expect(stages).toHaveLength(50);
    expect(stages.every((g) => g.members.length === 10)).toBe(true);
    expect(f.groupOf.size).toBe(999);
  });

  it("leaves steps on a cycle (an invalid graph) unfolded rather than failing", () => {
    const steps = [fixtureStep("a", "x", ["b"]), fixtureStep("b", "x", ["a"]), ...fan(5, "t", "a")];
    const f = foldSteps(steps);
    expect(f.groupOf.size).toBe(0);
  });
});
