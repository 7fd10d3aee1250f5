import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

export type Me = components["schemas"]["Me"];
export type LoginRequest = components["schemas"]["LoginRequest"];
export type ApiKey = components["schemas"]["ApiKeyRead"];
export type ApiKeyCreated = components["schemas"]["ApiKeyCreated"];
export type PasswordChange = components["schemas"]["PasswordChange"];

/** The shortest password the server accepts (schemas/users.py MIN_PASSWORD_LENGTH). */
export const MIN_PASSWORD_LENGTH = 12;

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
  apiKeys: () => [...authKeys.all, "api-keys"] as const,
};

export const authQueries = {
  me: () =>
    queryOptions({
      queryKey: authKeys.me(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/auth/me", { signal })),
      staleTime: 5 * 60_000,
    }),
  /** The caller's own API keys that are not revoked, newest first (prefixes only, never secrets). */
  apiKeys: () =>
    queryOptions({
      queryKey: authKeys.apiKeys(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/auth/api-keys", { signal })),
    }),
};

/** Log in with a password; the server sets the session and CSRF cookies. */
export async function login(body: LoginRequest): Promise<Me> {
  return unwrap(await api.POST("/api/v1/auth/login", { body }));
}

/** End this browser session; the server clears its cookies. */
export async function logout(): Promise<void> {
  const result = await api.POST("/api/v1/auth/logout");
  // 401: the session had ended already, which is what was asked.
  if (!result.response.ok && result.response.status !== 401) unwrap(result);
}

/** Change the caller's password; the server ends their other sessions and revokes their API keys. */
export async function changePassword(body: PasswordChange): Promise<void> {
  const result = await api.POST("/api/v1/auth/password", { body });
  if (!result.response.ok) unwrap(result);
}

/** A new API key for the caller; `key` (the secret) is in this answer only. */
export async function createApiKey(body: { name: string; expires_at?: string | null }): Promise<ApiKeyCreated> {
  return unwrap(await api.POST("/api/v1/auth/api-keys", { body }));
}

/** Revoke one of the caller's API keys. */
export async function revokeApiKey(keyId: string): Promise<void> {
  const result = await api.DELETE("/api/v1/auth/api-keys/{key_id}", { params: { path: { key_id: keyId } } });
  if (!result.response.ok) unwrap(result);
}
