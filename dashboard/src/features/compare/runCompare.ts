/** Pure helpers of the run comparison page: its URL, the rows shown, the order of the runs, exports, brushes. */
import type { CsvValue } from "../../lib/csv";

/** The most runs one comparison takes (MAX_COMPARED_RUNS on the server). */
export const MAX_RUNS = 100;

/** A row of the comparison as the page reads it (the server's RunComparisonRow). */
export interface Row {
  section: string;
  key: string;
  kind: string;
  values: unknown[];
  differs: boolean;
  best?: number | null | undefined;
  lower_is_better?: boolean | null | undefined;
}

/** Brushed ranges per axis (a row's id): numeric intervals, or for a categorical axis the categories kept. */
export type Brushes = Record<string, [number, number][] | string[]>;

/** The comparison page's URL search params: what is compared and how it is shown, so a link reopens it. */
export interface RunCompareSearch {
  /** Run ids (or names), comma-separated, in column order. */
  runs?: string;
  /** The run every cell is compared with; the first when left out. */
  base?: string;
  /** Only the rows whose values differ from the baseline's. */
  diff?: boolean;
  /** Rows whose attribute name holds this text. */
  rq?: string;
  /** Columns sorted by the values of this row (its id), `-` in front for descending. */
  order?: string;
  /** The parallel coordinates' axes (row ids), comma-separated, in order. */
  axes?: string;
  /** The row whose value colours each run's line. */
  color?: string;
  /** Axes drawn on a log scale (row ids), comma-separated. */
  log?: string;
  brush?: Brushes;
  /** The output shown side by side (an artifacts row's key). */
  art?: string;
  /** Rows in the server's section order (left out), by name, or the most different first. */
  rsort?: RowSort;
}

export type RowSort = "name" | "diff";

const SHORT = 4000;

function text(raw: unknown): string | undefined {
  const value = typeof raw === "number" ? String(raw) : raw;
  return typeof value === "string" && value.length > 0 && value.length <= SHORT ? value : undefined;
}

function validBrushes(raw: unknown): Brushes | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const out: Brushes = {};
  for (const [axis, ranges] of Object.entries(raw as Record<string, unknown>).slice(0, 50)) {
    if (!Array.isArray(ranges) || ranges.length === 0) continue;
    if (ranges.every((r) => typeof r === "string")) out[axis] = (ranges as string[]).slice(0, 500);
    else if (ranges.every((r) => Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === "number" && Number.isFinite(x)))) {
      out[axis] = (ranges as [number, number][]).slice(0, 20).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
    }
  }
  return Object.keys(out).length ? out : undefined;
}

export function validateRunCompareSearch(raw: Record<string, unknown>): RunCompareSearch {
  const out: RunCompareSearch = {};
  for (const key of ["runs", "base", "rq", "order", "axes", "color", "log", "art"] as const) {
    const value = text(raw[key]);
    if (value !== undefined) out[key] = value;
  }
  if (raw.diff === true || raw.diff === "true" || raw.diff === 1) out.diff = true;
  if (raw.rsort === "name" || raw.rsort === "diff") out.rsort = raw.rsort;
  const brush = validBrushes(raw.brush);
  if (brush) out.brush = brush;
  return out;
}

/** The distinct entries of a comma-separated list, in order. */
export function parseList(value: string | undefined): string[] {
  return [...new Set((value ?? "").split(",").map((v) => v.trim()).filter(Boolean))];
}

/** A row's id in the URL: its section and key. */
export function rowId(row: Pick<Row, "section" | "key">): string {
  return `${row.section}:${row.key}`;
}

function isArtifactCell(value: unknown): value is { hash?: string; content_hash?: string; size?: number } {
  return typeof value === "object" && value !== null && ("hash" in value || "content_hash" in value);
}

/** What a cell is compared by: an artifact by its content, a number as a number, the rest by its JSON. */
export function sameKey(value: unknown): string {
  if (value === null || value === undefined) return "∅";
  if (isArtifactCell(value)) return `h:${value.hash ?? value.content_hash ?? ""}`;
  if (typeof value === "number") return `n:${value}`;
  if (typeof value === "string") return `s:${value}`;
  return `j:${JSON.stringify(value)}`;
}

/** Per cell of `row`: whether it differs from the baseline column's. */
export function differsFrom(row: Row, base: number): boolean[] {
  const key = sameKey(row.values[base]);
  return row.values.map((v, i) => i !== base && sameKey(v) !== key);
}

/** The rows shown: those whose name holds `filter`, and with `diffOnly` those unlike the baseline in a shown column. */
export function visibleRows(rows: readonly Row[], options: { filter?: string | undefined; diffOnly: boolean; base: number; columns: readonly number[] }): Row[] {
  const needle = (options.filter ?? "").trim().toLowerCase();
  return rows.filter((row) => {
    if (needle && !`${row.section} ${row.key}`.toLowerCase().includes(needle)) return false;
    if (!options.diffOnly) return true;
    const key = sameKey(row.values[options.base]);
    return options.columns.some((i) => i !== options.base && sameKey(row.values[i]) !== key);
  });
}

/** The columns' order when sorted by `row`'s values: numbers by value, the rest by text, empty cells last. */
export function columnOrder(count: number, row: Row | undefined, descending: boolean): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  if (!row) return order;
  const value = (i: number) => row.values[i];
  return order.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const missingA = va === null || va === undefined;
    const missingB = vb === null || vb === undefined;
    if (missingA || missingB) return missingA === missingB ? a - b : missingA ? 1 : -1;
    const cmp = typeof va === "number" && typeof vb === "number" ? va - vb : cellText(va).localeCompare(cellText(vb), undefined, { numeric: true });
    return (descending ? -cmp : cmp) || a - b;
  });
}

/** A size in bytes as people read it. */
export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = size / 1024;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}

/** A cell's text: "—" for none, an artifact as `1.2 kB · 3fa2c1d0`, a list of strings joined, JSON for other objects. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (isArtifactCell(value)) {
    const hash = (value.hash ?? value.content_hash ?? "").slice(0, 8);
    return typeof value.size === "number" ? `${formatBytes(value.size)} · ${hash}` : hash;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function exportValue(value: unknown): CsvValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (isArtifactCell(value)) return value.hash ?? value.content_hash ?? null;
  return cellText(value);
}

/** The comparison as CSV: a row per attribute, a column per run (in the order shown), then whether it differs and the best run. */
export function comparisonCsv(runNames: readonly string[], columns: readonly number[], rows: readonly Row[], base: number): { header: string[]; rows: CsvValue[][] } {
  return {
    header: ["section", "key", ...columns.map((i) => runNames[i] ?? ""), "differs_from_baseline", "best"],
    rows: rows.map((r) => {
      const differs = differsFrom(r, base);
      return [
        r.section,
        r.key,
        ...columns.map((i) => exportValue(r.values[i])),
        columns.some((i) => differs[i]) ? "yes" : "no",
        r.best === null || r.best === undefined ? null : (runNames[r.best] ?? null),
      ];
    }),
  };
}

/** The comparison as JSON: per run its name and id, per row the values keyed by run name. */
export function comparisonJson(runs: readonly { id: string; name: string }[], columns: readonly number[], rows: readonly Row[], base: number): string {
  const doc = {
    baseline: runs[base]?.name ?? null,
    runs: columns.map((i) => ({ id: runs[i]?.id, name: runs[i]?.name })),
    rows: rows.map((r) => ({
      section: r.section,
      key: r.key,
      kind: r.kind,
      values: Object.fromEntries(columns.map((i) => [runs[i]?.name ?? String(i), r.values[i] ?? null])),
      differs_from_baseline: columns.some((i) => differsFrom(r, base)[i]),
      best: r.best === null || r.best === undefined ? null : (runs[r.best]?.name ?? null),
    })),
  };
  return JSON.stringify(doc, null, 2);
}

/** Rows that can be an axis of the parallel coordinates: numbers, or text with few distinct values. */
export function axisCandidates(rows: readonly Row[]): Row[] {
  return rows.filter((r) => {
    if (r.section === "artifacts" || r.section === "snapshot") return false;
    const present = r.values.filter((v) => v !== null && v !== undefined);
    if (present.length === 0) return false;
    if (present.every((v) => typeof v === "number")) return true;
    if (present.every((v) => typeof v === "string" || typeof v === "boolean")) return new Set(present.map(String)).size <= 50;
    return false;
  });
}

/** Whether an axis is numeric (all present values numbers). */
export function isNumericAxis(row: Row): boolean {
  return row.values.every((v) => v === null || v === undefined || typeof v === "number");
}

/** The axes to start with: the first few metrics, then parameters, varying across runs. */
export function defaultAxes(candidates: readonly Row[], max = 6): string[] {
  const rank = (r: Row) => (r.section === "metrics" ? 0 : r.section === "parameters" ? 1 : 2);
  return [...candidates]
    .filter((r) => r.differs)
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, max)
    .map(rowId);
}

/**
 * Which runs lie inside every brushed axis. `values[axis][run]` is the run's value on that axis (a number,
 * a category, or null). A run with no value on a brushed axis is outside it. Runs in O(runs × brushed axes).
 */
export function insideBrushes(count: number, values: Record<string, readonly unknown[]>, brushes: Brushes | undefined): boolean[] {
  const inside = new Array<boolean>(count).fill(true);
  if (!brushes) return inside;
  for (const [axis, ranges] of Object.entries(brushes)) {
    const column = values[axis];
    if (!column || ranges.length === 0) continue;
    const categories = typeof ranges[0] === "string" ? new Set(ranges as string[]) : undefined;
    const intervals = categories ? [] : (ranges as [number, number][]);
    for (let i = 0; i < count; i += 1) {
      if (!inside[i]) continue;
      const v = column[i];
      if (v === null || v === undefined) inside[i] = false;
      else if (categories) inside[i] = categories.has(String(v));
      else inside[i] = typeof v === "number" && intervals.some(([lo, hi]) => v >= lo && v <= hi);
    }
  }
  return inside;
}

/** How many of the shown runs hold a value unlike the baseline's in `row`. */
export function differingCount(row: Row, base: number, columns: readonly number[]): number {
  const key = sameKey(row.values[base]);
  return columns.reduce((n, i) => n + (i !== base && sameKey(row.values[i]) !== key ? 1 : 0), 0);
}

/**
 * The rows in the order asked: by name within each section, or the rows where most runs differ from the
 * baseline first (sections kept, so the table's section headings still group them).
 */
export function sortRows(rows: readonly Row[], sort: RowSort | undefined, base: number, columns: readonly number[]): Row[] {
  if (!sort) return [...rows];
  const order = new Map<string, number>();
  for (const r of rows) if (!order.has(r.section)) order.set(r.section, order.size);
  const count = sort === "diff" ? new Map(rows.map((r) => [r, differingCount(r, base, columns)])) : undefined;
  return [...rows].sort((a, b) => {
    const bySection = (order.get(a.section) ?? 0) - (order.get(b.section) ?? 0);
    if (bySection) return bySection;
    if (count) {
      const byCount = (count.get(b) ?? 0) - (count.get(a) ?? 0);
      if (byCount) return byCount;
    }
    return a.key.localeCompare(b.key, undefined, { numeric: true });
  });
}
