import { type RunsSearch, validateRunsSearch } from "../runs/search";

/** The pipelines list's URL search params. Defaults stay out of the URL. */
export interface PipelinesSearch {
  q?: string;
  sort?: string;
  page?: number;
  size?: number;
}

export const DEFAULT_SIZE = 50;
/** Sort keys the server understands for pipelines (FilterSpec.sorts). */
export const PIPELINE_SERVER_SORTS = ["name", "created"] as const;
/** Sorted within the page shown: the server computes these per page. */
export const PIPELINE_PAGE_SORTS = ["runs", "latest"] as const;
const SORTS: readonly string[] = [...PIPELINE_SERVER_SORTS, ...PIPELINE_PAGE_SORTS];

/** Accept what a hand-edited URL may hold; drop what makes no sense. */
export function validatePipelinesSearch(raw: Record<string, unknown>): PipelinesSearch {
  const { q, page, size, sort } = validateRunsSearch({ ...raw, sort: undefined, cols: undefined });
  const out: PipelinesSearch = {};
  if (q !== undefined) out.q = q;
  if (page !== undefined) out.page = page;
  if (size !== undefined) out.size = size;
  void sort;
  if (typeof raw.sort === "string" && SORTS.includes(raw.sort.replace(/^[-+]/, ""))) out.sort = raw.sort;
  return out;
}

export const PIPELINE_TABS = ["runs", "history"] as const;
export type PipelineTab = (typeof PIPELINE_TABS)[number];

/** A pipeline page: which tab, and its runs list's own filter, sort, paging and columns. */
export interface PipelineSearch extends RunsSearch {
  tab?: PipelineTab;
}

export function validatePipelineSearch(raw: Record<string, unknown>): PipelineSearch {
  const out: PipelineSearch = validateRunsSearch(raw);
  if (typeof raw.tab === "string" && (PIPELINE_TABS as readonly string[]).includes(raw.tab) && raw.tab !== "runs") out.tab = raw.tab as PipelineTab;
  return out;
}
