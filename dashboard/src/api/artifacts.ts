import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

export type Artifact = components["schemas"]["ArtifactRead"];
export type ArtifactVersion = components["schemas"]["ArtifactVersionRead"];
export type ArtifactsPage = components["schemas"]["Page_ArtifactRead_"];

export interface ArtifactsListParams {
  q: string;
  sort?: string | undefined;
  page: number;
  size: number;
}

/** Filter keys whose values the server suggests (GET /artifacts/suggest). */
export type ArtifactSuggestKey = "pipeline" | "type" | "tag";

/** The lineage answer: artifact node ids are version ids, step node ids are step run ids. */
export type LineageNode = components["schemas"]["LineageNode"];
export type LineageGraph = components["schemas"]["LineageGraph"];

/** Versions per artifact page: an artifact with more pages through them. */
export const VERSIONS_PAGE = 50;

export const artifactKeys = {
  all: ["artifacts"] as const,
  lists: () => [...artifactKeys.all, "list"] as const,
  list: (params: ArtifactsListParams) => [...artifactKeys.lists(), params] as const,
  detail: (artifact: string) => [...artifactKeys.all, "detail", artifact] as const,
  versions: (artifact: string, page: number) => [...artifactKeys.all, "versions", artifact, page] as const,
  // The same key the step panel uses for a version, so one fetch serves both.
  version: (id: string) => ["artifact-versions", id] as const,
  consumers: (id: string) => ["artifact-versions", id, "consumers"] as const,
  metadata: (id: string) => ["artifact-versions", id, "metadata"] as const,
  lineage: (id: string, up: number, down: number) => ["artifact-versions", id, "lineage", up, down] as const,
};

async function getLineage(id: string, up: number, down: number, signal: AbortSignal): Promise<LineageGraph> {
  return unwrap(
    await api.GET("/api/v1/artifact-versions/{version_id}/lineage", { params: { path: { version_id: id }, query: { up, down } }, signal }),
  );
}

export const artifactQueries = {
  list: (params: ArtifactsListParams) =>
    queryOptions({
      queryKey: artifactKeys.list(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/artifacts", {
            params: { query: { q: params.q, page: params.page, size: params.size, ...(params.sort ? { sort: params.sort } : {}) } },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** Stored values of an artifact filter key (`pipeline`, `type`, `tag`) matching `prefix`, for the search box. */
  suggest: (key: ArtifactSuggestKey, prefix: string) =>
    queryOptions({
      queryKey: [...artifactKeys.all, "suggest", key, prefix] as const,
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/artifacts/suggest", { params: { query: { key, prefix, limit: 50 } }, signal })).values,
      staleTime: 30_000,
    }),
  /** Artifact names for filter suggestions and the command palette; cached a while. */
  names: () =>
    queryOptions({
      queryKey: [...artifactKeys.all, "names"] as const,
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/artifacts", { params: { query: { size: 1000, sort: "name" } }, signal })).items.map((a) => a.name),
      staleTime: 60_000,
    }),
  detail: (artifact: string) =>
    queryOptions({
      queryKey: artifactKeys.detail(artifact),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/artifacts/{artifact}", { params: { path: { artifact } }, signal })),
    }),
  versions: (artifact: string, page: number) =>
    queryOptions({
      queryKey: artifactKeys.versions(artifact, page),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/artifacts/{artifact}/versions", {
            params: { path: { artifact }, query: { page, size: VERSIONS_PAGE, sort: "-version" } },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
    }),
  /** A version by id, `NAME` (latest) or `NAME:N`. */
  version: (ref: string) =>
    queryOptions({
      queryKey: artifactKeys.version(ref),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/artifact-versions/{version}", { params: { path: { version: ref } }, signal })),
      staleTime: 60_000,
    }),
  consumers: (id: string) =>
    queryOptions({
      queryKey: artifactKeys.consumers(id),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/artifact-versions/{version_id}/consumers", { params: { path: { version_id: id }, query: { size: 200 } }, signal })),
    }),
  metadata: (id: string) =>
    queryOptions({
      queryKey: artifactKeys.metadata(id),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/metadata", { params: { query: { artifact_version_id: id, size: 200 } }, signal })),
    }),
  lineage: (id: string, up: number, down: number) =>
    queryOptions({
      queryKey: artifactKeys.lineage(id, up, down),
      queryFn: ({ signal }) => getLineage(id, up, down, signal),
      placeholderData: keepPreviousData,
    }),
};

/** Where the browser downloads a version (a plain link: the server sends it as an attachment). */
export const downloadUrl = (id: string) => `/api/v1/artifact-versions/${encodeURIComponent(id)}/download`;
