import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import { modelKeys } from "./models";
import type { components } from "./schema";

export type VersionRunLink = components["schemas"]["VersionRunLink"];
export type VersionArtifactLink = components["schemas"]["VersionArtifactLink"];
export type VersionLinkCounts = components["schemas"]["VersionLinkCounts"];
export type ModelStageStatus = components["schemas"]["ModelStageStatus"];
export type StageHolderStatus = components["schemas"]["StageHolderStatus"];
export type ModelVersionMetadata = components["schemas"]["MetadataRead"];
export type RunRole = VersionRunLink["role"];
export type ArtifactRole = VersionArtifactLink["role"];

/** The roles a run plays for a version, in the order the page shows them. */
export const RUN_ROLES: readonly RunRole[] = ["producer", "attached", "consumer"];
/** The roles an artifact version plays for a model version, in the order the page shows them. */
export const ARTIFACT_ROLES: readonly ArtifactRole[] = ["model", "data", "deployment", "other"];

/** Runs, artifacts and metadata entries per page of a version's lists. */
export const VERSION_RUNS_PAGE = 10;
export const VERSION_ARTIFACTS_PAGE = 6;
export const VERSION_METADATA_PAGE = 50;

// Under modelKeys.all: a stage change or a model edit refreshes these with the rest of the model's queries.
export const modelVersionKeys = {
  all: [...modelKeys.all, "version"] as const,
  detail: (model: string, version: string) => [...modelVersionKeys.all, model, version] as const,
  counts: (model: string, version: string) => [...modelVersionKeys.detail(model, version), "counts"] as const,
  runs: (model: string, version: string, role: RunRole | undefined, page: number, size: number) =>
    [...modelVersionKeys.detail(model, version), "runs", role ?? "all", page, size] as const,
  artifacts: (model: string, version: string, role: ArtifactRole | undefined, page: number, size: number) =>
    [...modelVersionKeys.detail(model, version), "artifacts", role ?? "all", page, size] as const,
  metadata: (versionId: string, page: number) => [...modelVersionKeys.all, "metadata", versionId, page] as const,
  stageStatus: (model: string) => [...modelKeys.all, "stage-status", model] as const,
};

export const modelVersionQueries = {
  /** A version of `model` by name, number, id or stage (production, staging, latest …), with its tags. */
  detail: (model: string, version: string) =>
    queryOptions({
      queryKey: modelVersionKeys.detail(model, version),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models/{model}/versions/{version}", { params: { path: { model, version } }, signal })),
    }),
  /** How many runs and artifact versions of each role the version has. */
  counts: (model: string, version: string) =>
    queryOptions({
      queryKey: modelVersionKeys.counts(model, version),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models/{model}/versions/{version}/link-counts", { params: { path: { model, version } }, signal })),
    }),
  /** A page of the version's runs in `role`, newest first. */
  runs: (model: string, version: string, role: RunRole | undefined, page: number, size = VERSION_RUNS_PAGE) =>
    queryOptions({
      queryKey: modelVersionKeys.runs(model, version, role, page, size),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/models/{model}/versions/{version}/runs", {
            params: { path: { model, version }, query: { page, size, ...(role ? { role } : {}) } },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** A page of the version's artifact versions in `role`, with their stored visualizations. */
  artifacts: (model: string, version: string, role: ArtifactRole | undefined, page: number, size = VERSION_ARTIFACTS_PAGE) =>
    queryOptions({
      queryKey: modelVersionKeys.artifacts(model, version, role, page, size),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/models/{model}/versions/{version}/artifacts", {
            params: { path: { model, version }, query: { page, size, ...(role ? { role } : {}) } },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** A page of the metadata logged against the version (by its id), oldest first. */
  metadata: (versionId: string, page: number) =>
    queryOptions({
      queryKey: modelVersionKeys.metadata(versionId, page),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/metadata", { params: { query: { model_version_id: versionId, page, size: VERSION_METADATA_PAGE } }, signal })),
      placeholderData: keepPreviousData,
    }),
  /** Who holds production, staging and latest, since when, and how the runs consuming each fared lately. */
  stageStatus: (model: string) =>
    queryOptions({
      queryKey: modelVersionKeys.stageStatus(model),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/models/{model}/stage-status", { params: { path: { model } }, signal })),
      // A consumer still running settles on its own: look again until none is.
      refetchInterval: (query) => (query.state.data?.stages.some((s) => (s.recent ?? []).some((r) => r.status === "running" || r.status === "initializing")) ? 5000 : false),
    }),
};

/** Put `add` on the version and take `remove` off it (needs model:update); the version's tags after. */
export async function changeVersionTags(model: string, version: string, change: { add?: string[]; remove?: string[] }): Promise<string[]> {
  return unwrap(
    await api.PATCH("/api/v1/models/{model}/versions/{version}/tags", {
      params: { path: { model, version } },
      body: { add: change.add ?? [], remove: change.remove ?? [] },
    }),
  );
}
