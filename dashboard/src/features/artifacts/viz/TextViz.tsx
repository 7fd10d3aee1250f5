import { Button, Code, Group, Pagination, SegmentedControl, Text, UnstyledButton } from "@mantine/core";
import { useEffect, useMemo, useState } from "react";

import { useVizJson, useVizReport, useVizText } from "./hooks";
import { Markdown } from "./Markdown";
import { pageLines, parseCsv } from "./parse";
import { Grid } from "./TableViz";
import type { VizProps } from "./types";

const PAGE_LINES = 2_000;

function Truncated({ viz }: Pick<VizProps, "viz">) {
  const meta = viz.meta ?? {};
  if (meta.truncated !== true) return null;
  const length = typeof meta.length === "number" ? ` of ${meta.length.toLocaleString("en-US")} characters` : "";
  return (
    <Text fz="xs" c="orange">
      Cut at 5 MB{length}; download the artifact for the rest.
    </Text>
  );
}

function PagedText({ text }: { text: string }) {
  const [page, setPage] = useState(0);
  const [wrap, setWrap] = useState(false);
  const { lines, pages, first } = useMemo(() => pageLines(text, page, PAGE_LINES), [text, page]);
  return (
    <>
      <Group justify="space-between" mb={4}>
        <Text fz="xs" c="dimmed">
          {pages > 1 ? `Lines ${(first + 1).toLocaleString("en-US")}–${(first + lines.length).toLocaleString("en-US")} · page ${page + 1} of ${pages}` : `${lines.length.toLocaleString("en-US")} lines`}
        </Text>
        <Group gap="xs">
          {pages > 1 ? <Pagination size="xs" total={pages} value={page + 1} onChange={(p) => setPage(p - 1)} data-testid="viz-text-pages" /> : null}
          <Button size="compact-xs" variant={wrap ? "filled" : "default"} onClick={() => setWrap((w) => !w)}>
            Wrap
          </Button>
        </Group>
      </Group>
      <Code block style={{ maxHeight: 560, overflow: "auto" }} data-testid="viz-text">
        <div style={{ display: "flex" }}>
          {/* numbers apart from the text, so a copied selection is the text alone; wrapped lines would misalign them */}
          {wrap ? null : (
            <span aria-hidden style={{ whiteSpace: "pre", textAlign: "right", userSelect: "none", paddingRight: 12, color: "var(--mantine-color-dimmed)" }}>
              {lines.map((_, i) => first + i + 1).join("\n")}
            </span>
          )}
          <span style={{ whiteSpace: wrap ? "pre-wrap" : "pre", wordBreak: wrap ? "break-word" : undefined, minWidth: 0 }}>{lines.join("\n")}</span>
        </div>
      </Code>
    </>
  );
}

export function TextViz({ version, viz, index }: VizProps) {
  const { data } = useVizText(version.id, index);
  const report = useVizReport();
  const csv = useMemo(() => (data === undefined ? null : parseCsv(data)), [data]);
  const [asTable, setAsTable] = useState(true);
  useEffect(() => {
    if (data !== undefined) report.ready();
  }, [data, report]);
  if (data === undefined) return <Text fz="sm" c="dimmed">Loading…</Text>;
  const columns = csv?.header.map((name) => ({ name, dtype: "text" })) ?? [];
  return (
    <>
      <Truncated viz={viz} />
      {csv ? (
        <SegmentedControl
          size="xs"
          mb={4}
          value={asTable ? "table" : "text"}
          onChange={(v) => setAsTable(v === "table")}
          data={[
            { value: "table", label: `Table (${csv.rows.length.toLocaleString("en-US")} rows)` },
            { value: "text", label: "Text" },
          ]}
        />
      ) : null}
      {csv && asTable ? <Grid columns={columns} total={csv.rows.length} rowAt={(i) => csv.rows[i]} sort={null} onSort={null} onRange={noop} /> : <PagedText text={data} />}
    </>
  );
}

function noop() {
  return undefined;
}

export function MarkdownViz({ version, viz, index }: VizProps) {
  const { data } = useVizText(version.id, index);
  const report = useVizReport();
  const [source, setSource] = useState(false);
  useEffect(() => {
    if (data !== undefined) report.ready();
  }, [data, report]);
  if (data === undefined) return <Text fz="sm" c="dimmed">Loading…</Text>;
  return (
    <>
      <Group justify="space-between" mb={4}>
        <Truncated viz={viz} />
        <SegmentedControl
          size="xs"
          value={source ? "source" : "rendered"}
          onChange={(v) => setSource(v === "source")}
          data={[
            { value: "rendered", label: "Rendered" },
            { value: "source", label: "Source" },
          ]}
        />
      </Group>
      {source ? (
        <PagedText text={data} />
      ) : (
        <div style={{ maxHeight: 640, overflow: "auto" }} data-testid="viz-markdown">
          <Markdown source={data} />
        </div>
      )}
    </>
  );
}

// -- JSON tree --------------------------------------------------------------------------------
const CHUNK = 100;

function summary(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length.toLocaleString("en-US")}]`;
  if (typeof value === "object" && value !== null) return `{${Object.keys(value).length.toLocaleString("en-US")}}`;
  return "";
}

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span style={{ color: "var(--mantine-color-dimmed)" }}>null</span>;
  if (typeof value === "string") return <span style={{ color: "light-dark(var(--mantine-color-green-8), var(--mantine-color-green-4))", whiteSpace: "pre-wrap" }}>{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span style={{ color: "light-dark(var(--mantine-color-blue-7), var(--mantine-color-blue-4))" }}>{String(value)}</span>;
  return <span style={{ color: "light-dark(var(--mantine-color-grape-7), var(--mantine-color-grape-4))" }}>{String(value)}</span>;
}

/** One key of the tree; its children are built only once it is opened. */
export function JsonNode({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const container = typeof value === "object" && value !== null;
  const [open, setOpen] = useState(depth < 1);
  const [shown, setShown] = useState(CHUNK);
  const label = name === null ? null : <span style={{ fontWeight: 600 }}>{name}: </span>;
  if (!container) {
    return (
      <div style={{ paddingLeft: 16 }} data-testid="viz-json-leaf">
        {label}
        <Leaf value={value} />
      </div>
    );
  }
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  return (
    <div style={{ paddingLeft: depth ? 16 : 0 }}>
      <UnstyledButton onClick={() => setOpen((o) => !o)} fz="sm" ff="monospace" data-testid="viz-json-toggle" aria-expanded={open}>
        <span style={{ display: "inline-block", width: 14, color: "var(--mantine-color-dimmed)" }}>{open ? "▾" : "▸"}</span>
        {label}
        <span style={{ color: "var(--mantine-color-dimmed)" }}>{summary(value)}</span>
      </UnstyledButton>
      {open ? (
        <>
          {entries.slice(0, shown).map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
          {entries.length > shown ? (
            <UnstyledButton pl={32} fz="xs" c="blue" onClick={() => setShown((s) => s + CHUNK * 10)}>
              Show {Math.min(CHUNK * 10, entries.length - shown).toLocaleString("en-US")} more of {(entries.length - shown).toLocaleString("en-US")}
            </UnstyledButton>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

const identity = (doc: unknown) => doc;

export function JsonViz({ version, viz, index }: VizProps) {
  const { data } = useVizJson(version.id, index, identity);
  const report = useVizReport();
  const [key, setKey] = useState(0);
  useEffect(() => {
    if (data !== undefined) report.ready();
  }, [data, report]);
  if (data === undefined) return <Text fz="sm" c="dimmed">Loading…</Text>;
  return (
    <>
      <Group justify="space-between" mb={4}>
        <Text fz="xs" c={viz.meta?.truncated === true ? "orange" : "dimmed"}>
          {viz.meta?.truncated === true ? "Pruned to fit 5 MB: long lists and strings are cut (\"… N more\")." : "Click a key to open it."}
        </Text>
        <Button size="compact-xs" variant="default" onClick={() => setKey((k) => k + 1)}>
          Collapse all
        </Button>
      </Group>
      <div key={key} style={{ fontFamily: "var(--mantine-font-family-monospace)", fontSize: "var(--mantine-font-size-sm)", maxHeight: 640, overflow: "auto" }} data-testid="viz-json">
        <JsonNode name={null} value={data} depth={0} />
      </div>
    </>
  );
}
