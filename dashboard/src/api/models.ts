import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { PROJECT_HEADER } from "./project";
import type { components } from "./schema";

export type Model = components["schemas"]["ModelRead"];
export type ModelUpdate = components["schemas"]["ModelUpdate"];
export type ModelVersion = components["schemas"]["ModelVersionRead"];
export type ModelVersionTable = components["schemas"]["ModelVersionTable"];
export type ModelVersionRow = components["schemas"]["ModelVersionRow"];
export type ModelMetricKey = components["schemas"]["ModelMetricKey"];
export type ModelMetricSeries = components["schemas"]["ModelMetricSeries"];
export type ModelMetricPoint = components["schemas"]["ModelMetricPoint"];
export type ModelTransition = components["schemas"]["ModelStageTransitionRead"];
export type ModelStageChange = components["schemas"]["ModelStageChange"];
/** The stages a version can be put in (`latest` is not one). */
export type SettableStage = ModelStageChange["stage"];

export interface ModelsListParams {
  q: string;
  sort?: string | undefined;
  page: number;
  size: number;
}

export interface VersionsTableParams {
  q: string;
  sort?: string | undefined;
  page: number;
  size: number;
  /** Metric columns, in order; undefined: the server's default (the model's keys by name). */
  metrics?: readonly string[] | undefined;
}

/** Transitions per page of a model's history. */
export const HISTORY_PAGE = 50;

export const modelKeys = {
  all: ["models"] as const,
  lists: () => [...modelKeys.all, "list"] as const,
  list: (params: ModelsListParams) => [...modelKeys.lists(), params] as const,
  detail: (model: string) => [...modelKeys.all, "detail", model] as const,
  table: (model: string, params: VersionsTableParams) => [...modelKeys.all, "table", model, params] as const,
  series: (model: string, keys: readonly string[]) => [...modelKeys.all, "series", model, keys] as const,
  transitions: (model: string, page: number) => [...modelKeys.all, "transitions", model, page] as const,
};

export const modelQueries = {
  list: (params: ModelsListParams) =>
    queryOptions({
      queryKey: modelKeys.list(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/models", {
            params: { query: { q: params.q, page: params.page, size: params.size, ...(params.sort ? { sort: params.sort } : {}) } },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** Model names for filter suggestions; cached a while. */
  names: () =>
    queryOptions({
      queryKey: [...modelKeys.all, "names"] as const,
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models", { params: { query: { size: 1000, sort: "name" } }, signal })).items.map((m) => m.name),
      staleTime: 60_000,
    }),
  /** A model by name or id: its card, metric directions and stage holders. */
  detail: (model: string) =>
    queryOptions({
      queryKey: modelKeys.detail(model),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models/{model}", { params: { path: { model } }, signal })),
    }),
  /** A page of versions with metric columns, and every metric key of the model. */
  table: (model: string, params: VersionsTableParams) =>
    queryOptions({
      queryKey: modelKeys.table(model, params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/models/{model}/versions-table", {
            params: {
              path: { model },
              query: {
                q: params.q,
                page: params.page,
                size: params.size,
                ...(params.sort ? { sort: params.sort } : {}),
                ...(params.metrics ? { metrics: params.metrics.join(",") } : {}),
              },
            },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** Numeric values of `keys` across every version, oldest first. */
  series: (model: string, keys: readonly string[]) =>
    queryOptions({
      queryKey: modelKeys.series(model, keys),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/models/{model}/metric-series", { params: { path: { model }, query: { keys: keys.join(",") } }, signal })),
      enabled: keys.length > 0,
    }),
  transitions: (model: string, page: number) =>
    queryOptions({
      queryKey: modelKeys.transitions(model, page),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/models/{model}/transitions", { params: { path: { model }, query: { page, size: HISTORY_PAGE } }, signal })),
      placeholderData: keepPreviousData,
    }),
};

/** Put a version in a stage; `force` archives the version holding staging or production now. */
export async function setVersionStage(model: string, version: string, change: { stage: SettableStage; force?: boolean; reason?: string }): Promise<ModelVersion> {
  const body: ModelStageChange = { stage: change.stage, force: !!change.force, ...(change.reason?.trim() ? { reason: change.reason.trim() } : {}) };
  return unwrap(await api.PUT("/api/v1/models/{model}/versions/{version}/stage", { params: { path: { model, version } }, body }));
}

/** Change the card sections sent (null clears one). */
export async function updateModel(model: string, change: ModelUpdate): Promise<Model> {
  return unwrap(await api.PATCH("/api/v1/models/{model}", { params: { path: { model } }, body: change }));
}

// -- a model's settings: its approval policy and metric directions ----------------------------------

export type ModelApprovalPolicy = components["schemas"]["ApprovalPolicy"];
export type ModelApprovalPolicyUpdate = components["schemas"]["ModelApprovalPolicyUpdate"];
export type MetricDirection = "higher" | "lower";

/** The policy of project `projectId` (its id), which the project's models without their own follow. */
export const projectApprovalPolicyQuery = (projectId: string) =>
  queryOptions({
    // Under modelKeys.all: saving a model's settings refreshes it with the rest.
    queryKey: [...modelKeys.all, "project-approval-policy", projectId] as const,
    queryFn: async ({ signal }) =>
      // Named by the model's project, not the one picked in the header (which may be "all projects").
      unwrap(await api.GET("/api/v1/model-approval-policy", { headers: { [PROJECT_HEADER]: projectId }, signal })),
    staleTime: 30_000,
  });

/** Set the model's own approval policy; `stages: null` follows its project's again. */
export async function setModelApprovalPolicy(model: string, change: ModelApprovalPolicyUpdate): Promise<ModelApprovalPolicy> {
  return unwrap(await api.PATCH("/api/v1/models/{model}/approval-policy", { params: { path: { model } }, body: change }));
}

/** Replace the model's metric directions (the whole mapping: a key left out has none). */
export async function setMetricDirections(model: string, directions: Record<string, MetricDirection>): Promise<Model> {
  return updateModel(model, { metric_directions: directions });
}
