// Pure: what a step run's record says about how it ended and about its cache, for the panel to word.
// Typed structurally (not on StepRun) so tests and other views can pass any record with these fields.

interface Ended {
  status: string;
  error_message?: string | null;
  error_type?: string | null;
  traceback?: string | null;
}

/** Why a step did not run although nothing went wrong in it: skipped after an upstream failure, or stopped. */
export interface NotRun {
  kind: "skipped" | "stopped";
  /** The upstream step whose failure (or skip) made this one skip, when the record names it. */
  upstream: string | null;
  /** What happened to that step ("failed", "skipped", "crashed" …), when recorded. */
  upstreamStatus: string | null;
  /** The recorded reason, verbatim, for a record that names no upstream step. */
  message: string | null;
}

// The runner records "Skipped: upstream step 'NAME' STATUS." (execution/orchestrators/base.py).
const SKIPPED = /upstream step '([^']+)' ([a-z ]+?)\.?$/i;

/**
 * A step that did not run for a reason outside it (skipped, or stopped with the run) is not an
 * error: the panel says why neutrally instead of in a red box. Undefined for every other step.
 */
export function notRun(step: Ended): NotRun | undefined {
  if (step.status === "skipped") {
    const m = SKIPPED.exec(step.error_message ?? "");
    return { kind: "skipped", upstream: m?.[1] ?? null, upstreamStatus: m?.[2] ?? null, message: m ? null : (step.error_message ?? null) };
  }
  // A step stopped with its run has no traceback; one that raised while stopping keeps its error box.
  if (step.status === "stopped" && !step.traceback && !step.error_type) {
    return { kind: "stopped", upstream: null, upstreamStatus: null, message: step.error_message ?? null };
  }
  return undefined;
}

interface CacheRecord {
  status: string;
  cache_key?: string | null;
  cache_miss_reason?: string | null;
  cached_from_run_id?: string | null;
  cached_from_step_run_id?: string | null;
}

/** How the cache treated a step, as recorded. */
export type CacheState =
  | { kind: "hit"; runId: string | null; stepRunId: string | null }
  | { kind: "disabled" }
  | { kind: "miss"; reason: string }
  | { kind: "not-checked" }
  | { kind: "unknown" };

// The runner's wording for a step with caching off (execution/runner.py).
const DISABLED = /^caching is disabled/i;

export function cacheState(step: CacheRecord): CacheState {
  if (step.status === "cached" || step.cached_from_run_id || step.cached_from_step_run_id) {
    return { kind: "hit", runId: step.cached_from_run_id ?? null, stepRunId: step.cached_from_step_run_id ?? null };
  }
  const reason = step.cache_miss_reason?.trim();
  if (reason && DISABLED.test(reason)) return { kind: "disabled" };
  if (reason) return { kind: "miss", reason };
  // Skipped or stopped before the cache was looked at: neither a hit nor a miss.
  if (step.status === "skipped" || step.status === "stopped" || step.status === "pending") return { kind: "not-checked" };
  return { kind: step.cache_key ? "unknown" : "disabled" };
}
