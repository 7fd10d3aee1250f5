import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

export type MetadataKeyPage = components["schemas"]["MetadataKeyPage"];
export type MetadataKeyStats = components["schemas"]["MetadataKeyStats"];
export type MetadataHistory = components["schemas"]["MetadataHistory"];
export type MetadataPoint = components["schemas"]["MetadataPoint"];
export type MetadataEntity = MetadataPoint["entity"];
export type MetadataKeySort = "count" | "key" | "last_seen";

export interface MetadataKeysParams {
  entity?: MetadataEntity | undefined;
  contains: string;
  /** A run filter: only metadata of matching runs and what they made. */
  q: string;
  sort: MetadataKeySort;
  page: number;
  size: number;
}

export interface MetadataHistoryParams {
  key: string;
  pipeline?: string | undefined;
  q: string;
}

/** Query keys for the metadata explorer: everything under `all` is invalidated together. */
export const metadataKeys = {
  all: ["metadata-explorer"] as const,
  keyLists: () => [...metadataKeys.all, "keys"] as const,
  keyList: (params: MetadataKeysParams) => [...metadataKeys.keyLists(), params] as const,
  histories: () => [...metadataKeys.all, "history"] as const,
  history: (params: MetadataHistoryParams) => [...metadataKeys.histories(), params] as const,
};

export const metadataQueries = {
  /** A page of metadata keys with their owners' kinds, value types, count and range. */
  keys: (params: MetadataKeysParams) =>
    queryOptions({
      queryKey: metadataKeys.keyList(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/metadata/keys", {
            params: {
              query: {
                sort: params.sort,
                page: params.page,
                size: params.size,
                ...(params.entity ? { entity: params.entity } : {}),
                ...(params.contains ? { contains: params.contains } : {}),
                ...(params.q ? { q: params.q } : {}),
              },
            },
            signal,
          }),
        ),
      placeholderData: keepPreviousData,
      staleTime: 10_000,
    }),
  /** One key's values over time (the newest 10,000, oldest first), each with its run and pipeline. */
  history: (params: MetadataHistoryParams) =>
    queryOptions({
      queryKey: metadataKeys.history(params),
      queryFn: async ({ signal }) =>
        unwrap(
          await api.GET("/api/v1/metadata/history", {
            params: {
              query: {
                key: params.key,
                ...(params.pipeline ? { pipeline: params.pipeline } : {}),
                ...(params.q ? { q: params.q } : {}),
              },
            },
            signal,
          }),
        ),
      staleTime: 10_000,
    }),
};
