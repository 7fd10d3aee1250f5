import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { takeEarly } from "./early";
import { isLive } from "./events";
import { activeProject } from "./project";
import type { components } from "./schema";

export type Run = components["schemas"]["RunRead"];
export type RunsPage = components["schemas"]["Page_RunRead_"];
export type ExecutionStatus = components["schemas"]["ExecutionStatus"];
export type RunColumnKeys = components["schemas"]["RunColumnKeys"];
export type RunSummary = components["schemas"]["RunSummary"];

const ACTIVE = new Set<ExecutionStatus>(["initializing", "running"]);

export interface RunsListParams {
  q: string;
  sort?: string | undefined;
  page: number;
  size: number;
  /** Parameter and metadata column keys whose values each run's `columns` should hold. */
  columns?: readonly string[] | undefined;
}

/** The most runs one export holds (the server's MAX_EXPORT_ROWS). */
export const MAX_EXPORT_ROWS = 1_000_000;

/**
 * The address of a CSV of every run matching `q`, in `sort` order, with these columns: the
 * server streams it as an attachment, so the browser saves it without holding it in memory.
 */
export function runsExportUrl(params: { q: string; sort?: string | undefined; columns: readonly string[] }): string {
  const query = new URLSearchParams({ q: params.q, columns: params.columns.join(",") });
  if (params.sort) query.set("sort", params.sort);
  // A link sends no headers: the project picked in the header goes in the query instead.
  const project = activeProject();
  if (project) query.set("project", project);
  return `${window.location.origin}/api/v1/runs/export?${query.toString()}`;
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
                ...(params.columns?.length ? { columns: params.columns.join(",") } : {}),
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
  /** The parameter names and metadata keys the newest runs matching `q` offer as columns. */
  columnKeys: (q: string) =>
    queryOptions({
      queryKey: [...runKeys.all, "column-keys", q] as const,
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/runs/columns", { params: { query: { q } }, signal })),
      staleTime: 30_000,
    }),
  /** A run's metadata (latest per key) and model version, for its header. */
  summary: (run: string) =>
    queryOptions({
      queryKey: [...runKeys.detail(run), "summary"] as const,
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/runs/{run}/summary", { params: { path: { run } }, signal })),
    }),
  detail: (run: string) =>
    queryOptions({
      queryKey: runKeys.detail(run),
      queryFn: async ({ signal }) =>
        (await takeEarly<Run>("run", run, activeProject())) ??
        unwrap(await api.GET("/api/v1/runs/{run}", { params: { path: { run } }, signal })),
      refetchInterval: (query) => (!isLive() && query.state.data && ACTIVE.has(query.state.data.status) ? 3000 : false),
    }),
};

/**
 * Stop a running run and its running steps (POST /runs/{run}/stop, needs run:update); its launcher
 * cancels them at its next heartbeat. A run that already ended answers 409 with a one-line reason.
 */
export async function stopRun(run: string, reason?: string): Promise<Run> {
  const body = reason?.trim() ? { reason: reason.trim() } : {};
  return unwrap(await api.POST("/api/v1/runs/{run}/stop", { params: { path: { run } }, body }));
}
