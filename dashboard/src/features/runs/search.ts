/** The runs list's URL search params: filter, sort, paging. Defaults stay out of the URL. */
export interface RunsSearch {
  q?: string;
  sort?: string;
  page?: number;
  size?: number;
}

export const DEFAULT_SIZE = 50;
export const PAGE_SIZES = [20, 50, 100, 200] as const;
/** Server sort keys (FilterSpec.sorts of runs); a leading "-" sorts descending. */
export const SORT_KEYS = ["name", "status", "created", "started", "ended"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Accept what a hand-edited URL may hold; drop what makes no sense rather than fail. */
export function validateRunsSearch(raw: Record<string, unknown>): RunsSearch {
  const out: RunsSearch = {};
  if (typeof raw.q === "string" || typeof raw.q === "number") {
    const q = String(raw.q);
    if (q.trim()) out.q = q;
  }
  if (typeof raw.sort === "string" && SORT_KEYS.includes(raw.sort.replace(/^[-+]/, "") as SortKey)) out.sort = raw.sort;
  const page = positiveInt(raw.page);
  if (page !== undefined && page > 1) out.page = page;
  const size = positiveInt(raw.size);
  if (size !== undefined && size !== DEFAULT_SIZE && size <= 1000) out.size = size;
  return out;
}

/** The next sort when a column header is clicked: ascending, then descending, then the default. */
export function nextSort(current: string | undefined, key: SortKey): string | undefined {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return undefined;
  return key;
}
