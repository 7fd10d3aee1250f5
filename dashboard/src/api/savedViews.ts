import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

export type SavedView = components["schemas"]["SavedViewRead"];
export type SavedViewKind = SavedView["kind"];
export type SavedViewCreate = components["schemas"]["SavedViewCreate"];
export type SavedViewUpdate = components["schemas"]["SavedViewUpdate"];

/** The most views one list shows (the server's page size cap). */
export const MAX_VIEWS = 1000;

/** Query keys for saved views: everything under `all` is invalidated together. */
export const viewKeys = {
  all: ["views"] as const,
  lists: () => [...viewKeys.all, "list"] as const,
  list: (kind: SavedViewKind) => [...viewKeys.lists(), kind] as const,
  details: () => [...viewKeys.all, "detail"] as const,
  detail: (id: string) => [...viewKeys.details(), id] as const,
};

export const viewQueries = {
  /** The caller's views of a page and those shared with them, most recently changed first. */
  list: (kind: SavedViewKind) =>
    queryOptions({
      queryKey: viewKeys.list(kind),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/views", { params: { query: { kind, size: MAX_VIEWS } }, signal })),
      staleTime: 30_000,
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: viewKeys.detail(id),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/views/{view_id}", { params: { path: { view_id: id } }, signal })),
      retry: false,
    }),
};

/** Save a view in the active project; a name already used answers 409 with a one-line reason. */
export async function createView(view: SavedViewCreate): Promise<SavedView> {
  return unwrap(await api.POST("/api/v1/views", { body: view }));
}

/** Rename a view, replace its state, or share or unshare it. */
export async function updateView(id: string, change: SavedViewUpdate): Promise<SavedView> {
  return unwrap(await api.PATCH("/api/v1/views/{view_id}", { params: { path: { view_id: id } }, body: change }));
}

export async function deleteView(id: string): Promise<void> {
  const result = await api.DELETE("/api/v1/views/{view_id}", { params: { path: { view_id: id } } });
  if (!result.response.ok) unwrap({ error: result.error ?? {}, response: result.response });
}
