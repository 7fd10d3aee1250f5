/**
 * What public/early.js asked the server for before the app's code had loaded: a deep-linked
 * comparison's runs, or a run page's run and graph. The app takes each once, when it asks for the
 * same thing in the same project.
 */
interface Early {
  project: string | null;
  response: Promise<Response>;
}

declare global {
  interface Window {
    /** By "kind key": "compare a,b,c", "run ID", "graph ID". */
    __wpEarly?: Record<string, Early | undefined>;
    /** Set as the app's code starts: early.js, if it runs later, asks for nothing. */
    __wpAppStarted?: boolean;
  }
}

/**
 * The body of the early request for `kind` and `key` in `project` (once), or undefined when there
 * was none, it asked for something else, or it failed: the caller then asks through the API client,
 * whose errors and session handling apply.
 */
/** Marks the app as started, before it reads anything: see `__wpAppStarted`. */
export function markAppStarted(): void {
  window.__wpAppStarted = true;
}

export async function takeEarly<T>(kind: string, key: string, project: string | undefined): Promise<T | undefined> {
  const all = window.__wpEarly;
  const name = `${kind} ${key}`;
  const early = all?.[name];
  if (!all || !early) return undefined;
  all[name] = undefined; // once: a later read of the same thing is a fresh one
  if (early.project !== (project ?? null)) return undefined;
  try {
    const response = await early.response;
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
