import { api, unwrap } from "./client";
import type { components } from "./schema";

export type BulkResult = components["schemas"]["BulkResult"];
export type TagResource = components["schemas"]["TagsBulkChange"]["resource"];
export type CleanupFilter = components["schemas"]["CleanupFilter"];
export type CleanupPreview = components["schemas"]["CleanupPreview"];
export type CleanupResult = components["schemas"]["CleanupResult"];

/** Tags put on and taken off each resource; per id whether it changed, was denied or is unknown. */
export async function changeTags(resource: TagResource, ids: readonly string[], change: { add?: string[]; remove?: string[] }): Promise<BulkResult> {
  return unwrap(await api.POST("/api/v1/tags/bulk", { body: { resource, ids: [...ids], add: change.add ?? [], remove: change.remove ?? [] } }));
}

/** The runs archived (hidden from lists unless a filter asks for `archived:true`), or restored. */
export async function archiveRuns(ids: readonly string[], archived: boolean): Promise<BulkResult> {
  return unwrap(await api.POST("/api/v1/runs/archive", { body: { ids: [...ids], archived } }));
}

/** The runs deleted, their steps and metadata with them (artifact versions stay: cleanup removes those). */
export async function deleteRuns(ids: readonly string[]): Promise<BulkResult> {
  return unwrap(await api.POST("/api/v1/runs/delete", { body: { ids: [...ids], force: false } }));
}

/** What a cleanup with this filter would delete now, and the token that confirms exactly that. */
export async function previewCleanup(filter: CleanupFilter): Promise<CleanupPreview> {
  return unwrap(await api.POST("/api/v1/cleanup/preview", { body: filter }));
}

/** The previewed cleanup, done; refused (409) when what it would delete changed since the preview. */
export async function confirmCleanup(filter: CleanupFilter, token: string): Promise<CleanupResult> {
  return unwrap(await api.POST("/api/v1/cleanup", { body: { ...filter, confirm: token } }));
}

/** "3 archived · 1 denied: …" for a bulk answer. */
export function bulkSummary(result: BulkResult, done: string): string {
  const parts = [`${result.ok} ${done}`];
  const denied = result.items.find((i) => i.outcome === "denied");
  if (result.denied) parts.push(`${result.denied} denied${denied?.detail ? ` (${denied.detail})` : ""}`);
  if (result.unknown) parts.push(`${result.unknown} not found`);
  return parts.join(" · ");
}
