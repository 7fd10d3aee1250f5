/** The structural diff of two runs as one graph: every step of either run, every edge of either, marked. */
import type { LayoutRequest } from "../dag/layout";

export type StepChange = "added" | "removed" | "rewired" | "changed" | "same";
export type EdgeState = "added" | "removed" | "kept";

interface StepLike {
  name: string;
  change: StepChange;
  code_changed: boolean;
  inputs_before?: Record<string, string>;
  inputs_after?: Record<string, string>;
  after_before?: string[];
  after_after?: string[];
  cache: { flipped: boolean };
}

export interface DiffNode {
  id: string;
  change: StepChange;
  codeChanged: boolean;
  cacheFlipped: boolean;
}

export interface DiffEdge {
  id: string;
  source: string;
  target: string;
  state: EdgeState;
  /** `output → input`, or `after` for an ordering edge. */
  label: string;
}

/** The upstream step of an input's source (`step.output`); an external artifact (`artifact:ID`) has none. */
function upstream(source: string, steps: ReadonlySet<string>): { step: string; output: string } | undefined {
  if (source.startsWith("artifact:")) return undefined;
  // Step names may hold dots: the longest known step name that prefixes the source wins.
  let best: string | undefined;
  for (let i = source.indexOf("."); i >= 0; i = source.indexOf(".", i + 1)) {
    const step = source.slice(0, i);
    if (steps.has(step)) best = step;
  }
  return best === undefined ? undefined : { step: best, output: source.slice(best.length + 1) };
}

function edgesOf(step: StepLike, side: "before" | "after", steps: ReadonlySet<string>): Map<string, DiffEdge> {
  const out = new Map<string, DiffEdge>();
  const inputs = (side === "before" ? step.inputs_before : step.inputs_after) ?? {};
  for (const [input, source] of Object.entries(inputs)) {
    const from = upstream(source, steps);
    if (!from) continue;
    const id = `${from.step}:${from.output}->${step.name}:${input}`;
    out.set(id, { id, source: from.step, target: step.name, state: "kept", label: `${from.output} → ${input}` });
  }
  for (const before of (side === "before" ? step.after_before : step.after_after) ?? []) {
    const id = `${before}->${step.name}:after`;
    out.set(id, { id, source: before, target: step.name, state: "kept", label: "after" });
  }
  return out;
}

/** Nodes and edges of both runs; an edge only in the before run is removed, only in the after run added. */
export function diffGraph(steps: readonly StepLike[]): { nodes: DiffNode[]; edges: DiffEdge[] } {
  const names = new Set(steps.map((s) => s.name));
  const nodes = steps.map((s) => ({ id: s.name, change: s.change, codeChanged: s.code_changed, cacheFlipped: s.cache.flipped }));
  const before = new Map<string, DiffEdge>();
  const after = new Map<string, DiffEdge>();
  for (const s of steps) {
    for (const [id, e] of edgesOf(s, "before", names)) before.set(id, e);
    for (const [id, e] of edgesOf(s, "after", names)) after.set(id, e);
  }
  const edges: DiffEdge[] = [];
  for (const [id, e] of after) edges.push({ ...e, state: before.has(id) ? "kept" : "added" });
  for (const [id, e] of before) if (!after.has(id)) edges.push({ ...e, state: "removed" });
  return { nodes, edges };
}

export const NODE_SIZE = { width: 210, height: 58 };

/** What the layout worker needs; parallel edges between two steps are one for the layout. */
export function diffLayoutRequest(graph: { nodes: DiffNode[]; edges: DiffEdge[] }): LayoutRequest {
  const seen = new Set<string>();
  const edges = graph.edges.filter((e) => {
    const key = `${e.source}->${e.target}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const key = `diff|${graph.nodes.map((n) => n.id).join(",")}|${edges.map((e) => `${e.source}>${e.target}`).join(",")}`;
  return {
    key,
    nodes: graph.nodes.map((n) => ({ id: n.id, ...NODE_SIZE })),
    edges: edges.map((e) => ({ id: `${e.source}->${e.target}`, source: e.source, target: e.target })),
    order: [],
  };
}

/** Unified diff lines with what each is: a file header, a hunk header, an added, removed or context line. */
export function diffLines(text: string): { kind: "file" | "hunk" | "add" | "del" | "ctx"; text: string }[] {
  if (!text) return [];
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => {
      if (line.startsWith("+++") || line.startsWith("---")) return { kind: "file" as const, text: line };
      if (line.startsWith("@@")) return { kind: "hunk" as const, text: line };
      if (line.startsWith("+")) return { kind: "add" as const, text: line };
      if (line.startsWith("-")) return { kind: "del" as const, text: line };
      return { kind: "ctx" as const, text: line };
    });
}
