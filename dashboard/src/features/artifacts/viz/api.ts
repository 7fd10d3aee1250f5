/** Reads of an artifact version's stored visualization files and of its table API. */
import { ApiError, api, detailOf } from "../../../api/client";
import type { components } from "../../../api/schema";
import { setSessionEnded } from "../../../api/session";

/** The URL of the `index`-th stored visualization file of a version (same origin as the page). */
export function vizUrl(versionId: string, index: number): string {
  return `/api/v1/artifact-versions/${encodeURIComponent(versionId)}/visualizations/${index}`;
}

/** A human sentence for a failed read, keyed on what the user can do about it. */
export function explainStatus(status: number, detail: string): string {
  const why = detail.replace(/\.\s*$/, "");
  if (status === 404 || status === 410) return `The stored files of this visualization are gone: ${why}. Saving the artifact again writes them anew.`;
  if (status === 422) return `The stored visualization is corrupt: ${why}.`;
  if (status === 413) return `The visualization is too large to show here: ${why}. Use the raw file or download the artifact.`;
  if (status === 401) return "Your session ended; log in again to see this visualization.";
  return detail;
}

async function failure(response: Response): Promise<ApiError> {
  if (response.status === 401) setSessionEnded(true);
  let detail = `The server answered ${response.status}.`;
  try {
    const body: unknown = await response.json();
    if (typeof body === "object" && body !== null && typeof (body as { detail?: unknown }).detail === "string") {
      detail = (body as { detail: string }).detail;
    }
  } catch {
    // a body that is not JSON keeps the generic sentence
  }
  return new ApiError(response.status, explainStatus(response.status, detail));
}

/** Whether asking again could help: not for files that are gone or corrupt. */
export function isPermanent(error: unknown): boolean {
  return error instanceof ApiError && [404, 410, 413, 422].includes(error.status);
}

/** The raw response of a visualization file, or an ApiError with a readable message. */
export async function fetchViz(versionId: string, index: number, signal?: AbortSignal, headers?: HeadersInit): Promise<Response> {
  const response = await fetch(vizUrl(versionId, index), { credentials: "same-origin", signal, headers });
  if (!response.ok) throw await failure(response);
  return response;
}

/** The visualization file parsed as JSON. */
export async function fetchVizJson(versionId: string, index: number, signal?: AbortSignal): Promise<unknown> {
  const response = await fetchViz(versionId, index, signal);
  try {
    return (await response.json()) as unknown;
  } catch {
    throw new ApiError(422, "The stored visualization is not valid JSON; it may be corrupt.");
  }
}

/** The visualization file as text. */
export async function fetchVizText(versionId: string, index: number, signal?: AbortSignal): Promise<string> {
  return (await fetchViz(versionId, index, signal)).text();
}

export type TableColumn = components["schemas"]["TableColumn"];
/** One page of `GET /artifact-versions/{id}/table`: rows over the whole stored table. */
export type TablePage = components["schemas"]["ArtifactTable"];

export interface TableQuery {
  offset: number;
  limit: number;
  sort: string | null;
  descending: boolean;
}

export async function fetchTablePage(versionId: string, q: TableQuery, signal?: AbortSignal): Promise<TablePage> {
  const result = await api.GET("/api/v1/artifact-versions/{version_id}/table", {
    params: { path: { version_id: versionId }, query: { offset: q.offset, limit: q.limit, sort: q.sort ?? undefined, descending: q.descending } },
    signal,
  });
  if (result.error !== undefined || result.data === undefined) {
    const status = result.response.status;
    throw new ApiError(status, explainStatus(status, detailOf(result.error, status)));
  }
  return result.data;
}
