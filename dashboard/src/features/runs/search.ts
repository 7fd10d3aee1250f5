/** The runs list's URL search params: filter, sort, paging, visible columns. Defaults stay out of the URL. */
export interface RunsSearch {
  q?: string;
  sort?: string;
  page?: number;
  size?: number;
  /** Visible columns in order, comma-separated (`cols=status,name,started`). */
  cols?: string;
}

export const DEFAULT_SIZE = 50;
export const PAGE_SIZES = [20, 50, 100, 200] as const;

/** Sort keys the server understands (FilterSpec.sorts of runs); a leading "-" sorts descending. */
export const SERVER_SORT_KEYS = ["name", "status", "created", "started", "ended", "pipeline", "duration"] as const;
/**
 * Columns the server cannot sort by: these sort the page that is shown. Move a key to
 * SERVER_SORT_KEYS when the server learns it.
 */
export const PAGE_SORT_KEYS = ["user", "stack", "tags"] as const;
export const SORT_KEYS = [...SERVER_SORT_KEYS, ...PAGE_SORT_KEYS] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const COLUMNS = ["status", "name", "pipeline", "started", "duration", "user", "stack", "tags"] as const;
export type ColumnId = (typeof COLUMNS)[number];

const sortKeyOf = (sort: string) => sort.replace(/^[-+]/, "");

export function isServerSort(sort: string | undefined): boolean {
  return sort !== undefined && (SERVER_SORT_KEYS as readonly string[]).includes(sortKeyOf(sort));
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** The known columns of a `cols` value, in its order, without repeats; the name always shows. */
export function parseCols(cols: string | undefined): ColumnId[] {
  if (cols === undefined) return [...COLUMNS];
  const out: ColumnId[] = [];
  for (const c of cols.split(",")) {
    const id = c.trim() as ColumnId;
    if ((COLUMNS as readonly string[]).includes(id) && !out.includes(id)) out.push(id);
  }
  if (!out.includes("name")) out.unshift("name");
  return out;
}

/** The `cols` value for these columns; undefined for the default set, which stays out of the URL. */
export function formatCols(cols: readonly ColumnId[]): string | undefined {
  const ordered = COLUMNS.filter((c) => cols.includes(c));
  return ordered.length === COLUMNS.length ? undefined : ordered.join(",");
}

/** Accept what a hand-edited URL may hold; drop what makes no sense rather than fail. */
export function validateRunsSearch(raw: Record<string, unknown>): RunsSearch {
  const out: RunsSearch = {};
  if (typeof raw.q === "string" || typeof raw.q === "number") {
    const q = String(raw.q);
    if (q.trim()) out.q = q;
  }
  if (typeof raw.sort === "string" && (SORT_KEYS as readonly string[]).includes(sortKeyOf(raw.sort))) out.sort = raw.sort;
  const page = positiveInt(raw.page);
  if (page !== undefined && page > 1) out.page = page;
  const size = positiveInt(raw.size);
  if (size !== undefined && size !== DEFAULT_SIZE && size <= 1000) out.size = size;
  if (typeof raw.cols === "string") {
    const cols = formatCols(parseCols(raw.cols));
    if (cols !== undefined) out.cols = cols;
  }
  return out;
}
