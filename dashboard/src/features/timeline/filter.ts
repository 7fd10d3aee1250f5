import type { StepStatus } from "../../api/graph";
import type { CriticalPath } from "./criticalPath";
import type { TimelineModel, TimelineRow } from "./model";

/** The Timeline's status chips: each stands for the statuses a person would call by that name. */
export const STATUS_CHIPS = [
  { key: "completed", label: "completed", statuses: ["completed"] },
  { key: "failed", label: "failed", statuses: ["failed", "crashed"] },
  { key: "cached", label: "cached", statuses: ["cached"] },
  { key: "skipped", label: "skipped", statuses: ["skipped"] },
  { key: "running", label: "running", statuses: ["running", "initializing"] },
  { key: "stopped", label: "stopped", statuses: ["stopped"] },
  { key: "pending", label: "pending", statuses: ["pending"] },
] as const satisfies readonly { key: string; label: string; statuses: readonly StepStatus[] }[];

export type StatusChip = (typeof STATUS_CHIPS)[number]["key"];

const chipOf = new Map<StepStatus, StatusChip>(STATUS_CHIPS.flatMap((c) => c.statuses.map((s) => [s, c.key] as const)));

export function chipFor(status: StepStatus): StatusChip {
  return chipOf.get(status) ?? "pending";
}

export interface TimelineFilter {
  /** Part of a step's name (its call name or its step's name), any case; empty matches all. */
  query: string;
  /** The chips switched on; empty shows every status. */
  chips: ReadonlySet<StatusChip>;
}

export const NO_FILTER: TimelineFilter = { query: "", chips: new Set() };

/**
 * Whether a step's name or its step function's name contains `q` (already trimmed and lowercased).
 * The one rule for "find a step by name": the Timeline's search and the DAG's Find box share it.
 */
export function stepMatches(step: { name: string; step_name: string }, q: string): boolean {
  return step.name.toLowerCase().includes(q) || step.step_name.toLowerCase().includes(q);
}

export function isFiltering(f: TimelineFilter): boolean {
  return f.query.trim() !== "" || f.chips.size > 0;
}

/** How many rows each chip stands for, in chip order; chips with none are left out. */
export function chipCounts(model: TimelineModel): [StatusChip, number][] {
  const counts = new Map<StatusChip, number>();
  for (const row of model.rows) {
    const chip = chipFor(row.status);
    counts.set(chip, (counts.get(chip) ?? 0) + 1);
  }
  return STATUS_CHIPS.flatMap((c): [StatusChip, number][] => {
    const n = counts.get(c.key) ?? 0;
    return n ? [[c.key, n]] : [];
  });
}

/**
 * The rows the filter keeps, as a model of their own (re-indexed, dependencies on rows left out
 * dropped). The time axis stays the whole run's (origin, ends, the longest name), so filtering
 * never moves a bar: a step searched for is drawn where it was.
 */
export function filterTimeline(model: TimelineModel, f: TimelineFilter): TimelineModel {
  if (!isFiltering(f)) return model;
  const q = f.query.trim().toLowerCase();
  const kept = model.rows.filter(
    (r) => (f.chips.size === 0 || f.chips.has(chipFor(r.status))) && (!q || stepMatches(r.step, q)),
  );
  const newIndex = new Map<number, number>(kept.map((r, i) => [r.index, i]));
  const rows: TimelineRow[] = kept.map((r, i) => ({
    ...r,
    index: i,
    deps: r.deps.flatMap((d) => (newIndex.has(d) ? [newIndex.get(d) ?? 0] : [])),
  }));
  return { ...model, rows, byName: new Map(rows.map((r) => [r.name, r.index])) };
}

/** The critical path of the whole run, in the filtered model's indices (its steps that are shown). */
export function criticalIn(critical: CriticalPath, full: TimelineModel, shown: TimelineModel): CriticalPath {
  if (shown === full) return critical;
  const rows = critical.rows.flatMap((i) => {
    const name = full.rows[i]?.name;
    const at = name === undefined ? undefined : shown.byName.get(name);
    return at === undefined ? [] : [at];
  });
  return { ...critical, rows, members: new Set(rows) };
}
