import { ARTIFACT_ROLES, type ArtifactRole, RUN_ROLES, type RunRole } from "../../../api/modelVersions";
import { MAX_DEPTH } from "../../artifacts/search";

export const VERSION_TABS = ["runs", "artifacts", "metadata", "lineage"] as const;
export type VersionTab = (typeof VERSION_TABS)[number];

/** The lineage tab walks up to the raw inputs by default, and not down. */
export const VERSION_LINEAGE_UP = MAX_DEPTH;
export const VERSION_LINEAGE_DOWN = 0;

/** A model version page's URL search params. Defaults stay out of the URL. */
export interface VersionSearch {
  tab?: VersionTab;
  /** The group of runs (or artifacts) to scroll to, e.g. `consumer` from the model's stage status. */
  role?: RunRole | ArtifactRole;
  /** The artifact version (its id) whose lineage the lineage tab shows; none: the version's model artifact. */
  artifact?: string;
  up?: number;
  down?: number;
}

function depth(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_DEPTH) : undefined;
}

/** Accept what a hand-edited URL may hold; drop what makes no sense. */
export function validateVersionSearch(raw: Record<string, unknown>): VersionSearch {
  const out: VersionSearch = {};
  if (typeof raw.tab === "string" && (VERSION_TABS as readonly string[]).includes(raw.tab) && raw.tab !== "runs") out.tab = raw.tab as VersionTab;
  if (typeof raw.role === "string" && ([...RUN_ROLES, ...ARTIFACT_ROLES] as readonly string[]).includes(raw.role)) out.role = raw.role as RunRole | ArtifactRole;
  if (typeof raw.artifact === "string" && /^[0-9a-f-]{32,36}$/i.test(raw.artifact)) out.artifact = raw.artifact;
  const up = depth(raw.up);
  if (up !== undefined && up !== VERSION_LINEAGE_UP) out.up = up;
  const down = depth(raw.down);
  if (down !== undefined && down !== VERSION_LINEAGE_DOWN) out.down = down;
  return out;
}
