import type { Model, ModelVersionRow, SettableStage } from "../../api/models";
import { type FilterVocabulary, distinct } from "../../lib/filter";
import { validateRunsSearch } from "../runs/search";

/** The models list's URL search params. Defaults stay out of the URL. */
export interface ModelsSearch {
  q?: string;
  sort?: string;
  page?: number;
  size?: number;
}

export const DEFAULT_SIZE = 50;
/** Sort keys the server understands for models (FilterSpec.sorts of models in the store). */
export const MODEL_SERVER_SORTS = ["name", "created"] as const;
/** Sorted within the page shown: the server knows these per row only. */
export const MODEL_PAGE_SORTS = ["versions", "latest"] as const;
const SORTS: readonly string[] = [...MODEL_SERVER_SORTS, ...MODEL_PAGE_SORTS];

const keyOf = (sort: string) => sort.replace(/^[-+]/, "");

export function isModelServerSort(sort: string | undefined): boolean {
  return sort !== undefined && (MODEL_SERVER_SORTS as readonly string[]).includes(keyOf(sort));
}

/** Accept what a hand-edited URL may hold; drop what makes no sense. */
export function validateModelsSearch(raw: Record<string, unknown>): ModelsSearch {
  const { q, page, size } = validateRunsSearch({ ...raw, sort: undefined, cols: undefined });
  const out: ModelsSearch = {};
  if (q !== undefined) out.q = q;
  if (page !== undefined) out.page = page;
  if (size !== undefined) out.size = size;
  if (typeof raw.sort === "string" && SORTS.includes(keyOf(raw.sort))) out.sort = raw.sort;
  return out;
}

/** Keys the server's models filter understands. */
export const MODEL_FILTER_KEYS = ["name", "tag", "created"] as const;
const AGES = ["1h", "24h", "7d", "30d"];

export function modelVocabulary(names: readonly string[], rows: readonly Model[]): FilterVocabulary {
  return {
    keys: [...MODEL_FILTER_KEYS],
    values: { name: names, tag: distinct(rows.flatMap((m) => m.tags ?? [])), created: AGES },
  };
}

/** Orders the page shown by what the server cannot sort on; rows without a value go last. */
export function sortModelsPage(items: readonly Model[], sort: string): Model[] {
  const desc = sort.startsWith("-");
  const key = keyOf(sort);
  const value = (m: Model): string | number | null => (key === "versions" ? (m.version_count ?? 0) : key === "latest" ? (m.latest_version ?? null) : null);
  return [...items].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
    return desc ? -c : c;
  });
}

// -- a model's page -------------------------------------------------------------------------------

export const MODEL_TABS = ["versions", "card", "history", "rules", "settings"] as const;
export type ModelTab = (typeof MODEL_TABS)[number];
export const VERSION_PAGE_SIZES = [20, 50, 100, 200] as const;
export const DEFAULT_VERSION_SIZE = 50;

/** A model page: the tab, and its versions table's filter, sort, page, size, metric columns and charted metric. */
export interface ModelSearch {
  tab?: ModelTab;
  q?: string;
  sort?: string;
  page?: number;
  size?: number;
  /** Metric columns, comma-separated, in order; absent: every metric; empty: none. */
  cols?: string;
  /** The metric the chart shows. */
  chart?: string;
}

const VERSION_SORTS = ["number", "name", "created", "stage"];

/** Whether `sort` is one the versions table can ask the server for (a column or `metadata.KEY`). */
export function isVersionSort(sort: string): boolean {
  const key = keyOf(sort);
  return VERSION_SORTS.includes(key) || (key.startsWith("metadata.") && key.length > "metadata.".length && sort.length <= 64);
}

export function validateModelSearch(raw: Record<string, unknown>): ModelSearch {
  const { q, page, size } = validateRunsSearch({ ...raw, sort: undefined, cols: undefined });
  const out: ModelSearch = {};
  if (typeof raw.tab === "string" && (MODEL_TABS as readonly string[]).includes(raw.tab) && raw.tab !== "versions") out.tab = raw.tab as ModelTab;
  if (q !== undefined) out.q = q;
  if (page !== undefined) out.page = page;
  if (size !== undefined && (VERSION_PAGE_SIZES as readonly number[]).includes(size) && size !== DEFAULT_VERSION_SIZE) out.size = size;
  if (typeof raw.sort === "string" && isVersionSort(raw.sort) && raw.sort !== "-number") out.sort = raw.sort;
  if (typeof raw.cols === "string" && raw.cols.length <= 8000) out.cols = raw.cols;
  if (typeof raw.chart === "string" && raw.chart && raw.chart.length <= 255) out.chart = raw.chart;
  return out;
}

/** The metric columns a `cols` value names; undefined (absent) asks for the server's default. */
export function parseMetricCols(cols: string | undefined): string[] | undefined {
  if (cols === undefined) return undefined;
  return [...new Set(cols.split(",").map((c) => c.trim()).filter(Boolean))];
}

/** Keys the versions filter understands (VERSION_FILTERS in the store), and metadata keys of the model. */
export const VERSION_FILTER_KEYS = ["name", "number", "stage", "created", "tag"] as const;
export const STAGES: readonly SettableStage[] = ["none", "staging", "production", "archived"];

export function versionVocabulary(metricKeys: readonly string[], rows: readonly ModelVersionRow[]): FilterVocabulary {
  return {
    keys: [...VERSION_FILTER_KEYS, ...metricKeys.map((k) => `metadata.${k}`)],
    values: { stage: STAGES, name: rows.map((r) => r.name), tag: distinct(rows.flatMap((r) => r.tags ?? [])), created: AGES },
  };
}

/** The card's markdown sections besides the description, in the order the page shows them. */
export const CARD_SECTIONS = [
  { key: "license", label: "License" },
  { key: "audience", label: "Audience" },
  { key: "use_cases", label: "Use cases" },
  { key: "limitations", label: "Limitations" },
  { key: "trade_offs", label: "Trade-offs" },
  { key: "ethics", label: "Ethics" },
] as const;
export type CardKey = "description" | (typeof CARD_SECTIONS)[number]["key"];
