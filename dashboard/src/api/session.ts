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

/** The CSRF token the server set in a readable cookie at login; echoed in X-CSRF-Token. */
export function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)waypost_csrf=([^;]*)/.exec(document.cookie);
  return match?.[1] ? decodeURIComponent(match[1]) : undefined;
}
