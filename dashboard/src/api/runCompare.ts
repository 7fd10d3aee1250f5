import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { takeEarly } from "./early";
import { activeProject } from "./project";
import { runKeys } from "./runs";
import type { components } from "./schema";

export type RunComparison = components["schemas"]["RunComparison"];
export type RunComparisonRow = components["schemas"]["RunComparisonRow"];
export type ComparedRun = components["schemas"]["ComparedRun"];

async function fetchComparison(runs: readonly string[], signal?: AbortSignal): Promise<RunComparison> {
  const early = await takeEarly<RunComparison>("compare", runs.join(","), activeProject());
  if (early) return early;
  return unwrap(await api.GET("/api/v1/runs/compare", { params: { query: { runs: runs.join(",") } }, signal }));
}

// Comparisons asked for as the page's route opened, before its code had loaded; each is taken once.
const early = new Map<string, Promise<RunComparison>>();

/**
 * Starts fetching a comparison from the route, in parallel with the page's code: a hundred runs take
 * the server a few hundred milliseconds, and the page's chunk as long again to arrive.
 */
export function prefetchComparison(runs: readonly string[]): void {
  const key = runs.join(",");
  if (!runs.length || early.has(key)) return;
  if (early.size >= 4) early.clear();
  const pending = fetchComparison(runs);
  pending.catch(() => undefined); // a prefetch nobody takes must not be an unhandled rejection
  early.set(key, pending);
}

export const runCompareQueries = {
  /** Runs side by side: a row per attribute (run facts, parameters, metrics, metadata, steps, artifacts, snapshot). */
  compare: (runs: readonly string[]) =>
    queryOptions({
      queryKey: [...runKeys.all, "compare", runs] as const,
      queryFn: ({ signal }) => {
        const key = runs.join(",");
        const started = early.get(key);
        early.delete(key);
        return started ?? fetchComparison(runs, signal);
      },
      enabled: runs.length > 0,
      staleTime: 10_000,
    }),
};
