/**
 * What public/early.js asked the server for before the app's code had loaded: a deep-linked
 * comparison's runs. The app takes it once, when it asks for the same thing in the same project.
 */
interface Early {
  kind: string;
  key: string;
  project: string | null;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __wpEarly?: Early;
  }
}

/**
 * The body of the early request for `kind` and `key` in `project` (once), or undefined when there
 * was none, it asked for something else, or it failed: the caller then asks through the API client,
 * whose errors and session handling apply.
 */
export async function takeEarly<T>(kind: string, key: string, project: string | undefined): Promise<T | undefined> {
  const early = window.__wpEarly;
  if (!early || early.kind !== kind || early.key !== key || early.project !== (project ?? null)) return undefined;
  window.__wpEarly = undefined;
  try {
    const response = await early.response;
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
