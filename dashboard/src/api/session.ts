import { useSyncExternalStore } from "react";

/** Whether the server answered 401: the app then asks the user to log in again. */
let ended = false;
const listeners = new Set<() => void>();

export function setSessionEnded(value: boolean): void {
  if (ended === value) return;
  ended = value;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSessionEnded(): boolean {
  return useSyncExternalStore(subscribe, () => ended);
}

/**
 * The CSRF cookie's name: the server adds the port the browser used, so that two servers
 * on one host (cookies ignore ports) keep their sessions apart. No port, no suffix.
 */
export function csrfCookieName(port: string = window.location.port): string {
  return port ? `waypost_csrf_${port}` : "waypost_csrf";
}

/** The CSRF token the server set in a readable cookie at login; echoed in X-CSRF-Token. */
export function csrfToken(): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${csrfCookieName()}=([^;]*)`).exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
