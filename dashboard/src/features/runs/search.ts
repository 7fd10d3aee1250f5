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

/**
 * A parameter or metadata column, as the server names it: `param.NAME` (a pipeline parameter),
 * `step.STEP.NAME` (a step's parameter) or `metadata.KEY` (run or step metadata).
 */
export type DynamicKey = `param.${string}` | `step.${string}` | `metadata.${string}`;
/** Any column of the runs table: a built-in one or a parameter or metadata column. */
export type ColumnKey = ColumnId | DynamicKey;

/** Whether `key` names a parameter or metadata column; a comma cannot be one (it separates `cols`). */
export function isDynamicKey(key: string): key is DynamicKey {
  if (key.includes(",") || key.length > 600) return false;
  const dot = key.indexOf(".");
  const kind = key.slice(0, dot);
  const rest = key.slice(dot + 1);
  if (dot < 0 || !rest) return false;
  if (kind === "param" || kind === "metadata") return true;
  if (kind !== "step") return false;
  const last = rest.lastIndexOf(".");
  return last > 0 && last < rest.length - 1;
}

const isBuiltin = (key: string): key is ColumnId => (COLUMNS as readonly string[]).includes(key);

const sortKeyOf = (sort: string) => sort.replace(/^[-+]/, "");

/** Whether the server sorts by `sort`: the built-in keys and metadata columns (parameters sort within the page). */
export function isServerSort(sort: string | undefined): boolean {
  if (sort === undefined) return false;
  const key = sortKeyOf(sort);
  if ((SERVER_SORT_KEYS as readonly string[]).includes(key)) return true;
  // The server's sort parameter holds 64 characters at most; a longer key sorts within the page.
  return key.startsWith("metadata.") && isDynamicKey(key) && sort.length <= 64;
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** The known columns of a `cols` value, in its order, without repeats; the name always shows. */
export function parseCols(cols: string | undefined): ColumnKey[] {
  if (cols === undefined) return [...COLUMNS];
  const out: ColumnKey[] = [];
  for (const c of cols.split(",")) {
    const id = c.trim();
    if ((isBuiltin(id) || isDynamicKey(id)) && !out.includes(id)) out.push(id);
  }
  if (!out.includes("name")) out.unshift("name");
  return out;
}

/**
 * The `cols` value for these columns: the built-in ones in table order, then parameter and
 * metadata columns in the order chosen. Undefined for the default set, which stays out of the URL.
 */
export function formatCols(cols: readonly ColumnKey[]): string | undefined {
  const builtins = COLUMNS.filter((c) => cols.includes(c));
  const dynamic = [...new Set(cols.filter((c) => !isBuiltin(c) && isDynamicKey(c)))];
  if (builtins.length === COLUMNS.length && dynamic.length === 0) return undefined;
  return [...builtins, ...dynamic].join(",");
}

/** The parameter and metadata columns among `cols`: what the server is asked for. */
export function dynamicKeys(cols: readonly ColumnKey[]): DynamicKey[] {
  return cols.filter((c): c is DynamicKey => !isBuiltin(c));
}

/** Accept what a hand-edited URL may hold; drop what makes no sense rather than fail. */
export function validateRunsSearch(raw: Record<string, unknown>): RunsSearch {
  const out: RunsSearch = {};
  if (typeof raw.q === "string" || typeof raw.q === "number") {
    const q = String(raw.q);
    if (q.trim()) out.q = q;
  }
  if (typeof raw.sort === "string" && ((SORT_KEYS as readonly string[]).includes(sortKeyOf(raw.sort)) || isDynamicKey(sortKeyOf(raw.sort)))) {
    out.sort = raw.sort;
  }
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
