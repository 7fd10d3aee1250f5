import type { GraphStep, RunGraph, StepStatus } from "../../api/graph";

// Kept here rather than imported from api/graph, which builds the API client (and needs `window`)
// on import: the layout stays a pure module that tests and workers load on their own.
const ACTIVE: ReadonlySet<string> = new Set(["initializing", "running"]);

export function isActive(status: string | null | undefined): boolean {
  return status != null && ACTIVE.has(status);
}

function stepStatus(step: GraphStep): StepStatus {
  return step.status ?? "pending";
}

/** The shortest axis (ms), for a run whose steps all took no measurable time (cache hits). */
const MIN_EXTENT_MS = 1;

/** One row of the Timeline: a step with its times parsed once, in display order. */
export interface TimelineRow {
  /** Position in display order. */
  index: number;
  name: string;
  step: GraphStep;
  status: StepStatus;
  /** Epoch ms, or NaN when the step has not started. */
  start: number;
  /** Epoch ms, or NaN while the step is still going (or never reported an end). */
  end: number;
  /** Rows this one waited for (its inputs' steps and its `after`), as display indices. */
  deps: number[];
}

/** A run's steps ready to draw: parsed, ordered, indexed. Built once per graph answer. */
export interface TimelineModel {
  rows: TimelineRow[];
  byName: Map<string, number>;
  /**
   * Time zero of the axis (epoch ms): the first step's start; NaN if nothing started. Not the run's
   * own start: its set-up before the first step is blank space, a sixth of a sub-second run's width.
   */
  origin: number;
  /** The run's own start (epoch ms) or NaN: what the run's total time is measured from. */
  runStart: number;
  /** The run's own end (epoch ms) or NaN. */
  runEnd: number;
  /** The latest end any step reported (epoch ms) or NaN. */
  lastEnd: number;
  /** The latest start or end any step reported (epoch ms) or NaN: "now" is never before it. */
  lastSeen: number;
  /** Whether the run is still going, so open bars grow to "now". */
  live: boolean;
  startedCount: number;
  pendingCount: number;
  /** Whether some started step has no end yet (its bar runs to the open end). */
  hasOpen: boolean;
  /** The longest name, to size the name column. */
  longestName: number;
}

function parse(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

/** Parse, order (by start, the not-yet-started last in plan order) and index a run's graph. */
export function buildTimeline(graph: RunGraph): TimelineModel {
  const parsed = graph.steps.map((step, order) => ({ step, order, start: parse(step.started_at), end: parse(step.ended_at) }));
  parsed.sort((a, b) => {
    const as = Number.isNaN(a.start);
    const bs = Number.isNaN(b.start);
    if (as || bs) return as === bs ? a.order - b.order : as ? 1 : -1;
    return a.start - b.start || a.order - b.order;
  });
  const byName = new Map<string, number>();
  parsed.forEach((p, i) => byName.set(p.step.name, i));

  let origin = Number.NaN;
  let lastEnd = Number.NaN;
  let lastSeen = Number.NaN;
  let startedCount = 0;
  let longestName = 0;
  let hasOpen = false;
  const rows: TimelineRow[] = parsed.map((p, index) => {
    if (!Number.isNaN(p.start)) {
      startedCount++;
      if (!(origin <= p.start)) origin = p.start;
    }
    if (!Number.isNaN(p.end) && !(lastEnd >= p.end)) lastEnd = p.end;
    if (!Number.isNaN(p.start) && !(lastSeen >= p.start)) lastSeen = p.start;
    else if (Number.isNaN(p.end) && !Number.isNaN(p.start)) hasOpen = true;
    if (p.step.name.length > longestName) longestName = p.step.name.length;
    const deps = new Set<number>();
    for (const input of p.step.inputs ?? []) {
      const d = byName.get(input.step);
      if (d !== undefined && d !== index) deps.add(d);
    }
    for (const after of p.step.after ?? []) {
      const d = byName.get(after);
      if (d !== undefined && d !== index) deps.add(d);
    }
    return { index, name: p.step.name, step: p.step, status: stepStatus(p.step), start: p.start, end: p.end, deps: [...deps] };
  });
  return {
    rows,
    byName,
    origin,
    runStart: parse(graph.started_at),
    runEnd: parse(graph.ended_at),
    lastEnd,
    lastSeen: Number.isNaN(lastEnd) || lastSeen > lastEnd ? lastSeen : lastEnd,
    live: isActive(graph.status),
    startedCount,
    pendingCount: rows.length - startedCount,
    hasOpen,
    longestName,
  };
}

/**
 * Where an open bar ends: "now" while the run is going; once it ended, at the run's end (a step
 * left "running" by a crash did not run on forever).
 */
export function openEnd(model: TimelineModel, now: number): number {
  // The browser's clock may lag the server's: a running bar still ends after everything the server saw.
  if (model.live) return Number.isNaN(model.lastSeen) ? now : Math.max(now, model.lastSeen);
  if (!Number.isNaN(model.runEnd)) return model.runEnd;
  if (!Number.isNaN(model.lastEnd)) return model.lastEnd;
  return now;
}

/** A row's bar end (epoch ms): its end, else the open end while it runs, else its start (a marker). */
export function barEnd(row: TimelineRow, open: number): number {
  if (!Number.isNaN(row.end)) return Math.max(row.end, row.start);
  if (Number.isNaN(row.start)) return Number.NaN;
  return isActive(row.status) ? Math.max(open, row.start) : row.start;
}

/**
 * The time the axis must span (ms from origin): to the last bar's end, so a 0.3 s run spreads its
 * bars over the chart like a 3 h one (the ticks go down to milliseconds). A finished run's own end
 * counts only when no step reported one: the run's closing bookkeeping after its last step is blank
 * space, and in a sub-second run it took a third of the width. Never zero: a run whose steps all
 * took no measurable time still gets an axis.
 */
export function extentOf(model: TimelineModel, now: number): number {
  if (Number.isNaN(model.origin)) return 1000;
  const open = openEnd(model, now);
  let last = model.origin;
  if (!Number.isNaN(model.lastEnd)) last = Math.max(last, model.lastEnd);
  else if (!Number.isNaN(model.runEnd)) last = Math.max(last, model.runEnd);
  if (model.live) last = Math.max(last, open);
  else if (model.hasOpen) last = Math.max(last, open);
  return Math.max(MIN_EXTENT_MS, last - model.origin);
}

/** How long the run has taken (ms): to its end, or to the open end while it goes; 0 before it starts. */
export function runSpan(model: TimelineModel, now: number): number {
  if (Number.isNaN(model.origin)) return 0;
  const start = model.runStart <= model.origin ? model.runStart : model.origin;
  const end = model.live ? openEnd(model, now) : Number.isNaN(model.runEnd) ? model.lastEnd : model.runEnd;
  return Number.isNaN(end) ? 0 : Math.max(0, end - start);
}
