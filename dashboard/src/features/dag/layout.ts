import type { ELK, ElkNode } from "elkjs/lib/elk-api";

import type { DagModel } from "./model";

/** Node boxes are fixed, so the layout needs no measuring pass before it can run. */
export const SIZES = {
  step: { width: 210, height: 66 },
  group: { width: 250, height: 78 },
  artifact: { width: 170, height: 28 },
} as const;

/** What crosses to the layout worker: boxes and edges only, nothing the layout does not need. */
export interface LayoutRequest {
  key: string;
  nodes: { id: string; width: number; height: number }[];
  edges: { id: string; source: string; target: string }[];
}

export interface LayoutResult {
  key: string;
  /** Top-left corner of each node. */
  positions: Record<string, { x: number; y: number }>;
  ms: number;
}

export function layoutRequest(model: DagModel): LayoutRequest {
  return {
    key: model.structureKey,
    nodes: model.nodes.map((n) => ({ id: n.id, ...SIZES[n.kind] })),
    edges: model.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}

/**
 * Layered, left to right: an ML pipeline reads as data → features → model → evaluation, and node
 * labels (call names, durations, artifact types) are wide and short, so parallel branches stack as
 * rows and the screen's width carries the pipeline's length.
 *
 * Tuned for 1,000+ nodes, measured on the `benchGraph` fixture with every group expanded (2,000
 * nodes) in Node on a loaded 2-core machine: about 0.6–1.8 s with these options; 27–63 s with
 * `considerModelOrder` (any strategy), 16 s with longest-path layering (the unread outputs sink to
 * the last layer and every long edge becomes ~100 dummy nodes). Network-simplex layering (the
 * default) keeps edges short; a single crossing-minimisation pass and Brandes–Köpf placement are
 * enough for DAGs this regular. Edges are drawn by the view as curves between node sides, so
 * ELK's routes are unused and the cheapest router is asked for.
 */
export const LAYOUT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.thoroughness": "1",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.nodePlacement.bk.fixedAlignment": "BALANCED",
  "elk.edgeRouting": "POLYLINE",
  "elk.layered.spacing.nodeNodeBetweenLayers": "36",
  "elk.spacing.nodeNode": "14",
  // Splitting components costs more than it saves here: a run is nearly always one component.
  "elk.separateConnectedComponents": "false",
};

export async function runLayout(elk: ELK, req: LayoutRequest): Promise<LayoutResult> {
  const t0 = performance.now();
  const graph: ElkNode = {
    id: "root",
    layoutOptions: LAYOUT_OPTIONS,
    children: req.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: req.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const out = await elk.layout(graph);
  const positions: LayoutResult["positions"] = {};
  for (const c of out.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  return { key: req.key, positions, ms: performance.now() - t0 };
}
