import { useSyncExternalStore } from "react";

/**
 * The project the dashboard works in ("workspace/project"), or undefined for all projects.
 * The URL's `?project=` is the source of truth (the router copies it here before a page
 * loads); localStorage remembers it for the next visit; the API client sends it as the
 * X-Waypost-Project header, so that every list narrows to it.
 */
export const PROJECT_HEADER = "X-Waypost-Project";
export const STORAGE_KEY = "waypost.project";
const PATH = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Whether `value` looks like "workspace/project" (the server's slug rule for each half). */
export function isProjectPath(value: unknown): value is string {
  return typeof value === "string" && PATH.test(value);
}

function stored(): string | undefined {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isProjectPath(value) ? value : undefined;
  } catch {
    return undefined; // storage blocked (private mode, policy): the URL still works
  }
}

let active: string | undefined = stored();
const listeners = new Set<(project: string | undefined) => void>();

export function activeProject(): string | undefined {
  return active;
}

/** Switch projects (undefined: all); remembered for the next visit; listeners hear of a change. */
export function setActiveProject(project: string | undefined): void {
  const next = isProjectPath(project) ? project : undefined;
  try {
    if (next) window.localStorage.setItem(STORAGE_KEY, next);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // not remembered; the URL carries it
  }
  if (next === active) return;
  active = next;
  for (const listener of listeners) listener(next);
}

export function onProjectChange(listener: (project: string | undefined) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useActiveProject(): string | undefined {
  return useSyncExternalStore(onProjectChange, () => active);
}
