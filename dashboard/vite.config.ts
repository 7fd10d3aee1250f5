/// <reference types="vitest/config" />
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// Text assets worth compressing; smaller files gain less than a request header costs.
const COMPRESSIBLE = /\.(js|mjs|css|svg|html|json|txt|map)$/;
const MIN_GZIP_BYTES = 1024;

/**
 * Writes `file.gz` beside every text asset of the build over 1 KB, compressed once at
 * the highest level, so `waypost up` sends those bytes to browsers that accept gzip
 * instead of compressing on every request (server/web.py picks the .gz when allowed).
 */
function precompress(): Plugin {
  let outDir = "dist";
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return {
    name: "waypost-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const body = readFileSync(file);
        if (body.length < MIN_GZIP_BYTES) continue;
        const packed = gzipSync(body, { level: 9 });
        if (packed.length < body.length) writeFileSync(`${file}.gz`, packed);
      }
    },
  };
}

// Libraries only some pages load (charts, graphs, forms) stay in their own chunks, loaded on demand.
const ON_DEMAND = /node_modules[\\/](echarts|zrender|elkjs|@xyflow|@rjsf|ajv|ajv-formats|@cfworker|d3-[a-z]+|lodash|lodash-es|react-is|markdown-to-jsx|json-schema-traverse|fast-deep-equal|fast-uri|@x0k|react-number-format|@tanstack[\\/](react-virtual|virtual-core))[\\/]/;

/**
 * The code every page shares (React, Mantine, TanStack, the API client and the app's shared
 * modules) in two chunks beside the entry instead of some thirty small ones the automatic
 * splitting makes: each is a round trip to `waypost up` before the first page can run.
 */
const FIRST_LOAD_GROUPS = [
  { name: "vendor", test: (id: string) => id.includes("node_modules") && !ON_DEMAND.test(id), priority: 2 },
  { name: "shared", test: /[\\/]src[\\/](api|lib|components|app)[\\/]/, priority: 1 },
];

// `npm run dev` proxies the API to a `waypost up` on the default port.
const server = process.env.WAYPOST_URL ?? "http://127.0.0.1:8742";

export default defineConfig({
  plugins: [react(), precompress()],
  // scripts/size-budget.mjs guards the gzipped size of what the first page loads.
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: { output: { codeSplitting: { groups: FIRST_LOAD_GROUPS } } },
  },
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
