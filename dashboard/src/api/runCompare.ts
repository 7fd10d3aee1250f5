import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { runKeys } from "./runs";
import type { components } from "./schema";

export type RunComparison = components["schemas"]["RunComparison"];
export type RunComparisonRow = components["schemas"]["RunComparisonRow"];
export type ComparedRun = components["schemas"]["ComparedRun"];

export const runCompareQueries = {
  /** Runs side by side: a row per attribute (run facts, parameters, metrics, metadata, steps, artifacts, snapshot). */
  compare: (runs: readonly string[]) =>
    queryOptions({
      queryKey: [...runKeys.all, "compare", runs] as const,
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/runs/compare", { params: { query: { runs: runs.join(",") } }, signal })),
      enabled: runs.length > 0,
      staleTime: 10_000,
    }),
};
