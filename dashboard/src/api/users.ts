import { api, unwrap } from "./client";
import type { components } from "./schema";

export type UserInvite = components["schemas"]["UserInvite"];
export type Invitation = components["schemas"]["Invitation"];
export type LoginLink = components["schemas"]["LoginLink"];

/** A new person without a password, and the one-time login link to send them. */
export async function inviteUser(body: UserInvite): Promise<Invitation> {
  return unwrap(await api.POST("/api/v1/users/invitations", { body }));
}

/** A fresh one-time login link for an active person (their invite expired, or they lost their password). */
export async function createLoginLink(user: string): Promise<LoginLink> {
  return unwrap(await api.POST("/api/v1/users/{user}/login-link", { params: { path: { user } } }));
}
