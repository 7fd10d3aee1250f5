// Fails the build when the JavaScript the first page loads exceeds its budget (issue 4: 400 KB gzipped).
// The first page is index.html's entry script plus the chunks it preloads; lazy chunks do not count.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 400 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const files = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of new Set(files)) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`${file}  ${(size / 1024).toFixed(1)} KB gzipped`);
}
console.log(`first page JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("Over budget: load heavy views on demand (React.lazy / route lazy loading).");
  process.exit(1);
}
