/**
 * Checks of each stored visualization's JSON. The files come from user artifacts and plugins,
 * so each parser validates what its renderer relies on and throws a `VizFormatError` with a
 * readable sentence instead of letting a renderer crash on a surprise shape.
 */

export class VizFormatError extends Error {
  override name = "VizFormatError";
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new VizFormatError(`The stored visualization is malformed: ${what}.`);
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : v === null || v === undefined ? fallback : String(v);
}

function numMatrix(v: unknown, what: string): (number | null)[][] {
  need(Array.isArray(v) && v.every(Array.isArray), `${what} is not a matrix`);
  return (v as unknown[][]).map((row) => row.map(num));
}

// -- table and stats ------------------------------------------------------------------------
export interface TablePreview {
  columns: { name: string; dtype: string }[];
  rows: unknown[][];
  index: unknown[] | null;
  totalRows: number;
  totalColumns: number;
}

export function parseTablePreview(doc: unknown): TablePreview {
  need(isObj(doc) && Array.isArray(doc.columns) && Array.isArray(doc.rows), "a table needs columns and rows");
  const columns = doc.columns.map((c) => (isObj(c) ? { name: str(c.name), dtype: str(c.dtype, "?") } : { name: str(c), dtype: "?" }));
  const rows = doc.rows.map((r) => (Array.isArray(r) ? (r as unknown[]) : [r]));
  return {
    columns,
    rows,
    index: Array.isArray(doc.index) ? doc.index : null,
    totalRows: num(doc.total_rows) ?? rows.length,
    totalColumns: num(doc.total_columns) ?? columns.length,
  };
}

export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface ColumnStats {
  name: string;
  dtype: string;
  count: number | null;
  nulls: number | null;
  kind: "numeric" | "categorical" | "other";
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  histogram: Histogram | null;
  unique: number | null;
  top: { value: unknown; count: number }[];
}

function parseHistogram(v: unknown): Histogram | null {
  if (!isObj(v) || !Array.isArray(v.counts)) return null;
  const counts = v.counts.map((c) => num(c) ?? 0);
  // whylogs files name the edges `bins`; ours name them `edges`
  const raw = Array.isArray(v.edges) ? v.edges : Array.isArray(v.bins) ? v.bins : [];
  const edges = raw.map((e) => num(e) ?? 0);
  return { edges, counts };
}

export function parseStats(doc: unknown): { rows: number | null; totalColumns: number | null; columns: ColumnStats[] } {
  need(isObj(doc) && Array.isArray(doc.columns), "statistics need a list of columns");
  const columns = doc.columns.filter(isObj).map((c): ColumnStats => {
    const kind = c.kind === "numeric" || c.kind === "categorical" ? c.kind : "other";
    return {
      name: str(c.name),
      dtype: str(c.dtype, "?"),
      count: num(c.count),
      nulls: num(c.nulls),
      kind,
      min: num(c.min),
      max: num(c.max),
      mean: num(c.mean),
      std: num(c.std),
      histogram: parseHistogram(c.histogram),
      unique: num(c.unique),
      top: Array.isArray(c.top) ? c.top.filter(isObj).map((t) => ({ value: t.value, count: num(t.count) ?? 0 })) : [],
    };
  });
  return { rows: num(doc.rows), totalColumns: num(doc.total_columns), columns };
}

// -- arrays -----------------------------------------------------------------------------------
export interface ChartData {
  x: number[];
  y: (number | null)[];
  length: number;
  downsampled: boolean;
}

export function parseChart(doc: unknown): ChartData {
  need(isObj(doc) && Array.isArray(doc.y), "a chart needs y values");
  const y = doc.y.map(num);
  const x = Array.isArray(doc.x) && doc.x.length === y.length ? doc.x.map((v, i) => num(v) ?? i) : y.map((_, i) => i);
  return { x, y, length: num(doc.length) ?? y.length, downsampled: doc.downsampled === true };
}

export interface HeatmapData {
  values: (number | null)[][];
  shape: [number, number];
  min: number | null;
  max: number | null;
}

export function parseHeatmap(doc: unknown): HeatmapData {
  need(isObj(doc), "a heatmap needs values");
  const values = numMatrix(doc.values, "values");
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  const shape: [number, number] =
    Array.isArray(doc.shape) && doc.shape.length === 2 ? [num(doc.shape[0]) ?? rows, num(doc.shape[1]) ?? cols] : [rows, cols];
  return { values, shape, min: num(doc.min), max: num(doc.max) };
}

/** "2,000 × 2,000, shown as 200 × 200" — or just the shape when nothing was averaged. */
export function describeShape(shape: [number, number], shown: [number, number]): string {
  const fmt = (s: [number, number]) => `${s[0].toLocaleString("en-US")} × ${s[1].toLocaleString("en-US")}`;
  return shape[0] === shown[0] && shape[1] === shown[1] ? fmt(shape) : `${fmt(shape)}, shown as ${fmt(shown)}`;
}

// -- sklearn, Great Expectations, whylogs ------------------------------------------------------
export interface ConfusionMatrix {
  labels: string[];
  matrix: (number | null)[][];
  normalized: (number | null)[][];
}

export function parseConfusionMatrix(doc: unknown): ConfusionMatrix {
  need(isObj(doc) && Array.isArray(doc.labels), "a confusion matrix needs labels");
  const labels = doc.labels.map((l) => str(l));
  const matrix = numMatrix(doc.matrix, "matrix");
  need(matrix.length === labels.length && matrix.every((r) => r.length === labels.length), "the matrix is not labels × labels");
  const normalized = Array.isArray(doc.normalized) ? numMatrix(doc.normalized, "normalized") : normalizeRows(matrix);
  return { labels, matrix, normalized };
}

/** Each row divided by its sum (recall per true class); an all-zero row stays zero. */
export function normalizeRows(matrix: (number | null)[][]): (number | null)[][] {
  return matrix.map((row) => {
    const sum = row.reduce<number>((s, v) => s + (v ?? 0), 0);
    return row.map((v) => (v === null ? null : sum > 0 ? v / sum : 0));
  });
}

export interface ClassMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number | null;
}

function metrics(v: Obj, label: string): ClassMetrics {
  return {
    label,
    precision: num(v.precision),
    recall: num(v.recall),
    f1: num(v.f1 ?? v["f1-score"]),
    support: num(v.support),
  };
}

export function parseClassificationReport(doc: unknown): { classes: ClassMetrics[]; accuracy: number | null; averages: ClassMetrics[] } {
  need(isObj(doc) && Array.isArray(doc.classes), "a classification report needs classes");
  const classes = doc.classes.filter(isObj).map((c) => metrics(c, str(c.label)));
  const averages: ClassMetrics[] = [];
  if (isObj(doc.macro_avg)) averages.push(metrics(doc.macro_avg, "macro avg"));
  if (isObj(doc.weighted_avg)) averages.push(metrics(doc.weighted_avg, "weighted avg"));
  return { classes, accuracy: num(doc.accuracy), averages };
}

export interface ExpectationResult {
  expectation: string;
  column: string | null;
  kwargs: Obj;
  success: boolean;
  observed: unknown;
  unexpectedCount: number | null;
  unexpectedSample: unknown[];
  unexpectedPercent: number | null;
  /** Why the check itself could not run, when it couldn't. */
  exception: string | null;
}

export function parseValidation(doc: unknown): { success: boolean; statistics: Obj; results: ExpectationResult[] } {
  need(isObj(doc) && Array.isArray(doc.results), "a validation needs results");
  const results = doc.results.filter(isObj).map(
    (r): ExpectationResult => ({
      expectation: str(r.expectation, "expectation"),
      column: typeof r.column === "string" ? r.column : null,
      kwargs: isObj(r.kwargs) ? r.kwargs : {},
      success: r.success === true,
      observed: r.observed_value,
      unexpectedCount: num(r.unexpected_count),
      unexpectedSample: Array.isArray(r.unexpected_sample) ? r.unexpected_sample : [],
      unexpectedPercent: num(r.unexpected_percent),
      exception: typeof r.exception === "string" && r.exception ? r.exception : null,
    }),
  );
  return { success: doc.success === true, statistics: isObj(doc.statistics) ? doc.statistics : {}, results };
}

export interface ProfileColumn {
  name: string;
  type: string;
  count: number | null;
  nullCount: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  uniqueEst: number | null;
  histogram: Histogram | null;
}

export function parseProfile(doc: unknown): ProfileColumn[] {
  need(isObj(doc) && Array.isArray(doc.columns), "a profile needs columns");
  return doc.columns.filter(isObj).map((c) => ({
    name: str(c.name),
    type: str(c.type, "?"),
    count: num(c.count),
    nullCount: num(c.null_count),
    min: num(c.min),
    max: num(c.max),
    mean: num(c.mean),
    stddev: num(c.stddev),
    uniqueEst: num(c.unique_est),
    histogram: parseHistogram(c.histogram),
  }));
}

// -- text -----------------------------------------------------------------------------------
/** Lines `[page * size, (page + 1) * size)` of `text` and how many pages there are. */
export function pageLines(text: string, page: number, size: number): { lines: string[]; pages: number; first: number } {
  const all = text.split(/\r?\n/);
  if (all.length > 1 && all[all.length - 1] === "") all.pop();
  const pages = Math.max(1, Math.ceil(all.length / size));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { lines: all.slice(p * size, (p + 1) * size), pages, first: p * size };
}

/**
 * RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Returns null when the
 * text does not look like a table (one column, or rows of differing widths).
 */
export function parseCsv(text: string, maxRows = 100_000): { header: string[]; rows: string[][] } | null {
  const head = text.slice(0, 4096);
  const firstLine = head.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? "\t" : ",";
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      if (records.length > maxRows) break;
    } else field += ch;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...rows] = records;
  if (!header || header.length < 2 || rows.length === 0) return null;
  const ragged = rows.filter((r) => r.length !== header.length).length;
  if (ragged > rows.length / 20) return null;
  return { header, rows };
}

// -- formatting -----------------------------------------------------------------------------
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v).toString()} ${units[u]}`;
}

/** A number short enough for a table cell: 6 significant digits, thousands separators. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return v.toExponential(3);
  return Number(v.toPrecision(6)).toLocaleString("en-US", { maximumFractionDigits: 6 });
}

/** Any JSON cell value as one line of text. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
