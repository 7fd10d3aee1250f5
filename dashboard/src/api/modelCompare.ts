import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { modelKeys } from "./models";
import type { components } from "./schema";

export type ModelComparison = components["schemas"]["ModelComparison"];
export type ComparisonRow = components["schemas"]["ComparisonRow"];
export type ComparedVersion = components["schemas"]["ComparedVersion"];

export const compareKeys = {
  compare: (model: string, versions: readonly string[]) => [...modelKeys.all, "compare", model, versions] as const,
};

export const compareQueries = {
  /** Versions of a model side by side: a row per metric, parameter, metadata key, artifact and snapshot fact. */
  compare: (model: string, versions: readonly string[]) =>
    queryOptions({
      queryKey: compareKeys.compare(model, versions),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/models/{model}/compare", { params: { path: { model }, query: { versions: versions.join(",") } }, signal })),
      enabled: versions.length > 0,
    }),
};
