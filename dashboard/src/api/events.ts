import type { QueryClient, QueryKey } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

import { type RunGraph, graphKeys } from "./graph";
import { pipelineKeys } from "./pipelines";
import { artifactKeys } from "./artifacts";
import { type Run, runKeys } from "./runs";

/**
 * One Server-Sent Events stream for the whole app (GET /api/v1/events): a `run` event
 * updates that run and refreshes the lists; a `step` event refreshes that run's graph and
 * step details. While the stream is down, queries fall back to polling (see `isLive`).
 */

export type LiveState = "connecting" | "live" | "reconnecting" | "off";

let state: LiveState = "off";
const listeners = new Set<() => void>();

function setState(next: LiveState) {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

/** Whether status changes arrive by the stream; when not, queries poll. */
export function isLive(): boolean {
  return state === "live";
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

/**
 * Reconnect delays: 1 s doubling to 15 s, with jitter so many tabs do not return at once.
 * The cap is short because the usual cause is a server restart, which takes seconds.
 */
export function backoff(attempt: number, random = Math.random): number {
  const base = Math.min(15_000, 1000 * 2 ** Math.min(attempt, 4));
  return Math.round(base * (0.75 + 0.5 * random()));
}

/** Bursts (a wide fan-out finishing) coalesce into one refetch per query per window. */
const FLUSH_MS = 400;

interface StepEvent {
  run_id: string;
  name: string;
}

/** The graph queries of a run: keyed by its id, or by its name when the page was opened by name. */
function graphQueriesOf(queryClient: QueryClient, run: string): QueryKey[] {
  return queryClient
    .getQueryCache()
    .findAll({ queryKey: graphKeys.all })
    .filter((q) => q.queryKey[1] === run || (q.state.data as RunGraph | undefined)?.run_id === run)
    .map((q) => q.queryKey);
}

/** The reactions to events, kept apart from the connection so tests can drive them. */
export function createEventHandler(queryClient: QueryClient) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lists = false;
  const runs = new Set<string>();

  const flush = () => {
    timer = undefined;
    // A query still fetching is left to finish and refreshed on the next round: invalidating
    // it would cancel it, and a big run's graph might then never finish loading.
    let again = false;
    if (lists) {
      if (queryClient.isFetching({ queryKey: runKeys.lists() }) > 0) again = true;
      else {
        void queryClient.invalidateQueries({ queryKey: runKeys.lists() });
        void queryClient.invalidateQueries({ queryKey: pipelineKeys.all });
        // A run that ends has written artifacts: the artifacts list gains versions.
        void queryClient.invalidateQueries({ queryKey: artifactKeys.lists() });
        lists = false;
      }
    }
    for (const run of [...runs]) {
      const graphs = graphQueriesOf(queryClient, run);
      if (graphs.some((key) => queryClient.isFetching({ queryKey: key, exact: true }) > 0)) {
        again = true;
        continue;
      }
      for (const key of graphs) void queryClient.invalidateQueries({ queryKey: key, exact: true });
      void queryClient.invalidateQueries({ queryKey: ["steps", run] });
      runs.delete(run);
    }
    if (again) schedule();
  };
  const schedule = () => {
    timer ??= setTimeout(flush, FLUSH_MS);
  };

  return {
    run(run: Run) {
      // The event carries the whole record: the run page updates without a request,
      // whether it was opened by the run's id or by its name.
      queryClient.setQueryData(runKeys.detail(run.id), run);
      for (const q of queryClient.getQueryCache().findAll({ queryKey: runKeys.details() })) {
        if ((q.state.data as Run | undefined)?.id === run.id) queryClient.setQueryData(q.queryKey, run);
      }
      lists = true;
      runs.add(run.id);
      schedule();
    },
    step(step: StepEvent) {
      runs.add(step.run_id);
      schedule();
    },
    /**
     * After a gap in the stream (or before its first open), what a page read may have changed unseen:
     * lists, and runs still going. Left as read: runs that had ended when read (no event changes them
     * any more), comparisons and structural diffs (point-in-time reads of up to a hundred runs, the
     * costliest the server answers, read again when a page opens them after ten seconds), and reads
     * still in flight (they finish rather than start over: a big run's graph could otherwise never land).
     */
    resync() {
      lists = true;
      const ended = endedRuns(queryClient);
      const keep = { cancelRefetch: false };
      void queryClient.invalidateQueries(
        {
          queryKey: runKeys.all,
          predicate: (q) => !POINT_IN_TIME.has(String(q.queryKey[1])) && !(q.queryKey[1] === "detail" && ended.has(String(q.queryKey[2]))),
        },
        keep,
      );
      void queryClient.invalidateQueries(
        { queryKey: graphKeys.all, predicate: (q) => !ended.has(String(q.queryKey[1])) && !ended.has(String((q.state.data as RunGraph | undefined)?.run_id)) },
        keep,
      );
      void queryClient.invalidateQueries({ queryKey: ["steps"], predicate: (q) => !ended.has(String(q.queryKey[1])) }, keep);
      schedule();
    },
    dispose() {
      if (timer) clearTimeout(timer);
    },
  };
}

/** Run queries (second part of the key) that a resync leaves alone; see resync. */
const POINT_IN_TIME = new Set(["compare", "diff"]);
/** Statuses a run does not leave. */
const ENDED = new Set<string>(["completed", "cached", "failed", "crashed", "stopped", "skipped"]);

/** The ids and names of the runs whose record, as read, says they had ended. */
function endedRuns(queryClient: QueryClient): Set<string> {
  const out = new Set<string>();
  for (const q of queryClient.getQueryCache().findAll({ queryKey: runKeys.details() })) {
    const run = q.state.data as Run | undefined;
    if (run && ENDED.has(run.status)) {
      out.add(run.id);
      out.add(run.name);
      out.add(String(q.queryKey[2]));
    }
  }
  return out;
}

function parse<T>(event: MessageEvent): T | undefined {
  try {
    return JSON.parse(String(event.data)) as T;
  } catch {
    return undefined;
  }
}

/** Whether any run, graph or step data is loaded (read before the stream listened, it may be stale). */
function hasRunData(queryClient: QueryClient): boolean {
  const cache = queryClient.getQueryCache();
  return [runKeys.all, graphKeys.all, ["steps"]].some((queryKey) => cache.findAll({ queryKey }).some((q) => q.state.dataUpdatedAt > 0));
}

/** Open the stream; returns a function that closes it. Without EventSource (tests), it stays off and queries poll. */
export function startEvents(queryClient: QueryClient, url = "/api/v1/events"): () => void {
  if (typeof EventSource === "undefined") return () => undefined;
  const handler = createEventHandler(queryClient);
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let everOpen = false;
  let stopped = false;

  const connect = () => {
    setState(everOpen ? "reconnecting" : "connecting");
    const es = new EventSource(url);
    source = es;
    es.onopen = () => {
      attempt = 0;
      // Pages read before the stream listened may have missed a change: refresh what is shown.
      if (everOpen || hasRunData(queryClient)) handler.resync();
      everOpen = true;
      setState("live");
    };
    es.addEventListener("run", (e) => {
      const run = parse<Run>(e);
      if (run?.id) handler.run(run);
    });
    es.addEventListener("step", (e) => {
      const step = parse<StepEvent>(e);
      if (step?.run_id) handler.step(step);
    });
    es.onerror = () => {
      // The browser's own retry is a fixed interval and gives up on an HTTP error; ours backs off and never gives up.
      es.close();
      if (stopped) return;
      const wasLive = state === "live";
      setState("reconnecting");
      // Polling takes over: refetch now so queries re-read isLive() and start their intervals.
      if (wasLive) handler.resync();
      retry = setTimeout(() => {
        retry = undefined;
        connect();
      }, backoff(attempt++));
    };
  };
  // Back online, or back to a tab left in the background: try now rather than at the end of the wait.
  const retryNow = () => {
    if (stopped || retry === undefined || document.visibilityState === "hidden") return;
    clearTimeout(retry);
    retry = undefined;
    attempt = 0;
    connect();
  };
  const onVisible = () => document.visibilityState === "visible" && retryNow();
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", onVisible);
  connect();
  return () => {
    stopped = true;
    window.removeEventListener("online", retryNow);
    document.removeEventListener("visibilitychange", onVisible);
    if (retry) clearTimeout(retry);
    source?.close();
    handler.dispose();
    setState("off");
  };
}
