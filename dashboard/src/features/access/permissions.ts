import type { AccessSource, MyAccess, Project, Role } from "../../api/access";

/** Where a permission is asked about: the organization (nothing given), a workspace, a project, a resource. */
export interface Where {
  workspaceId?: string | undefined;
  projectId?: string | undefined;
  resource?: { type: string; id: string } | undefined;
}

/**
 * Whether the caller holds `permission` at `where`, as the server decides it (schemas/access.py
 * EffectiveAccess.can): organization-wide, or in the workspace, the project, or on the shared resource.
 */
export function can(me: MyAccess | undefined, permission: string, where: Where = {}): boolean {
  if (!me) return false;
  if (me.is_org_admin || me.organization.includes(permission)) return true;
  if (where.workspaceId && me.workspaces.some((w) => w.id === where.workspaceId && w.permissions.includes(permission))) return true;
  if (where.projectId && me.projects.some((p) => p.id === where.projectId && p.permissions.includes(permission))) return true;
  const r = where.resource;
  return !!r && me.shares.some((s) => s.resource_type === r.type && s.resource_id === r.id && s.permissions.includes(permission));
}

/** Whether `permission` holds at some scope (to show a menu entry whose page the server then narrows). */
export function anywhere(me: MyAccess | undefined, permission: string): boolean {
  if (!me) return false;
  return (
    me.is_org_admin ||
    me.organization.includes(permission) ||
    me.workspaces.some((w) => w.permissions.includes(permission)) ||
    me.projects.some((p) => p.permissions.includes(permission)) ||
    me.shares.some((s) => s.permissions.includes(permission))
  );
}

/** Whether `permission` holds for a resource of project `projectId` (its workspace found in `projects`). */
export function canInProject(me: MyAccess | undefined, permission: string, projectId: string | null | undefined, projects: readonly Project[] | undefined, resource?: Where["resource"]): boolean {
  const project = projects?.find((p) => p.id === projectId);
  return can(me, permission, { projectId: projectId ?? undefined, workspaceId: project?.workspace_id, resource });
}

/** The order of the grid's columns (schemas/access.py ACTIONS); an action the server adds later goes last. */
export const ACTIONS = ["read", "create", "update", "delete", "share", "run", "approve", "promote", "manage_members"] as const;

export interface Catalogue {
  /** Resource types in the server's order. */
  resources: string[];
  /** Every action some resource type admits, in ACTIONS order. */
  actions: string[];
  /** Whether "resource:action" is a permission. */
  has: (resource: string, action: string) => boolean;
  /**
   * Whether a role at `level` can make use of `resource`'s permissions: some built-in role of
   * that level holds one (a project role holding "team:read" grants nothing, as the server decides).
   */
  appliesAt: (resource: string, level: string) => boolean;
}

/**
 * The permission catalogue, read from the roles the server lists: the organization Admin holds
 * every permission, in catalogue order, so the grid never goes stale against the server.
 */
export function catalogue(roles: readonly Role[]): Catalogue {
  const admin = roles.find((r) => r.builtin && r.level === "organization" && r.name === "Admin");
  const all = new Set<string>(admin?.permissions ?? []);
  for (const role of roles) for (const p of role.permissions) all.add(p);
  const resources: string[] = [];
  const seenActions = new Set<string>();
  for (const p of all) {
    const [resource = "", action = ""] = p.split(":");
    if (!resources.includes(resource)) resources.push(resource);
    seenActions.add(action);
  }
  const known: readonly string[] = ACTIONS;
  const actions = [...known.filter((a) => seenActions.has(a)), ...[...seenActions].filter((a) => !known.includes(a))];
  const byLevel = new Map<string, Set<string>>();
  for (const role of roles) {
    if (!role.builtin) continue;
    const here = byLevel.get(role.level) ?? new Set<string>();
    for (const p of role.permissions) here.add(p.split(":")[0] ?? "");
    byLevel.set(role.level, here);
  }
  return {
    resources,
    actions,
    has: (resource, action) => all.has(`${resource}:${action}`),
    appliesAt: (resource, level) => level === "organization" || (byLevel.get(level)?.has(resource) ?? true),
  };
}

/** "manage_members" → "manage members". */
export const actionLabel = (action: string) => action.replace(/_/g, " ");

/** One node of the access explorer's tree: a scope and what the user holds there. */
export interface AccessNode {
  kind: "organization" | "workspace" | "project" | "shared";
  name: string;
  sources: AccessSource[];
  children: AccessNode[];
}

/**
 * A user's grants and shares as the hierarchy they apply in: organization → workspace →
 * project; shared single resources under the organization, apart. Scopes without a
 * source of their own appear only to hold a child that has one.
 */
export function accessTree(sources: readonly AccessSource[], organizationName = "Organization"): AccessNode {
  const root: AccessNode = { kind: "organization", name: organizationName, sources: [], children: [] };
  const workspaces = new Map<string, AccessNode>();
  const workspace = (name: string) => {
    let node = workspaces.get(name);
    if (!node) {
      node = { kind: "workspace", name, sources: [], children: [] };
      workspaces.set(name, node);
      root.children.push(node);
    }
    return node;
  };
  const shared: AccessNode = { kind: "shared", name: "Shared resources", sources: [], children: [] };
  for (const s of sources) {
    if (s.kind === "share") shared.sources.push(s);
    else if (s.scope_type === "organization") root.sources.push(s);
    else if (s.scope_type === "workspace") workspace(s.scope).sources.push(s);
    else {
      const [ws = "", project = s.scope] = s.scope.includes("/") ? s.scope.split("/", 2) : ["", s.scope];
      const parent = workspace(ws);
      let node = parent.children.find((c) => c.name === project);
      if (!node) {
        node = { kind: "project", name: project, sources: [], children: [] };
        parent.children.push(node);
      }
      node.sources.push(s);
    }
  }
  const byName = (a: AccessNode, b: AccessNode) => a.name.localeCompare(b.name);
  root.children.sort(byName);
  for (const w of root.children) w.children.sort(byName);
  if (shared.sources.length) root.children.push(shared);
  return root;
}

/** Projects grouped by workspace, as the switcher lists them. */
export function byWorkspace(projects: readonly Project[]): { workspace: string; projects: Project[] }[] {
  const groups = new Map<string, Project[]>();
  for (const p of projects) groups.set(p.workspace, [...(groups.get(p.workspace) ?? []), p]);
  return [...groups.entries()].map(([workspace, list]) => ({ workspace, projects: list }));
}
