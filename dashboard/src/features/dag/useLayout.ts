import { useEffect, useState } from "react";

import { type LayoutRequest, type LayoutResult, runLayout } from "./layout";

type Reply = LayoutResult | { key: string; error: string };

// Layouts by structure key: a refetch that only changes statuses, or a return to a run seen a
// moment ago, reuses the positions instead of laying out again. Small: one entry per structure.
const cache = new Map<string, LayoutResult>();
const CACHE_SIZE = 24;
const inflight = new Map<string, Promise<LayoutResult>>();
let worker: Worker | undefined;
const waiting = new Map<string, { resolve: (r: LayoutResult) => void; reject: (e: Error) => void }>();
// How many mounted views want each structure: a layout nobody wants any more is stopped.
const wanted = new Map<string, number>();

/**
 * Stops the worker when every layout queued on it is for views that are gone (the user left a
 * 20,000-node run while it was being laid out): its one thread would otherwise stay busy for
 * minutes and hold up the next run's layout. Checked a tick after an unmount, so a view that
 * remounts at once (React's StrictMode) keeps its request.
 */
function stopUnwanted(): void {
  if (!worker || waiting.size === 0) return;
  for (const key of waiting.keys()) if ((wanted.get(key) ?? 0) > 0) return;
  worker.terminate();
  worker = undefined;
  const stopped = [...waiting.values()];
  waiting.clear();
  for (const w of stopped) w.reject(new Error("Layout stopped: the view that asked for it is gone"));
}

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      const w = waiting.get(reply.key);
      waiting.delete(reply.key);
      if ("error" in reply) w?.reject(new Error(reply.error));
      else {
        performance.mark("dag:layout-done", { detail: { layoutMs: reply.ms, ...reply.worker } });
        w?.resolve(reply);
      }
    };
    worker.onerror = (event) => {
      // A worker that fails to load fails every pending layout, and the next request starts a new one.
      for (const w of waiting.values()) w.reject(new Error(event.message || "The layout worker failed to start"));
      waiting.clear();
      worker?.terminate();
      worker = undefined;
    };
  }
  return worker;
}

async function layoutHere(req: LayoutRequest): Promise<LayoutResult> {
  // Where there are no workers (unit tests in happy-dom), lay out on this thread instead.
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  return runLayout(new ELK(), req);
}

/**
 * Starts the worker (and its 1.4 MB of ELK parsing) ahead of the first layout. The DAG's chunk
 * calls this as it loads, which is only ever because a DAG is about to be drawn.
 */
export function warmLayoutWorker(): void {
  if (typeof Worker !== "undefined") getWorker();
}

export function cachedLayout(key: string): LayoutResult | undefined {
  return cache.get(key);
}

/** The layout for a structure: from the cache, or computed once however many views ask. */
export function requestLayout(req: LayoutRequest): Promise<LayoutResult> {
  const hit = cache.get(req.key);
  if (hit) return Promise.resolve(hit);
  let p = inflight.get(req.key);
  if (!p) {
    p = (
      typeof Worker === "undefined"
        ? layoutHere(req)
        : new Promise<LayoutResult>((resolve, reject) => {
            waiting.set(req.key, { resolve, reject });
            performance.mark("dag:layout-post");
            getWorker().postMessage(req);
          })
    )
      .then((result) => {
        cache.set(req.key, result);
        if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        return result;
      })
      .finally(() => inflight.delete(req.key));
    inflight.set(req.key, p);
  }
  return p;
}

/** The layout of `req`, once known; `error` if it failed, with `retry`. */
export function useLayout(req: LayoutRequest): { layout: LayoutResult | undefined; error: string | undefined; retry: () => void } {
  const [, setDone] = useState<string>();
  const [failed, setFailed] = useState<{ key: string; message: string; attempt: number }>();
  const [attempt, setAttempt] = useState(0);
  // Asked for while rendering, not in an effect: the first commit of a view revealed by Suspense
  // can be held back ~300 ms by React, and the layout should not wait for it. Idempotent: one
  // request per structure, answered from the cache after that.
  if (!cache.has(req.key) && !inflight.has(req.key) && !(failed?.key === req.key && failed.attempt === attempt)) {
    requestLayout(req).catch(() => undefined);
  }
  useEffect(() => {
    if (cache.has(req.key)) return;
    const key = req.key;
    wanted.set(key, (wanted.get(key) ?? 0) + 1);
    let live = true;
    requestLayout(req).then(
      (r) => live && setDone(r.key),
      (e: unknown) => live && setFailed({ key: req.key, message: e instanceof Error ? e.message : String(e), attempt }),
    );
    return () => {
      live = false;
      const left = (wanted.get(key) ?? 1) - 1;
      if (left > 0) wanted.set(key, left);
      else wanted.delete(key);
      setTimeout(stopUnwanted, 0);
    };
  }, [req, attempt]);
  const error = failed && failed.key === req.key && failed.attempt === attempt ? failed.message : undefined;
  return { layout: cache.get(req.key), error, retry: () => setAttempt((a) => a + 1) };
}
