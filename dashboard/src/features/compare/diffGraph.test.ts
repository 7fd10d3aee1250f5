import { describe, expect, it } from "vitest";

import { diffGraph, diffLayoutRequest, diffLines } from "./diffGraph";

const step = (name: string, change: "added" | "removed" | "rewired" | "changed" | "same", before: Record<string, string> | undefined, after: Record<string, string> | undefined, extra: object = {}) => ({
  name,
  change,
  code_changed: false,
  inputs_before: before,
  inputs_after: after,
  cache: { flipped: false },
  ...extra,
});

describe("the structural diff's graph", () => {
  const steps = [
    step("load", "same", {}, {}),
    step("my.clean", "changed", { xs: "load.output" }, { xs: "load.output" }, { code_changed: true }),
    step("features", "removed", { xs: "my.clean.output" }, undefined),
    step("train", "rewired", { xs: "features.output" }, { xs: "my.clean.output", extra: "artifact:1234" }, { after_after: ["load"] }),
    step("report", "added", undefined, { score: "train.output" }),
  ];

  it("keeps edges of both runs, marking those only before as removed and only after as added", () => {
    const { nodes, edges } = diffGraph(steps);
    expect(nodes.map((n) => [n.id, n.change, n.codeChanged])).toEqual([
      ["load", "same", false],
      ["my.clean", "changed", true],
      ["features", "removed", false],
      ["train", "rewired", false],
      ["report", "added", false],
    ]);
    const byState = (state: string) => edges.filter((e) => e.state === state).map((e) => `${e.source}>${e.target}:${e.label}`).sort();
    expect(byState("kept")).toEqual(["load>my.clean:output → xs"]);
    expect(byState("added")).toEqual(["load>train:after", "my.clean>train:output → xs", "train>report:output → score"]);
    expect(byState("removed")).toEqual(["features>train:output → xs", "my.clean>features:output → xs"]);
  });

  it("lays out one edge per pair of steps and keys the layout by structure", () => {
    const req = diffLayoutRequest(diffGraph(steps));
    expect(req.nodes).toHaveLength(5);
    expect(new Set(req.edges.map((e) => e.id)).size).toBe(req.edges.length);
    expect(diffLayoutRequest(diffGraph(steps)).key).toBe(req.key);
  });

  it("reads a unified diff line by line", () => {
    const lines = diffLines("--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same\n");
    expect(lines.map((l) => l.kind)).toEqual(["file", "file", "hunk", "del", "add", "ctx"]);
    expect(diffLines("")).toEqual([]);
  });
});
