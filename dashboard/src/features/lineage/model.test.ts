import { describe, expect, it } from "vitest";

import type { LineageGraph, LineageNode } from "../../api/artifacts";
import { LINEAGE_SIZES, buildLineageModel, lineageLayoutRequest, runCount } from "./model";

const artifact = (id: string, run: string | null): LineageNode => ({ id, kind: "artifact", name: id, version: 1, data_type: "builtins.list", run_id: run, run_name: run, step: null, status: null });
const step = (id: string, run: string, status = "completed"): LineageNode => ({ id, kind: "step", name: id, version: null, data_type: null, run_id: run, run_name: run, step: id, status });

// raw (run 1) -> clean (run 2) -> cleaned (run 2) -> report (run 3) -> out (run 3); cleaned -> plot (run 3)
const graph = (status = "completed"): LineageGraph => ({
  root: "cleaned",
  truncated: false,
  nodes: [artifact("raw", "r1"), step("clean", "r2"), artifact("cleaned", "r2"), step("report", "r3", status), artifact("out", "r3"), step("plot", "r3")],
  edges: [
    { source: "raw", target: "clean" },
    { source: "clean", target: "cleaned" },
    { source: "cleaned", target: "report" },
    { source: "report", target: "out" },
    { source: "cleaned", target: "plot" },
    { source: "cleaned", target: "plot" },
    { source: "plot", target: "gone" },
  ],
});

describe("buildLineageModel", () => {
  it("drops repeated edges and edges to nodes the server left out", () => {
    const model = buildLineageModel(graph());
    expect(model.edges.map((e) => e.id)).toEqual(["raw->clean", "clean->cleaned", "cleaned->report", "report->out", "cleaned->plot"]);
  });

  it("counts hops from the root: producers negative, consumers positive", () => {
    const d = buildLineageModel(graph()).distance;
    expect(Object.fromEntries(d)).toEqual({ cleaned: 0, clean: -1, raw: -2, report: 1, plot: 1, out: 2 });
  });

  it("keys the layout on structure, so a status change reuses it", () => {
    expect(buildLineageModel(graph("running")).key).toBe(buildLineageModel(graph("completed")).key);
    const smaller = { ...graph(), nodes: graph().nodes.slice(0, 3) };
    expect(buildLineageModel(smaller).key).not.toBe(buildLineageModel(graph()).key);
  });

  it("asks the layout for each node's box by kind", () => {
    const req = lineageLayoutRequest(buildLineageModel(graph()));
    expect(req.nodes.find((n) => n.id === "raw")).toMatchObject(LINEAGE_SIZES.artifact);
    expect(req.nodes.find((n) => n.id === "clean")).toMatchObject(LINEAGE_SIZES.step);
    expect(req.order).toEqual([]);
  });

  it("counts the runs a graph spans, not counting uploads", () => {
    expect(runCount(graph())).toBe(3);
    expect(runCount({ root: "u", nodes: [artifact("u", null)], edges: [], truncated: false })).toBe(0);
  });
});
