import type { Artifact, ArtifactSuggestKey } from "../../api/artifacts";
import { type FilterVocabulary, completing, distinct, parse, quoteValue } from "../../lib/filter";
import { validateRunsSearch } from "../runs/search";

/** The artifacts list's URL search params. Defaults stay out of the URL. */
export interface ArtifactsSearch {
  q?: string;
  sort?: string;
  page?: number;
  size?: number;
}

export const DEFAULT_SIZE = 50;
/** Sort keys the server understands for artifacts (FilterSpec.sorts). */
export const ARTIFACT_SERVER_SORTS = ["name", "created", "versions"] as const;
/** Sorted within the page shown: the server knows these per row only. */
export const ARTIFACT_PAGE_SORTS = ["type", "size", "pipeline"] as const;
const SORTS: readonly string[] = [...ARTIFACT_SERVER_SORTS, ...ARTIFACT_PAGE_SORTS];

const keyOf = (sort: string) => sort.replace(/^[-+]/, "");

export function isArtifactServerSort(sort: string | undefined): boolean {
  return sort !== undefined && (ARTIFACT_SERVER_SORTS as readonly string[]).includes(keyOf(sort));
}

/** Accept what a hand-edited URL may hold; drop what makes no sense. */
export function validateArtifactsSearch(raw: Record<string, unknown>): ArtifactsSearch {
  const { q, page, size } = validateRunsSearch({ ...raw, sort: undefined, cols: undefined });
  const out: ArtifactsSearch = {};
  if (q !== undefined) out.q = q;
  if (page !== undefined) out.page = page;
  if (size !== undefined) out.size = size;
  if (typeof raw.sort === "string" && SORTS.includes(keyOf(raw.sort))) out.sort = raw.sort;
  return out;
}

export const ARTIFACT_TABS = ["overview", "versions", "lineage"] as const;
export type ArtifactTab = (typeof ARTIFACT_TABS)[number];

/** Hops the lineage graph may follow each way (the server's limit); it bounds the node count too. */
export const MAX_DEPTH = 50;
export const DEFAULT_UP = 3;
export const DEFAULT_DOWN = 3;

/** An artifact page: which version, which tab, and the lineage depths. */
export interface ArtifactSearch {
  version?: number;
  tab?: ArtifactTab;
  up?: number;
  down?: number;
}

function depth(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_DEPTH) : undefined;
}

export function validateArtifactSearch(raw: Record<string, unknown>): ArtifactSearch {
  const out: ArtifactSearch = {};
  const v = typeof raw.version === "number" ? raw.version : typeof raw.version === "string" ? Number(raw.version) : Number.NaN;
  if (Number.isInteger(v) && v >= 1) out.version = v;
  if (typeof raw.tab === "string" && (ARTIFACT_TABS as readonly string[]).includes(raw.tab) && raw.tab !== "overview") out.tab = raw.tab as ArtifactTab;
  const up = depth(raw.up);
  if (up !== undefined && up !== DEFAULT_UP) out.up = up;
  const down = depth(raw.down);
  if (down !== undefined && down !== DEFAULT_DOWN) out.down = down;
  return out;
}

/** "Trace back": the lineage toward the raw inputs only, as far as it goes. */
export const TRACE_BACK: ArtifactSearch = { tab: "lineage", up: MAX_DEPTH, down: 0 };

/** Keys the server's artifacts filter understands (artifact_filters.FILTERS in the store). */
export const ARTIFACT_FILTER_KEYS = ["name", "pipeline", "type", "tag", "created"] as const;
const SERVER_SUGGESTED: ReadonlySet<string> = new Set<ArtifactSuggestKey>(["pipeline", "type", "tag"]);
const AGES = ["1h", "24h", "7d", "30d"];

/** The server's question for the value being typed, when the server knows that key's values. */
export function artifactServerSuggestion(draft: string): { key: ArtifactSuggestKey; prefix: string } | undefined {
  const { key, typed } = completing(draft);
  return key && SERVER_SUGGESTED.has(key) ? { key: key as ArtifactSuggestKey, prefix: typed } : undefined;
}

/** What the artifacts box suggests: names, and pipelines, types and tags from the rows in view and the server. */
export function artifactVocabulary(
  names: readonly string[],
  rows: readonly Artifact[],
  fromServer?: { key: string; values: readonly string[] },
): FilterVocabulary {
  const extra = (key: string) => (fromServer?.key === key ? fromServer.values : []);
  return {
    keys: [...ARTIFACT_FILTER_KEYS],
    values: {
      name: names,
      pipeline: distinct([...rows.map((a) => a.pipeline_name), ...extra("pipeline")]),
      type: distinct([...rows.map((a) => a.data_type), ...extra("type")]),
      tag: distinct([...rows.flatMap((a) => a.tags ?? []), ...extra("tag")]),
      created: AGES,
    },
  };
}

/** The value of the query's one plain `key:value` term (what a quick-filter select shows), if it has exactly one. */
export function termValue(q: string, key: string): string | undefined {
  try {
    const found = parse(q).filter((t) => t.key === key);
    const only = found[0];
    return found.length === 1 && only && !only.negate && only.op === ":" && only.values.length === 1 ? only.values[0] : undefined;
  } catch {
    return undefined;
  }
}

/** ``q`` with its plain `key:` terms replaced by `key:value` (or just removed when `value` is undefined). */
export function withTerm(q: string, key: string, value: string | undefined): string {
  let rest = q;
  try {
    // Cut from the end so earlier positions stay valid; negated terms and other operators stay.
    for (const t of parse(q).reverse()) {
      if (t.key === key && !t.bare && !t.negate && t.op === ":") rest = `${rest.slice(0, t.start).trimEnd()} ${rest.slice(t.end).trimStart()}`;
    }
  } catch {
    // A query the parser rejects is left as typed: the server will name its problem.
  }
  const kept = rest.trim();
  return value === undefined ? kept : [kept, `${key}:${quoteValue(value)}`].filter(Boolean).join(" ");
}
