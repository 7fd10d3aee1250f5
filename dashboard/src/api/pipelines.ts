import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

export type Pipeline = components["schemas"]["PipelineRead"];
export type PipelinesPage = components["schemas"]["Page_PipelineRead_"];
export type Snapshot = components["schemas"]["SnapshotRead"];

export interface PipelinesListParams {
  q: string;
  sort?: string | undefined;
  page: number;
  size: number;
}

/** Query keys for pipelines: a run event invalidates `all` (run counts, latest status). */
export const pipelineKeys = {
  all: ["pipelines"] as const,
  lists: () => [...pipelineKeys.all, "list"] as const,
  list: (params: PipelinesListParams) => [...pipelineKeys.lists(), params] as const,
  detail: (pipeline: string) => [...pipelineKeys.all, "detail", pipeline] as const,
  snapshots: (pipeline: string) => [...pipelineKeys.all, "snapshots", pipeline] as const,
};

/** Snapshots are few (one per structure); this many covers any real pipeline's history. */
const SNAPSHOT_PAGE = 1000;

export const pipelineQueries = {
  list: (params: PipelinesListParams) =>
    queryOptions({
      queryKey: pipelineKeys.list(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/pipelines", {
            params: { query: { q: params.q, page: params.page, size: params.size, ...(params.sort ? { sort: params.sort } : {}) } },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** Every pipeline name, for suggestions and the command palette; cached a while. */
  names: () =>
    queryOptions({
      queryKey: [...pipelineKeys.all, "names"] as const,
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/pipelines", { params: { query: { size: 1000, sort: "name" } }, signal })).items.map((p) => p.name),
      staleTime: 60_000,
    }),
  detail: (pipeline: string) =>
    queryOptions({
      queryKey: pipelineKeys.detail(pipeline),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/pipelines/{pipeline}", { params: { path: { pipeline } }, signal })),
    }),
  snapshots: (pipeline: string) =>
    queryOptions({
      queryKey: pipelineKeys.snapshots(pipeline),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/pipelines/{pipeline}/snapshots", {
            params: { path: { pipeline }, query: { size: SNAPSHOT_PAGE } },
            signal,
          }),
        ),
    }),
};
