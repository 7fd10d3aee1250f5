import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { isLive } from "./events";
import type { components } from "./schema";

export type Run = components["schemas"]["RunRead"];
export type RunsPage = components["schemas"]["Page_RunRead_"];
export type ExecutionStatus = components["schemas"]["ExecutionStatus"];

const ACTIVE = new Set<ExecutionStatus>(["initializing", "running"]);

export interface RunsListParams {
  q: string;
  sort?: string | undefined;
  page: number;
  size: number;
}

/** Query keys for runs: everything under `all` is invalidated together. */
export const runKeys = {
  all: ["runs"] as const,
  lists: () => [...runKeys.all, "list"] as const,
  list: (params: RunsListParams) => [...runKeys.lists(), params] as const,
  details: () => [...runKeys.all, "detail"] as const,
  detail: (run: string) => [...runKeys.details(), run] as const,
};

export const runQueries = {
  list: (params: RunsListParams) =>
    queryOptions({
      queryKey: runKeys.list(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/runs", {
            params: {
              query: {
                q: params.q,
                page: params.page,
                size: params.size,
                ...(params.sort ? { sort: params.sort } : {}),
              },
            },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
      // Status changes arrive by the event stream; poll only while it is down and a listed run is going.
      refetchInterval: (query) => (!isLive() && query.state.data?.items.some((r) => ACTIVE.has(r.status)) ? 3000 : false),
    }),
  /** Stored values of a filter key beginning with `prefix`, for the search box. */
  suggest: (key: string, prefix: string) =>
    queryOptions({
      queryKey: [...runKeys.all, "suggest", key, prefix] as const,
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/runs/suggest", { params: { query: { key, prefix, limit: 20 } }, signal })).values,
      staleTime: 30_000,
    }),
  detail: (run: string) =>
    queryOptions({
      queryKey: runKeys.detail(run),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/runs/{run}", { params: { path: { run } }, signal })),
      refetchInterval: (query) => (!isLive() && query.state.data && ACTIVE.has(query.state.data.status) ? 3000 : false),
    }),
};
