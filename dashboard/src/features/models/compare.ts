import type { ComparedVersion, ComparisonRow } from "../../api/modelCompare";
import type { CsvValue } from "../../lib/csv";
import { toggleSelection as toggle } from "../../lib/selection";

/** The most versions one comparison takes (MAX_COMPARED_VERSIONS on the server). */
export const MAX_COMPARED = 50;

/** The compare page's URL search params: the versions, comma-separated, in column order. */
export interface CompareSearch {
  versions?: string;
  /** Only the rows whose values differ. */
  diff?: boolean;
  /** The artifact shown side by side (an artifacts row's key). */
  art?: string;
}

export function validateCompareSearch(raw: Record<string, unknown>): CompareSearch {
  const out: CompareSearch = {};
  const versions = typeof raw.versions === "number" ? String(raw.versions) : raw.versions;
  if (typeof versions === "string" && versions.length <= 4000) out.versions = versions;
  if (raw.diff === true || raw.diff === "true" || raw.diff === 1) out.diff = true;
  if (typeof raw.art === "string" && raw.art.length > 0 && raw.art.length <= 255) out.art = raw.art;
  return out;
}

/** The distinct versions a `versions` value names, in order. */
export function parseVersions(versions: string | undefined): string[] {
  return [...new Set((versions ?? "").split(",").map((v) => v.trim()).filter(Boolean))];
}

/** The sections of a comparison, as the page titles them, in the server's order. */
export const SECTION_LABELS: Record<ComparisonRow["section"], string> = {
  metrics: "Metrics",
  parameters: "Parameters",
  metadata: "Metadata",
  artifacts: "Artifacts",
  snapshot: "Pipeline snapshot",
};

interface ArtifactCell {
  version: number;
  data_type: string;
  content_hash: string;
  size: number;
}

function isArtifact(value: unknown): value is ArtifactCell {
  return typeof value === "object" && value !== null && "content_hash" in value && "version" in value;
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

/** A cell's text: "—" for none, an artifact as `v3 · 1.2 kB · 3fa2c1d0`, a list of names joined, JSON for the rest. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (isArtifact(value)) return `v${value.version} · ${formatBytes(value.size)} · ${value.content_hash.slice(0, 8)}`;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** What a cell is compared by: an artifact by its content, numbers as numbers, the rest by its text. */
function sameKey(value: unknown): string {
  if (isArtifact(value)) return value.content_hash;
  if (typeof value === "number") return `n:${value}`;
  return cellText(value);
}

/** Per cell of `row`: whether it differs from the first (baseline) version's. */
export function differsFromBaseline(row: ComparisonRow): boolean[] {
  const base = sameKey(row.values[0]);
  return row.values.map((v, i) => i > 0 && sameKey(v) !== base);
}

/** The rows to show, grouped by section in the server's order. */
export function groupRows(rows: readonly ComparisonRow[], diffOnly: boolean): [ComparisonRow["section"], ComparisonRow[]][] {
  const groups = new Map<ComparisonRow["section"], ComparisonRow[]>();
  for (const row of rows) {
    if (diffOnly && !row.differs) continue;
    const list = groups.get(row.section) ?? [];
    list.push(row);
    groups.set(row.section, list);
  }
  return [...groups.entries()];
}

/** A version as a column heading: its name, and its number when the name is not the number. */
export function versionLabel(v: Pick<ComparedVersion, "name" | "number">): string {
  return v.name === String(v.number) ? `#${v.number}` : `${v.name} (#${v.number})`;
}

/** The comparison as CSV: a row per attribute, a column per version; the best value of a metric keeps its number. */
export function comparisonCsv(versions: readonly ComparedVersion[], rows: readonly ComparisonRow[]): { header: string[]; rows: CsvValue[][] } {
  return {
    header: ["section", "key", ...versions.map(versionLabel), "differs", "best"],
    rows: rows.map((r) => [
      r.section,
      r.key,
      ...r.values.map((v) => (v === null || v === undefined ? null : typeof v === "number" ? v : cellText(v))),
      r.differs ? "yes" : "no",
      r.best === null || r.best === undefined ? null : versionLabel(versions[r.best] ?? { name: "", number: 0 }),
    ]),
  };
}

/** The selection after a click on version `name` of `order` (the rows shown); at most MAX_COMPARED stay. */
export function toggleSelection(selected: readonly string[], order: readonly string[], name: string, last: string | undefined, shift: boolean): string[] {
  return toggle(selected, order, name, last, shift, MAX_COMPARED);
}
