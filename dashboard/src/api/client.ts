import createClient, { type Middleware } from "openapi-fetch";

import type { paths } from "./schema";
import { PROJECT_HEADER, activeProject } from "./project";
import { csrfToken, setSessionEnded } from "./session";

/** An answer other than 2xx: its status and the server's one-line `detail`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

const auth: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method)) {
      const token = csrfToken();
      if (token) request.headers.set("X-CSRF-Token", token);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith("/auth/login")) {
      setSessionEnded(true);
    }
    return response;
  },
};

/** Organization-wide routes: who may do what, users, the audit log; a project does not narrow them. */
const ORGANIZATION_ROUTES = /^\/api\/v1\/(auth|users|organization|workspaces|projects|teams|roles|grants|shares|access|audit-events)(\/|$)/;

/** Narrows requests to the project picked in the header's switcher (none: all projects). */
const project: Middleware = {
  onRequest({ request }) {
    const current = activeProject();
    if (current && !request.headers.has(PROJECT_HEADER) && !ORGANIZATION_ROUTES.test(new URL(request.url).pathname)) {
      request.headers.set(PROJECT_HEADER, current);
    }
    return request;
  },
};

/** Same origin as the page: `waypost up` serves the dashboard and the API together. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin" });
api.use(auth, project);

/** The `detail` of an error body, whatever its shape. */
export function detailOf(error: unknown, status: number): string {
  if (typeof error === "object" && error !== null && "detail" in error) {
    const detail = (error as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
  }
  return `The server answered ${status}.`;
}

/** `data` of an openapi-fetch result, or an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    throw new ApiError(result.response.status, detailOf(result.error, result.response.status));
  }
  return result.data;
}
