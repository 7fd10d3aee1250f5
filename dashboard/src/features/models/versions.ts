import type { ModelVersionRow } from "../../api/models";
import type { CsvValue } from "../../lib/csv";
import { type Block, type Inline, parseMarkdown } from "../artifacts/viz/markdown";

/**
 * Per metric with a direction (higher or lower is better), the id of the version on this page
 * holding the best value; ties go to the first row.
 */
export function bestOnPage(rows: readonly ModelVersionRow[], directions: Readonly<Record<string, string>>): Record<string, string> {
  const best: Record<string, { id: string; value: number }> = {};
  for (const row of rows) {
    for (const [key, direction] of Object.entries(directions)) {
      const value = (row.metrics as Record<string, unknown> | undefined)?.[key];
      if (typeof value !== "number") continue;
      const current = best[key];
      if (!current || (direction === "lower" ? value < current.value : value > current.value)) best[key] = { id: row.id, value };
    }
  }
  return Object.fromEntries(Object.entries(best).map(([key, { id }]) => [key, id]));
}

/** The versions shown, as CSV: one row per version, one column per metric shown. */
export function versionsCsv(rows: readonly ModelVersionRow[], metrics: readonly string[]): { header: string[]; rows: CsvValue[][] } {
  const header = ["id", "number", "name", "stage", "created", "run_id", "run", ...metrics.map((m) => `metadata.${m}`), "tags"];
  return {
    header,
    rows: rows.map((v) => {
      const values = (v.metrics ?? {}) as Record<string, unknown>;
      return [
        v.id,
        v.number,
        v.name,
        v.stage,
        v.created_at,
        v.run?.id,
        v.run?.name,
        ...metrics.map((m) => {
          const value = values[m];
          return value === undefined || value === null ? null : typeof value === "object" ? JSON.stringify(value) : (value as CsvValue);
        }),
        (v.tags ?? []).join(" "),
      ];
    }),
  };
}

function inlineText(nodes: readonly Inline[]): string {
  return nodes.map((n) => (n.t === "text" || n.t === "code" ? n.v : n.t === "br" ? " " : inlineText(n.c))).join("");
}

function blockText(block: Block): string {
  switch (block.t) {
    case "heading":
    case "para":
      return inlineText(block.c);
    case "code":
      return block.v;
    case "quote":
      return block.c.map(blockText).join(" ");
    case "list":
      return block.items.map((item) => item.map(blockText).join(" ")).join("; ");
    case "table":
      return block.header.map(inlineText).join(", ");
    case "hr":
      return "";
  }
}

/** A Markdown text as one line of plain words (marks dropped), for a header or a list row. */
export function plainSummary(markdown: string): string {
  return parseMarkdown(markdown).map(blockText).filter(Boolean).join(" ").replace(/\s+/g, " ").trim();
}
