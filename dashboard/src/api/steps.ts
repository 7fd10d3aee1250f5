import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { isActive } from "./graph";
import { isLive } from "./events";
import type { components } from "./schema";

export type StepRun = components["schemas"]["StepRunRead"];
export type ArtifactVersion = components["schemas"]["ArtifactVersionRead"];
export type MetadataEntry = components["schemas"]["MetadataRead"];

/** Keys under ["steps", run] are refreshed by the app's event stream when a step of that run changes. */
export const stepKeys = {
  all: ["steps"] as const,
  detail: (run: string, step: string) => [...stepKeys.all, run, step] as const,
  metadata: (run: string, stepRunId: string) => [...stepKeys.all, run, "metadata", stepRunId] as const,
  byId: (id: string) => ["step-runs", id] as const,
  version: (id: string) => ["artifact-versions", id] as const,
};

export const stepQueries = {
  /** One step run of a run; polled while it runs and the event stream is down. */
  detail: (run: string, step: string) =>
    queryOptions({
      queryKey: stepKeys.detail(run, step),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/runs/{run}/steps/{step}", { params: { path: { run, step } }, signal })),
      refetchInterval: (query) => (!isLive() && isActive(query.state.data?.status) ? 3000 : false),
    }),
  /** A step run by id: how an input's producer is named. */
  byId: (id: string) =>
    queryOptions({
      queryKey: stepKeys.byId(id),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/step-runs/{step_run_id}", { params: { path: { step_run_id: id } }, signal })),
      staleTime: Infinity, // a finished producer does not change name or run
    }),
  version: (id: string) =>
    queryOptions({
      queryKey: stepKeys.version(id),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/artifact-versions/{version}", { params: { path: { version: id } }, signal })),
      staleTime: 60_000,
    }),
  /** Metadata logged against the step run (the first 200 entries). */
  metadata: (run: string, stepRunId: string) =>
    queryOptions({
      queryKey: stepKeys.metadata(run, stepRunId),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/metadata", { params: { query: { step_run_id: stepRunId, size: 200 } }, signal }),
        ),
    }),
};
