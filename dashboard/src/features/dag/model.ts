// Types only: this module also runs in the layout worker and in Node tests, where the API client cannot load.
import type { GraphStep, RunGraph, StepStatus } from "../../api/graph";
import { type FoldGroup, type Folding, foldSteps } from "./fold";

// Types, not interfaces: xyflow wants node data assignable to Record<string, unknown>.
export type StepNodeModel = {
  kind: "step";
  id: string;
  step: GraphStep;
  /** The expanded group this call belongs to, so it can be folded back. */
  groupId: string | undefined;
};

export type GroupNodeModel = {
  kind: "group";
  id: string;
  group: FoldGroup;
  members: GraphStep[];
  counts: Partial<Record<StepStatus, number>>;
};

export type ArtifactNodeModel = {
  kind: "artifact";
  /** `artifact:<producing node>/<output name>`. */
  id: string;
  producer: string;
  output: string;
  dataType: string;
  /** The version written, once produced (single producing step only). */
  version: number | null;
  /** How many folded calls write this output (1 for a single step). */
  count: number;
};

export type NodeModel = StepNodeModel | GroupNodeModel | ArtifactNodeModel;

export interface EdgeModel {
  id: string;
  source: string;
  target: string;
  /** `data` flows through an artifact; `after` is an explicit ordering dependency. */
  kind: "data" | "after";
  /** How many step-level edges were merged into this one (folded groups). */
  count: number;
}

export interface DagModel {
  nodes: NodeModel[];
  edges: EdgeModel[];
  /** Changes only when the drawn structure does (not on status changes): the layout cache key. */
  structureKey: string;
  folding: Folding;
}

export const artifactId = (producer: string, output: string) => `artifact:${producer}/${output}`;

/** Order statuses are shown in, worst first, so a failure is the first thing a group shows. */
export const STATUS_ORDER: StepStatus[] = ["failed", "crashed", "running", "initializing", "completed", "cached", "stopped", "skipped", "pending"];

/**
 * What the DAG draws for a run: step, group and artifact nodes and the edges between them, with
 * groups not in `expanded` folded. Pure, so the mapping is unit-tested without a browser.
 */
export function buildModel(graph: RunGraph, expanded: ReadonlySet<string>, folding: Folding = foldSteps(graph.steps)): DagModel {
  const byName = new Map(graph.steps.map((s) => [s.name, s]));
  const shown = (name: string): string => {
    const g = folding.groupOf.get(name);
    return g && !expanded.has(g) ? g : name;
  };

  const nodes: NodeModel[] = [];
  const nodeIndex = new Map<string, NodeModel>();
  const edges = new Map<string, EdgeModel>();
  const addEdge = (source: string, target: string, kind: EdgeModel["kind"]) => {
    if (source === target) return;
    const id = kind === "after" ? `after:${source}->${target}` : `${source}->${target}`;
    const e = edges.get(id);
    if (e) e.count++;
    else edges.set(id, { id, source, target, kind, count: 1 });
  };
  const addArtifact = (producer: string, output: string, dataType: string, version: number | null) => {
    const id = artifactId(producer, output);
    const existing = nodeIndex.get(id);
    if (existing?.kind === "artifact") {
      existing.count++;
      existing.version = null;
      return;
    }
    const a: ArtifactNodeModel = { kind: "artifact", id, producer, output, dataType, version, count: 1 };
    nodes.push(a);
    nodeIndex.set(id, a);
    if (byName.has(producer) || folding.groups.has(producer)) addEdge(producer, id, "data");
  };

  for (const step of graph.steps) {
    const at = shown(step.name);
    if (at === step.name) {
      const n: StepNodeModel = { kind: "step", id: step.name, step, groupId: folding.groupOf.get(step.name) };
      nodes.push(n);
      nodeIndex.set(n.id, n);
    } else {
      let g = nodeIndex.get(at);
      if (!g) {
        const group = folding.groups.get(at) as FoldGroup;
        g = { kind: "group", id: at, group, members: [], counts: {} };
        nodes.push(g);
        nodeIndex.set(at, g);
      }
      if (g.kind === "group") {
        g.members.push(step);
        const st: StepStatus = step.status ?? "pending";
        g.counts[st] = (g.counts[st] ?? 0) + 1;
      }
    }
    // Outputs nobody reads are drawn too: a pipeline's last outputs (the model, the report) matter most.
    for (const out of step.outputs ?? []) addArtifact(at, out.name, out.data_type, out.version ?? null);
  }

  for (const step of graph.steps) {
    const target = shown(step.name);
    for (const input of step.inputs ?? []) {
      const producer = byName.has(input.step) ? shown(input.step) : input.step;
      const id = artifactId(producer, input.output);
      // An input naming an output its producer did not declare still gets its artifact node.
      if (!nodeIndex.has(id)) addArtifact(producer, input.output, "?", null);
      addEdge(id, target, "data");
    }
    for (const a of step.after ?? []) if (byName.has(a)) addEdge(shown(a), target, "after");
  }

  const edgeList = [...edges.values()];
  const structureKey = hash(nodes.map((n) => `${n.kind[0]}${n.id}`).join("\n") + "\n\n" + edgeList.map((e) => e.id).join("\n"));
  return { nodes, edges: edgeList, structureKey, folding };
}

/** cyrb53: a fast 53-bit string hash; a collision would only reuse a wrong layout, never lose data. */
function hash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36) + ":" + s.length;
}
