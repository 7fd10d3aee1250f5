import { api, unwrap } from "./client";
import type { components } from "./schema";

export type LogLine = components["schemas"]["LogLineRead"];
export type LogSearchHit = components["schemas"]["LogSearchHit"];

export interface LogPage {
  lines: LogLine[];
  /** How many lines the log holds now (the server's X-Total-Lines). */
  total: number;
}

export interface LogSearchResult {
  hits: LogSearchHit[];
  /** Matching lines from the searched offset on, exact up to the server's cap. */
  total: number;
  /** True when more lines match than `total` says. */
  more: boolean;
}

function count(response: Response, header: string): number {
  const value = Number(response.headers.get(header));
  return Number.isFinite(value) ? value : 0;
}

/** Up to `limit` lines from line number `offset`, and the log's line count. */
export async function fetchLogPage(run: string, step: string, offset: number, limit: number, signal?: AbortSignal): Promise<LogPage> {
  const result = await api.GET("/api/v1/runs/{run}/steps/{step}/logs", {
    params: { path: { run, step }, query: { offset, limit } },
    signal,
  });
  const lines = unwrap(result);
  return { lines, total: Math.max(count(result.response, "X-Total-Lines"), (lines.at(-1)?.n ?? -1) + 1) };
}

/** The last `n` lines, and the log's line count. */
export async function fetchLogTail(run: string, step: string, n: number, signal?: AbortSignal): Promise<LogPage> {
  const result = await api.GET("/api/v1/runs/{run}/steps/{step}/logs/tail", {
    params: { path: { run, step }, query: { n } },
    signal,
  });
  const lines = unwrap(result);
  return { lines, total: Math.max(count(result.response, "X-Total-Lines"), (lines.at(-1)?.n ?? -1) + 1) };
}

/** Server-side search over the whole log (case-insensitive text) from line `offset` on. */
export async function searchLog(
  run: string,
  step: string,
  q: string,
  opts: { offset?: number; limit?: number; context?: number },
  signal?: AbortSignal,
): Promise<LogSearchResult> {
  const result = await api.GET("/api/v1/runs/{run}/steps/{step}/logs/search", {
    params: {
      path: { run, step },
      query: { q, offset: opts.offset ?? 0, limit: opts.limit ?? 200, context: opts.context ?? 0 },
    },
    signal,
  });
  const hits = unwrap(result);
  return {
    hits,
    total: count(result.response, "X-Total-Hits"),
    more: result.response.headers.get("X-More-Hits") === "true",
  };
}

/** The first stderr line or ERROR/CRITICAL record, or null. */
export async function fetchFirstError(run: string, step: string, signal?: AbortSignal): Promise<LogLine | null> {
  const result = await api.GET("/api/v1/runs/{run}/steps/{step}/logs/first-error", {
    params: { path: { run, step } },
    signal,
  });
  if (result.error === undefined && result.data == null) return null;
  return unwrap(result);
}

/** The whole log as a text attachment (a plain link: the browser streams it to disk). */
export function logDownloadUrl(run: string, step: string): string {
  return `/api/v1/runs/${encodeURIComponent(run)}/steps/${encodeURIComponent(step)}/logs/download`;
}

/** Server-Sent Events of new lines from `offset` on; `end` when the step finishes. */
export function logStreamUrl(run: string, step: string, offset: number): string {
  return `/api/v1/runs/${encodeURIComponent(run)}/steps/${encodeURIComponent(step)}/logs/stream?offset=${offset}`;
}
