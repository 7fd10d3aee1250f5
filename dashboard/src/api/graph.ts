import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { takeEarly } from "./early";
import { isLive } from "./events";
import { activeProject } from "./project";
import type { components } from "./schema";

export type RunGraph = components["schemas"]["RunGraph"];
export type GraphStep = components["schemas"]["GraphStep"];
export type GraphInput = components["schemas"]["GraphInput"];
export type GraphOutput = components["schemas"]["GraphOutput"];
/** A step's status as drawn: the server's status, or "pending" before it starts. */
export type StepStatus = NonNullable<GraphStep["status"]> | "pending";

const ACTIVE = new Set(["initializing", "running"]);

export const graphKeys = {
  all: ["graph"] as const,
  detail: (run: string) => [...graphKeys.all, run] as const,
};

export function stepStatus(step: GraphStep): StepStatus {
  return step.status ?? "pending";
}

export function isActive(status: string | null | undefined): boolean {
  return status != null && ACTIVE.has(status);
}

export const graphQueries = {
  /**
   * A run's DAG (planned steps + status + artifacts); step events refresh it, or polling while the event stream is down.
   * Fresh for ten seconds: a view mounting beside the run page (a step's panel) takes the graph it already has
   * instead of reading a 10,000-step run's 5 MB again.
   */
  detail: (run: string) =>
    queryOptions({
      queryKey: graphKeys.detail(run),
      queryFn: async ({ signal }) =>
        (await takeEarly<RunGraph>("graph", run, activeProject())) ??
        unwrap(await api.GET("/api/v1/runs/{run}/graph", { params: { path: { run } }, signal })),
      refetchInterval: (query) => (!isLive() && isActive(query.state.data?.status) ? 5000 : false),
      staleTime: 10_000,
    }),
};
