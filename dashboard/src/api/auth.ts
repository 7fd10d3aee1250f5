import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { components } from "./schema";

export type Me = components["schemas"]["Me"];
export type LoginRequest = components["schemas"]["LoginRequest"];

export const authKeys = {
  all: ["auth"] as const,
  me: () => [...authKeys.all, "me"] as const,
};

export const authQueries = {
  me: () =>
    queryOptions({
      queryKey: authKeys.me(),
      queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/auth/me", { signal })),
      staleTime: 5 * 60_000,
    }),
};

/** Log in with a password; the server sets the session and CSRF cookies. */
export async function login(body: LoginRequest): Promise<Me> {
  return unwrap(await api.POST("/api/v1/auth/login", { body }));
}
