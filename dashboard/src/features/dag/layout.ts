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
  /** Calls of an expanded group, in call order: drawn top to bottom in that order. */
  order: string[][];
}

export interface LayoutResult {
  key: string;
  /** Top-left corner of each node. */
  positions: Record<string, { x: number; y: number }>;
  ms: number;
  /** From the worker, for telling where the time went: ms from its start until ELK was loaded. */
  worker?: { loadedMs: number };
}

export function layoutRequest(model: DagModel): LayoutRequest {
  return {
    key: model.structureKey,
    nodes: model.nodes.map((n) => ({ id: n.id, ...SIZES[n.kind] })),
    edges: model.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
    order: model.nodes.flatMap((n) => (n.kind === "step" && n.groupId ? [n.groupId] : []))
      .filter((g, i, all) => all.indexOf(g) === i)
      .map((g) => model.folding.groups.get(g)?.members ?? []),
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
  keepCallOrder(req, positions);
  return { key: req.key, positions, ms: performance.now() - t0 };
}

/**
 * Puts an expanded group's calls back in call order (train_1 above train_2 …), each carrying the
 * artifacts only it writes. ELK can keep model order itself, but that costs 30–70 s at 1,000
 * nodes; calls of one group are interchangeable to the crossing count, so permuting their rows
 * afterwards is free and changes no crossing that matters (two expanded groups in a chain are
 * both sorted by call order, so their rows still line up).
 */
export function keepCallOrder(req: LayoutRequest, positions: LayoutResult["positions"]): void {
  const outs = new Map<string, string[]>();
  const indegree = new Map<string, number>();
  for (const e of req.edges) {
    const list = outs.get(e.source);
    if (list) list.push(e.target);
    else outs.set(e.source, [e.target]);
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  }
  for (const ids of req.order) {
    const placed = ids.filter((id) => positions[id]);
    const first = placed[0] && positions[placed[0]];
    if (!first || placed.length < 2 || !placed.every((id) => positions[id]?.x === first.x)) continue;
    const slots = placed.map((id) => positions[id]?.y ?? 0).sort((a, b) => a - b);
    const moves = placed.map((id, i) => [id, (slots[i] ?? 0) - (positions[id]?.y ?? 0)] as const);
    for (const [id, dy] of moves) {
      if (dy === 0) continue;
      for (const n of [id, ...(outs.get(id) ?? []).filter((t) => t.startsWith("artifact:") && indegree.get(t) === 1)]) {
        const p = positions[n];
        if (p) positions[n] = { x: p.x, y: p.y + dy };
      }
    }
  }
}
