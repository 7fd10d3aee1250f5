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
const elk = new ELK();

// Assigned (not addEventListener) on purpose: importing elk.bundled.js inside a worker installs
// ELK's own `self.onmessage` dispatcher, which would also answer our messages; this replaces it.
scope.onmessage = (event) => {
  runLayout(elk, event.data).then(
    (result) => scope.postMessage({ ...result, worker: { loadedMs } }),
    (error: unknown) => scope.postMessage({ key: event.data.key, error: error instanceof Error ? error.message : String(error) }),
  );
};
