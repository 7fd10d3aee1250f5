import type { GraphStep } from "../../api/graph";

/**
 * Fewest calls that fold into one group node. Five keeps a hand-written pipeline with a few
 * parallel variants (say three model families) drawn call by call, while any real fan-out
 * (a sweep, a per-shard map) folds.
 */
export const FOLD_MIN = 5;

/** Calls of one step that share their upstream steps, drawn as one node until expanded. */
export interface FoldGroup {
  /** `group:<step_name>:<parent key>`, the parent key being the sorted upstream node ids joined by ",". */
  id: string;
  stepName: string;
  parentKey: string;
  /** Invocation names, in the graph's order. */
  members: string[];
}

export interface Folding {
  groups: Map<string, FoldGroup>;
  /** The group each folded step belongs to; steps that do not fold are absent. */
  groupOf: Map<string, string>;
}

/** A step's upstream steps: the producers of its inputs and its explicit `after` steps. */
export function upstreamOf(step: GraphStep, known: ReadonlySet<string>): string[] {
  const up = new Set<string>();
  for (const input of step.inputs ?? []) if (known.has(input.step) && input.step !== step.name) up.add(input.step);
  for (const a of step.after ?? []) if (known.has(a) && a !== step.name) up.add(a);
  return [...up];
}

/**
 * Which steps fold together. Calls of the same step whose upstream steps are the same fold into
 * one group when there are at least `min` of them. Upstream steps are compared as they are drawn
 * folded: the 500 `evaluate` calls that each read one of 500 folded `train` calls share the parent
 * `group:train:…`, so a map over a fan-out folds into a chain of groups rather than 500 rows.
 *
 * Group ids depend only on the structure (never on which groups the user expanded), so expanding
 * one group keeps every other group and its id.
 */
export function foldSteps(steps: readonly GraphStep[], min = FOLD_MIN): Folding {
  const names = new Set(steps.map((s) => s.name));
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const s of steps) {
    const parents = upstreamOf(s, names);
    up.set(s.name, parents);
    for (const p of parents) {
      const list = down.get(p);
      if (list) list.push(s.name);
      else down.set(p, [s.name]);
    }
  }

  // Longest-path depth: calls that can share a group always sit at the same depth (same
  // upstream nodes, by induction), so each depth can be grouped once all shallower ones are.
  const indegree = new Map<string, number>();
  for (const s of steps) indegree.set(s.name, up.get(s.name)?.length ?? 0);
  const depth = new Map<string, number>();
  const queue: string[] = [];
  for (const s of steps) {
    if (indegree.get(s.name) !== 0) continue;
    queue.push(s.name);
    depth.set(s.name, 0);
  }
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i] as string;
    const d = depth.get(n) ?? 0;
    for (const c of down.get(n) ?? []) {
      depth.set(c, Math.max(depth.get(c) ?? 0, d + 1));
      const left = (indegree.get(c) ?? 0) - 1;
      indegree.set(c, left);
      if (left === 0) queue.push(c);
    }
  }

  const levels: GraphStep[][] = [];
  for (const s of steps) {
    // A step on a cycle (which a valid run never has) never reaches indegree 0: it stays unfolded.
    if (indegree.get(s.name) !== 0) continue;
    const d = depth.get(s.name) ?? 0;
    (levels[d] ??= []).push(s);
  }

  const groups = new Map<string, FoldGroup>();
  const groupOf = new Map<string, string>();
  const rep = (name: string) => groupOf.get(name) ?? name;
  for (const level of levels) {
    if (!level) continue;
    const buckets = new Map<string, { stepName: string; parentKey: string; members: string[] }>();
    for (const s of level) {
      const parentKey = [...new Set((up.get(s.name) ?? []).map(rep))].sort().join(",");
      const key = `${s.step_name}\u0000${parentKey}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.members.push(s.name);
      else buckets.set(key, { stepName: s.step_name, parentKey, members: [s.name] });
    }
    for (const b of buckets.values()) {
      if (b.members.length < min) continue;
      const id = `group:${b.stepName}:${b.parentKey}`;
      groups.set(id, { id, stepName: b.stepName, parentKey: b.parentKey, members: b.members });
      for (const m of b.members) groupOf.set(m, id);
    }
  }
  return { groups, groupOf };
}
