/**
 * How a pipeline's structure changed from one snapshot to the next. Steps are matched by
 * their invocation name (`name`, unique within a pipeline); a step whose code hash differs
 * "changed", one whose inputs or upstream ordering differ was "rewired".
 */

export interface SnapshotStep {
  name: string;
  stepName: string;
  sourceHash: string;
  /** Input name → "step.output", sorted, so two wirings compare as strings. */
  inputs: string[];
  after: string[];
}

export interface SnapshotLike {
  id: string;
  created_at: string;
  spec: Record<string, unknown>;
}

export interface Version<S extends SnapshotLike = SnapshotLike> {
  snapshot: S;
  /** 1 for the oldest. */
  number: number;
  steps: SnapshotStep[];
  /** The oldest snapshot has nothing to compare with: its steps are all "added". */
  initial: boolean;
  added: string[];
  removed: string[];
  changed: string[];
  rewired: string[];
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** The steps of a snapshot's spec, read defensively: the spec is stored JSON. */
export function stepsOf(spec: Record<string, unknown>): SnapshotStep[] {
  const raw = Array.isArray(spec.steps) ? (spec.steps as unknown[]) : [];
  const out: SnapshotStep[] = [];
  for (const item of raw) {
    if (typeof item !== "object" || item === null) continue;
    const s = item as Record<string, unknown>;
    const name = str(s.name);
    if (!name) continue;
    const inputs =
      typeof s.inputs === "object" && s.inputs !== null
        ? Object.entries(s.inputs as Record<string, unknown>)
            .map(([arg, src]) => {
              const ref = typeof src === "object" && src !== null ? (src as Record<string, unknown>) : {};
              return `${arg}=${str(ref.step)}.${str(ref.output)}`;
            })
            .sort()
        : [];
    const after = Array.isArray(s.after) ? s.after.filter((a): a is string => typeof a === "string").sort() : [];
    out.push({ name, stepName: str(s.step_name) || name, sourceHash: str(s.source_hash), inputs, after });
  }
  return out;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What changed from `before` to `after` (step names in each list, in `after`'s order). */
export function diffSteps(before: readonly SnapshotStep[], after: readonly SnapshotStep[]) {
  const old = new Map(before.map((s) => [s.name, s]));
  const now = new Set(after.map((s) => s.name));
  const added: string[] = [];
  const changed: string[] = [];
  const rewired: string[] = [];
  for (const s of after) {
    const o = old.get(s.name);
    if (!o) added.push(s.name);
    else {
      if (o.sourceHash !== s.sourceHash) changed.push(s.name);
      if (!same(o.inputs, s.inputs) || !same(o.after, s.after)) rewired.push(s.name);
    }
  }
  const removed = before.filter((s) => !now.has(s.name)).map((s) => s.name);
  return { added, removed, changed, rewired };
}

/** Snapshots oldest first, each with its changes against the one before. */
export function versions<S extends SnapshotLike>(snapshots: readonly S[]): Version<S>[] {
  const ordered = [...snapshots].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id.localeCompare(b.id));
  const out: Version<S>[] = [];
  let prev: SnapshotStep[] | undefined;
  ordered.forEach((snapshot, i) => {
    const steps = stepsOf(snapshot.spec);
    const d = prev ? diffSteps(prev, steps) : { added: steps.map((s) => s.name), removed: [], changed: [], rewired: [] };
    out.push({ snapshot, number: i + 1, steps, initial: !prev, ...d });
    prev = steps;
  });
  return out;
}
