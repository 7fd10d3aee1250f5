import type { MetadataEntity, MetadataKeySort } from "../../api/metadataExplorer";

/** The metadata explorer's URL search params. Defaults stay out of the URL. */
export interface MetadataSearch {
  /** A run filter: only metadata of matching runs, their steps, artifacts and model versions. */
  q?: string;
  entity?: MetadataEntity;
  /** Keys containing this (any case). */
  contains?: string;
  sort?: MetadataKeySort;
  page?: number;
  /** The key whose history is shown. */
  key?: string;
  /** Only this pipeline's runs in the history. */
  pipeline?: string;
  /** The saved view this state came from. */
  view?: string;
}

export const ENTITIES: readonly MetadataEntity[] = ["run", "step", "artifact_version", "model_version"];
export const ENTITY_LABELS: Record<MetadataEntity, string> = { run: "run", step: "step", artifact_version: "artifact", model_version: "model" };
export const SORTS: readonly MetadataKeySort[] = ["count", "key", "last_seen"];
export const DEFAULT_SORT: MetadataKeySort = "count";
export const PAGE_SIZE = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A string the server would accept in a parameter of at most `max` characters, else undefined. */
function text(value: unknown, max: number): string | undefined {
  const s = typeof value === "number" ? String(value) : value;
  return typeof s === "string" && s.length > 0 && s.length <= max ? s : undefined;
}

/** Accept what a hand-edited URL may hold; drop what makes no sense. */
export function validateMetadataSearch(raw: Record<string, unknown>): MetadataSearch {
  const out: MetadataSearch = {};
  const q = text(raw.q, 2000)?.trim();
  if (q) out.q = q;
  if (typeof raw.entity === "string" && (ENTITIES as readonly string[]).includes(raw.entity)) out.entity = raw.entity as MetadataEntity;
  const contains = text(raw.contains, 255);
  if (contains?.trim()) out.contains = contains;
  if (typeof raw.sort === "string" && (SORTS as readonly string[]).includes(raw.sort) && raw.sort !== DEFAULT_SORT) out.sort = raw.sort as MetadataKeySort;
  const page = typeof raw.page === "number" ? raw.page : typeof raw.page === "string" ? Number(raw.page) : Number.NaN;
  if (Number.isInteger(page) && page > 1 && page <= 10_000_000) out.page = page;
  const key = text(raw.key, 255);
  if (key) out.key = key;
  const pipeline = text(raw.pipeline, 255);
  if (pipeline) out.pipeline = pipeline;
  if (typeof raw.view === "string" && UUID.test(raw.view)) out.view = raw.view.toLowerCase();
  return out;
}

/** What a saved view of this page holds: the filters, the key and the history's pipeline. */
export type MetadataViewState = Pick<MetadataSearch, "q" | "entity" | "contains" | "sort" | "key" | "pipeline">;
const STATE_FIELDS = ["q", "entity", "contains", "sort", "key", "pipeline"] as const;

/** The state to save for the page as it stands (no paging, no view id). */
export function viewStateOf(search: MetadataSearch): MetadataViewState {
  const out: MetadataViewState = {};
  for (const f of STATE_FIELDS) if (search[f] !== undefined) Object.assign(out, { [f]: search[f] });
  return out;
}

/** The page's search for a stored view: its state, validated like a URL (a view may be old or hand-made), and its id. */
export function searchOfView(id: string, state: Record<string, unknown>): MetadataSearch {
  const picked: Record<string, unknown> = {};
  for (const f of STATE_FIELDS) picked[f] = state[f];
  return { ...viewStateOf(validateMetadataSearch(picked)), view: id };
}

/** Whether the URL holds none of a view's state: a bare `?view=ID` link, which the view's state fills in. */
export function isBareView(search: MetadataSearch): boolean {
  return search.view !== undefined && STATE_FIELDS.every((f) => search[f] === undefined);
}

/** Whether the page still shows what the view saved. */
export function matchesView(search: MetadataSearch, state: Record<string, unknown>): boolean {
  const saved = searchOfView("", state);
  return STATE_FIELDS.every((f) => saved[f] === search[f]);
}
