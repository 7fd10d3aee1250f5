// Lays out DAGs off the main thread, so a big run's layout never freezes scrolling or typing.
import ELK from "elkjs/lib/elk.bundled.js";

import { type LayoutRequest, type LayoutResult, runLayout } from "./layout";

// The DOM lib types `self` as a Window; this is the worker's scope, typed for what is used here.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage: (message: LayoutResult | { key: string; error: string }) => void;
};

// The worker's clock starts when it is created: this is how long fetching and parsing ELK took.
const loadedMs = performance.now();
let warmedMs = loadedMs;
const elk = new ELK();

// A tiny first layout compiles ELK's code paths while the page is still fetching and rendering,
// so the run's own layout does not pay for them. Requests queue behind it on this thread anyway.
const warm = runLayout(elk, { key: "warm-up", nodes: [{ id: "a", width: 10, height: 10 }, { id: "b", width: 10, height: 10 }], edges: [{ id: "e", source: "a", target: "b" }], order: [] }).then(
  () => void (warmedMs = performance.now()),
  () => undefined,
);

// Assigned (not addEventListener) on purpose: importing elk.bundled.js inside a worker installs
// ELK's own `self.onmessage` dispatcher, which would also answer our messages; this replaces it.
scope.onmessage = (event) => {
  void warm.then(() => runLayout(elk, event.data)).then(
    (result) => scope.postMessage({ ...result, worker: { loadedMs, warmedMs } }),
    (error: unknown) => scope.postMessage({ key: event.data.key, error: error instanceof Error ? error.message : String(error) }),
  );
};
