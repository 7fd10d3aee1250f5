import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

type S = components["schemas"];
export type Level = S["Level"];
export type Organization = S["OrganizationRead"];
export type Workspace = S["WorkspaceRead"];
export type Project = S["ProjectRead"];
export type Team = S["TeamRead"];
export type Role = S["RoleRead"];
export type RoleCreate = S["RoleCreate"];
export type Grant = S["GrantRead"];
export type GrantCreate = S["GrantCreate"];
export type Share = S["ShareRead"];
export type ShareCreate = S["ShareCreate"];
export type MyAccess = S["MyAccess"];
export type UserAccess = S["UserAccess"];
export type AccessSource = S["AccessSource"];
export type ResourceAccess = S["ResourceAccess"];
export type User = S["UserRead"];
export type UserCreate = S["UserCreate"];
export type AuditEvent = S["AuditEventRead"];
export type AuditPage = S["Page_AuditEventRead_"];

/** Resources one of which can be shared with a user or team (stacks come later). */
export type ShareableType = "pipeline" | "run" | "artifact" | "model" | "stack";

/** Users fit one page: organizations have hundreds, not the server's 1,000-a-page limit. */
const USER_PAGE = 1000;

export interface GrantFilter {
  workspace?: string | undefined;
  project?: string | undefined;
  user?: string | undefined;
  team?: string | undefined;
}

export interface AuditParams {
  q: string;
  page: number;
  size: number;
}

/** Query keys: a change to teams, roles, grants or shares invalidates `all` (each page shows several). */
export const accessKeys = {
  all: ["access"] as const,
  me: () => [...accessKeys.all, "me"] as const,
  organization: () => [...accessKeys.all, "organization"] as const,
  projects: () => [...accessKeys.all, "projects"] as const,
  workspaces: () => [...accessKeys.all, "workspaces"] as const,
  users: () => [...accessKeys.all, "users"] as const,
  teams: () => [...accessKeys.all, "teams"] as const,
  roles: () => [...accessKeys.all, "roles"] as const,
  grants: (filter: GrantFilter) => [...accessKeys.all, "grants", filter] as const,
  shares: (type: string, id: string) => [...accessKeys.all, "shares", type, id] as const,
  userAccess: (user: string) => [...accessKeys.all, "user", user] as const,
  resourceAccess: (type: string, id: string) => [...accessKeys.all, "resource", type, id] as const,
  audit: (params: AuditParams) => ["audit", params] as const,
};

export const accessQueries = {
  /** What the caller may do, by scope: decides which controls the dashboard shows. */
  me: () =>
    queryOptions({
      queryKey: accessKeys.me(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/access/me", { signal })),
      staleTime: 60_000,
    }),
  organization: () =>
    queryOptions({
      queryKey: accessKeys.organization(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/organization", { signal })),
    }),
  /** The projects the caller can see, by workspace and name. */
  projects: () =>
    queryOptions({
      queryKey: accessKeys.projects(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/projects", { signal })),
      staleTime: 60_000,
    }),
  workspaces: () =>
    queryOptions({
      queryKey: accessKeys.workspaces(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/workspaces", { signal })),
      staleTime: 60_000,
    }),
  users: () =>
    queryOptions({
      queryKey: accessKeys.users(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/users", { params: { query: { size: USER_PAGE } }, signal })).items,
    }),
  teams: () =>
    queryOptions({
      queryKey: accessKeys.teams(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/teams", { signal })),
    }),
  roles: () =>
    queryOptions({
      queryKey: accessKeys.roles(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/roles", { signal })),
      staleTime: 60_000,
    }),
  grants: (filter: GrantFilter) =>
    queryOptions({
      queryKey: accessKeys.grants(filter),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/grants", { params: { query: filter }, signal })),
    }),
  shares: (type: ShareableType, id: string) =>
    queryOptions({
      queryKey: accessKeys.shares(type, id),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/shares/{resource_type}/{resource_id}", { params: { path: { resource_type: type, resource_id: id } }, signal })),
    }),
  userAccess: (user: string) =>
    queryOptions({
      queryKey: accessKeys.userAccess(user),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/access/users/{user}", { params: { path: { user } }, signal })),
    }),
  resourceAccess: (type: ShareableType, id: string) =>
    queryOptions({
      queryKey: accessKeys.resourceAccess(type, id),
      queryFn: async ({ signal }) =>
        unwrap(await api.GET("/api/v1/access/resources/{resource_type}/{resource_id}", { params: { path: { resource_type: type, resource_id: id } }, signal })),
    }),
  audit: (params: AuditParams) =>
    queryOptions({
      queryKey: accessKeys.audit(params),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/audit-events", { params: { query: { q: params.q, page: params.page, size: params.size } }, signal })),
      placeholderData: keepPreviousData,
    }),
};

/** The address of the audit log as CSV (the server streams it as an attachment). */
export function auditExportUrl(q: string): string {
  const query = new URLSearchParams(q ? { q } : {});
  const suffix = query.size ? `?${query.toString()}` : "";
  return `${window.location.origin}/api/v1/audit-events/export.csv${suffix}`;
}

/** Nothing back: a 2xx, or an ApiError with the server's one line. */
async function done(result: Promise<{ error?: unknown; response: Response }>): Promise<void> {
  const answer = await result;
  if (!answer.response.ok) unwrap({ ...answer, data: undefined });
}

export async function createUser(body: UserCreate): Promise<User> {
  return unwrap(await api.POST("/api/v1/users", { body }));
}

export async function deactivateUser(user: string): Promise<User> {
  return unwrap(await api.POST("/api/v1/users/{user}/deactivate", { params: { path: { user } } }));
}

export async function createTeam(body: { name: string; description?: string | null; members?: string[] }): Promise<Team> {
  return unwrap(await api.POST("/api/v1/teams", { body }));
}

export async function deleteTeam(team: string): Promise<void> {
  await done(api.DELETE("/api/v1/teams/{team}", { params: { path: { team } } }));
}

export async function addTeamMembers(team: string, users: string[]): Promise<Team> {
  return unwrap(await api.POST("/api/v1/teams/{team}/members", { params: { path: { team } }, body: { users } }));
}

export async function removeTeamMember(team: string, user: string): Promise<Team> {
  return unwrap(await api.DELETE("/api/v1/teams/{team}/members/{user}", { params: { path: { team, user } } }));
}

export async function createRole(body: RoleCreate): Promise<Role> {
  return unwrap(await api.POST("/api/v1/roles", { body }));
}

/** Roles by id: names repeat across levels. */
export async function updateRole(roleId: string, body: { permissions?: string[]; description?: string | null }): Promise<Role> {
  return unwrap(await api.PATCH("/api/v1/roles/{role}", { params: { path: { role: roleId } }, body }));
}

export async function deleteRole(roleId: string): Promise<void> {
  await done(api.DELETE("/api/v1/roles/{role}", { params: { path: { role: roleId } } }));
}

export async function createGrant(body: GrantCreate): Promise<Grant> {
  return unwrap(await api.POST("/api/v1/grants", { body }));
}

export async function revokeGrant(grantId: string): Promise<void> {
  await done(api.DELETE("/api/v1/grants/{grant_id}", { params: { path: { grant_id: grantId } } }));
}

export async function createShare(type: ShareableType, id: string, body: ShareCreate): Promise<Share> {
  return unwrap(await api.POST("/api/v1/shares/{resource_type}/{resource_id}", { params: { path: { resource_type: type, resource_id: id } }, body }));
}

export async function revokeShare(shareId: string): Promise<void> {
  await done(api.DELETE("/api/v1/shares/{share_id}", { params: { path: { share_id: shareId } } }));
}
