/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` proxies the API to a `waypost up` on the default port.
const server = process.env.WAYPOST_URL ?? "http://127.0.0.1:8742";

export default defineConfig({
  plugins: [react()],
  // One entry chunk for now; scripts/size-budget.mjs guards the gzipped size that matters.
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      "/api": server,
      "/login": server,
      "/openapi.json": server,
    },
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node", // component tests opt in with `// @vitest-environment happy-dom`
    environmentOptions: { happyDOM: { url: "http://127.0.0.1:8742/" } },
  },
});
