// Types only: pure code, tested in Node.
import type { LineageGraph, LineageNode } from "../../api/artifacts";
import type { LayoutRequest } from "../dag/layout";
import { SIZES } from "../dag/layout";

/**
 * Node boxes: a step as big as the DAG's; an artifact taller than the DAG's one-line pill,
 * since across runs it must say which run wrote it.
 */
export const LINEAGE_SIZES = { step: SIZES.step, artifact: { width: 250, height: 48 } } as const;

export interface LineageModel {
  nodes: LineageNode[];
  edges: { id: string; source: string; target: string }[];
  /** Hops from the root: negative upstream (producers), positive downstream (consumers). */
  distance: Map<string, number>;
  key: string;
}

/** Drops edges to nodes the answer left out (a truncated graph) and repeated edges. */
export function buildLineageModel(graph: LineageGraph): LineageModel {
  const ids = new Set(graph.nodes.map((n) => n.id));
  const seen = new Set<string>();
  const edges: LineageModel["edges"] = [];
  for (const e of graph.edges) {
    const id = `${e.source}->${e.target}`;
    if (!ids.has(e.source) || !ids.has(e.target) || seen.has(id) || e.source === e.target) continue;
    seen.add(id);
    edges.push({ id, source: e.source, target: e.target });
  }
  const distance = distancesFrom(graph.root, edges);
  // Ids only: a status change (a consumer still running) must not lay the graph out again.
  const key = `lineage:${graph.root}:${[...ids].sort().join(",")}|${edges.map((e) => e.id).sort().join(",")}`;
  return { nodes: graph.nodes, edges, distance, key };
}

/** Breadth-first both ways from the root: producers get negative hops, consumers positive. */
function distancesFrom(root: string, edges: LineageModel["edges"]): Map<string, number> {
  const out = new Map<string, string[]>();
  const inn = new Map<string, string[]>();
  for (const e of edges) {
    out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
    inn.set(e.target, [...(inn.get(e.target) ?? []), e.source]);
  }
  const distance = new Map<string, number>([[root, 0]]);
  for (const [next, sign] of [
    [inn, -1],
    [out, 1],
  ] as const) {
    let frontier = [root];
    for (let hop = 1; frontier.length > 0; hop++) {
      const following: string[] = [];
      for (const id of frontier)
        for (const n of next.get(id) ?? []) {
          if (distance.has(n)) continue;
          distance.set(n, sign * hop);
          following.push(n);
        }
      frontier = following;
    }
  }
  return distance;
}

export function lineageLayoutRequest(model: LineageModel): LayoutRequest {
  return {
    key: model.key,
    nodes: model.nodes.map((n) => ({ id: n.id, ...LINEAGE_SIZES[n.kind] })),
    edges: model.edges,
    order: [],
  };
}

/** How many runs the graph spans: worth saying when it crosses run boundaries. */
export function runCount(graph: LineageGraph): number {
  return new Set(graph.nodes.flatMap((n) => (n.run_id ? [n.run_id] : []))).size;
}
