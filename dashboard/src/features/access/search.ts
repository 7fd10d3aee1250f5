/** URL search params of the settings pages. Defaults stay out of the URL. */

const SCOPES = ["organization", "workspace", "project"] as const;
export type ScopeKind = (typeof SCOPES)[number];
const RESOURCE_TYPES = ["run", "pipeline", "artifact", "model"] as const;
export type ExplorerResourceType = (typeof RESOURCE_TYPES)[number];

const text = (value: unknown, max = 511): string | undefined => (typeof value === "string" && value.trim() && value.length <= max ? value.trim() : undefined);

export interface GrantsSearch {
  /** Which scope's grants: the organization (the default), a workspace or a project. */
  scope?: ScopeKind;
  /** The workspace's name, or the project's "workspace/project". */
  at?: string;
}

export function validateGrantsSearch(raw: Record<string, unknown>): GrantsSearch {
  const out: GrantsSearch = {};
  if (typeof raw.scope === "string" && (SCOPES as readonly string[]).includes(raw.scope) && raw.scope !== "organization") out.scope = raw.scope as ScopeKind;
  const at = text(raw.at);
  if (out.scope && at) out.at = at;
  return out;
}

export interface ExplorerSearch {
  tab?: "resource";
  user?: string;
  type?: ExplorerResourceType;
  id?: string;
}

export function validateExplorerSearch(raw: Record<string, unknown>): ExplorerSearch {
  const out: ExplorerSearch = {};
  if (raw.tab === "resource") out.tab = "resource";
  const user = text(raw.user, 255);
  if (user) out.user = user;
  if (typeof raw.type === "string" && (RESOURCE_TYPES as readonly string[]).includes(raw.type)) out.type = raw.type as ExplorerResourceType;
  const id = text(raw.id, 64);
  if (id) out.id = id;
  return out;
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditSearch {
  q?: string;
  page?: number;
}

export function validateAuditSearch(raw: Record<string, unknown>): AuditSearch {
  const out: AuditSearch = {};
  const q = typeof raw.q === "string" && raw.q.trim() ? raw.q.trim().slice(0, 2000) : undefined;
  if (q) out.q = q;
  const page = Number(raw.page);
  if (Number.isInteger(page) && page > 1) out.page = page;
  return out;
}

export { RESOURCE_TYPES as EXPLORER_RESOURCE_TYPES };
