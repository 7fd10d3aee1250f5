import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { runKeys } from "./runs";
import type { components } from "./schema";

export type RunDiff = components["schemas"]["RunDiff"];
export type StepDiff = components["schemas"]["StepDiff"];
export type ValueChange = components["schemas"]["ValueChange"];

export const runDiffQueries = {
  /** What changed from `before` to `after`: steps, wiring, code, parameters, configuration, stack, cache outcomes. */
  diff: (before: string, after: string) =>
    queryOptions({
      queryKey: [...runKeys.all, "diff", before, after] as const,
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/runs/{run}/diff/{other}", { params: { path: { run: before, other: after } }, signal })),
      enabled: !!before && !!after,
      staleTime: 10_000,
    }),
  /** The newest successful run of the same pipeline before `run`. */
  lastSuccessful: (run: string) =>
    queryOptions({
      queryKey: [...runKeys.detail(run), "last-successful"] as const,
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/runs/{run}/last-successful", { params: { path: { run } }, signal })),
      retry: false,
    }),
};
