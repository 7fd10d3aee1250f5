import { type TimelineModel, barEnd, openEnd } from "./model";

/** The chain of steps that set a run's total time, first to last. */
export interface CriticalPath {
  /** Display indices of the chain's rows, in run order (first step first). */
  rows: number[];
  /** The same, as a set, for per-row lookups while drawing. */
  members: Set<number>;
  /** From the chain's first start to its last end (ms). */
  span: number;
  /** Time the chain's steps spent running (ms); the rest of the span was waiting. */
  busy: number;
}

export const NO_CRITICAL_PATH: CriticalPath = { rows: [], members: new Set(), span: 0, busy: 0 };

/**
 * The critical path: start at the step that ended last (a running step ends "now"), then walk back
 * through the dependency (an input's step or an `after`) that ended last, until a step waited for
 * nothing that ran. Shortening any other step would not have made the run end sooner.
 *
 * Steps that never started are not on it; a cached step is, when it is what the next step waited
 * for. Ties go to the step first in display order (the earlier start), so the answer is stable.
 */
export function criticalPath(model: TimelineModel, now: number): CriticalPath {
  const open = openEnd(model, now);
  let last = -1;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const row of model.rows) {
    const end = barEnd(row, open);
    if (end > lastEnd) {
      lastEnd = end;
      last = row.index;
    }
  }
  if (last < 0) return NO_CRITICAL_PATH;

  const chain = [last];
  const members = new Set(chain);
  let current = model.rows[last];
  while (current) {
    let next: number | undefined;
    let nextEnd = Number.NEGATIVE_INFINITY;
    for (const d of current.deps) {
      const dep = model.rows[d];
      if (!dep || members.has(d)) continue; // a cycle in a hand-made graph must not hang the page
      const end = barEnd(dep, open);
      if (end > nextEnd || (end === nextEnd && next !== undefined && d < next)) {
        nextEnd = end;
        next = d;
      }
    }
    if (next === undefined) break;
    chain.push(next);
    members.add(next);
    current = model.rows[next];
  }
  chain.reverse();

  let busy = 0;
  for (const i of chain) {
    const row = model.rows[i];
    if (row) busy += barEnd(row, open) - row.start;
  }
  const first = model.rows[chain[0] ?? last];
  return { rows: chain, members, span: first ? lastEnd - first.start : 0, busy };
}
