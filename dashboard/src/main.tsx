import "@mantine/core/styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { markAppStarted } from "./api/early";
import { App, createQueryClient } from "./app/App";
import { router } from "./app/router";

markAppStarted(); // before any read: a late early.js leaves the reads to the app
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// The page a link opens starts loading its code now, beside the app's first render, not after it.
for (const route of router.getMatchedRoutes(window.location.pathname)[0]) {
  router.loadRouteChunk(route)?.catch(() => undefined); // the router loads it again, and says so, if this failed
}

createRoot(root).render(
  <StrictMode>
    <App router={router} queryClient={createQueryClient()} />
  </StrictMode>,
);
