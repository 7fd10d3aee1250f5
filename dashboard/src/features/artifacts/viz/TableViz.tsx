import { Alert, Box, Group, Text, UnstyledButton } from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState } from "react";

import { ApiError } from "../../../api/client";
import { type TableColumn, type TablePage, fetchTablePage, fetchVizJson } from "./api";
import { useVizReport } from "./hooks";
import { formatCell, parseTablePreview } from "./parse";
import type { VizProps } from "./types";

const BLOCK = 200;
const ROW_HEIGHT = 28;
const INDEX_WIDTH = 72;

export interface SortState {
  column: string | null;
  descending: boolean;
}

/** Header clicks cycle a column through ascending, descending and unsorted. */
export function nextSort(current: SortState, column: string): SortState {
  if (current.column !== column) return { column, descending: false };
  if (!current.descending) return { column, descending: true };
  return { column: null, descending: false };
}

/** The blocks of `BLOCK` rows that rows `[start, end]` fall in. */
export function blocksFor(start: number, end: number): number[] {
  const out: number[] = [];
  for (let b = Math.floor(Math.max(0, start) / BLOCK); b <= Math.floor(Math.max(0, end) / BLOCK); b++) out.push(b);
  return out;
}

function columnWidth(c: TableColumn): number {
  return Math.min(280, Math.max(96, 8 * Math.max(c.name.length, c.dtype.length) + 40));
}

interface GridProps {
  columns: TableColumn[];
  total: number;
  rowAt: (i: number) => unknown[] | undefined;
  sort: SortState | null;
  onSort: ((column: string) => void) | null;
  onRange: (start: number, end: number) => void;
  /** A new value (a new sort) scrolls back to the first row. */
  resetKey?: string;
}

/** A virtualized grid: only the rows in view (plus a few) are in the DOM. */
export function Grid({ columns, total, rowAt, sort, onSort, onRange, resetKey }: GridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [resetKey]);
  const virtualizer = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? Math.min(total, 30) - 1;
  useEffect(() => onRange(first, last), [first, last, onRange]);
  const template = `${INDEX_WIDTH}px ${columns.map((c) => `${columnWidth(c)}px`).join(" ")}`;
  const width = INDEX_WIDTH + columns.reduce((s, c) => s + columnWidth(c), 0);
  const cell = { padding: "0 8px", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", lineHeight: `${ROW_HEIGHT}px` } as const;
  const border = "1px solid var(--mantine-color-default-border)";
  return (
    <Box ref={scroller} style={{ height: Math.min(520, 56 + Math.max(total, 1) * ROW_HEIGHT), overflow: "auto", border, borderRadius: 4 }} data-testid="viz-table">
      <div style={{ width, minWidth: "100%" }}>
        <div role="row" style={{ display: "grid", gridTemplateColumns: template, position: "sticky", top: 0, zIndex: 1, background: "var(--mantine-color-body)", borderBottom: border }}>
          <Text fz="xs" c="dimmed" style={{ ...cell, lineHeight: "48px" }}>
            #
          </Text>
          {columns.map((c) => {
            const active = sort?.column === c.name;
            const arrow = active ? (sort.descending ? " ↓" : " ↑") : "";
            const label = (
              <>
                <Text fz="sm" fw={600} truncate>
                  {c.name}
                  {arrow}
                </Text>
                <Text fz="xs" c="dimmed" ff="monospace" truncate>
                  {c.dtype}
                </Text>
              </>
            );
            return onSort ? (
              <UnstyledButton
                key={c.name}
                role="columnheader"
                onClick={() => onSort(c.name)}
                title={`Sort by ${c.name}`}
                aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
                data-testid="viz-table-header"
                style={{ padding: "4px 8px", height: 48 }}
              >
                {label}
              </UnstyledButton>
            ) : (
              <div key={c.name} role="columnheader" style={{ padding: "4px 8px", height: 48 }} data-testid="viz-table-header">
                {label}
              </div>
            );
          })}
        </div>
        {total === 0 ? (
          <Text fz="sm" c="dimmed" p="xs">
            No rows.
          </Text>
        ) : null}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = rowAt(item.index);
            return (
              <div
                key={item.key}
                role="row"
                data-testid="viz-table-row"
                data-index={item.index}
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`,
                  display: "grid",
                  gridTemplateColumns: template,
                  borderBottom: border,
                  fontSize: "var(--mantine-font-size-sm)",
                  fontVariantNumeric: "tabular-nums",
                }}
              >
                <span style={{ ...cell, color: "var(--mantine-color-dimmed)" }}>{item.index}</span>
                {columns.map((c, j) => {
                  const text = row ? formatCell(row[j]) : "";
                  const numeric = typeof row?.[j] === "number";
                  return (
                    <span key={c.name} title={text.length > 24 ? text : undefined} style={{ ...cell, textAlign: numeric ? "right" : "left", color: row?.[j] === null ? "var(--mantine-color-dimmed)" : undefined }}>
                      {row ? (row[j] === null ? "null" : text) : "…"}
                    </span>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </Box>
  );
}

function Preview({ version, index, reason }: VizProps & { reason: string }) {
  const report = useVizReport();
  const query = useQuery({
    queryKey: ["artifact-viz", version.id, index, "json"],
    queryFn: ({ signal }) => fetchVizJson(version.id, index, signal),
    staleTime: Infinity,
    retry: false,
  });
  const parsed = useMemo(() => {
    try {
      return query.data === undefined ? undefined : parseTablePreview(query.data);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, [query.data]);
  const failure = query.error ? query.error.message : typeof parsed === "string" ? parsed : null;
  useEffect(() => {
    if (failure) report.fail(`${reason} ${failure}`);
    else if (parsed !== undefined) report.ready();
  }, [failure, parsed, reason, report]);
  if (parsed === undefined || typeof parsed === "string") return null;
  const onRange = () => undefined;
  return (
    <>
      <Alert color="yellow" p="xs" mb={4}>
        <Text fz="xs">
          Showing the preview saved with the version ({parsed.rows.length.toLocaleString("en-US")} of {parsed.totalRows.toLocaleString("en-US")} rows, {parsed.columns.length} of {parsed.totalColumns} columns, unsorted). {reason}
        </Text>
      </Alert>
      <Grid columns={parsed.columns} total={parsed.rows.length} rowAt={(i) => parsed.rows[i]} sort={null} onSort={null} onRange={onRange} />
    </>
  );
}

/** The whole stored table, paged and sorted by the server as the user scrolls. */
export function TableViz(props: VizProps) {
  const { version } = props;
  const report = useVizReport();
  const [sort, setSort] = useState<SortState>({ column: null, descending: false });
  const [range, setRange] = useState<[number, number]>([0, 40]);
  const blocks = useMemo(() => blocksFor(range[0], range[1]), [range]);
  const pages = useQueries({
    queries: [0, ...blocks.filter((b) => b !== 0)].map((block) => ({
      queryKey: ["artifact-table", version.id, sort.column, sort.descending, block],
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchTablePage(version.id, { offset: block * BLOCK, limit: BLOCK, sort: sort.column, descending: sort.descending }, signal),
      staleTime: Infinity,
      retry: false,
      placeholderData: (prev: TablePage | undefined) => prev,
    })),
  });
  const head = pages[0];
  // the preview saved with the version names dtypes as the library does (float64, not Arrow's
  // double), matching the stats beside it; it is small and read once
  const preview = useQuery({
    queryKey: ["artifact-viz", version.id, props.index, "json"],
    queryFn: ({ signal }) => fetchVizJson(version.id, props.index, signal),
    staleTime: Infinity,
    retry: false,
  });
  const libraryDtypes = useMemo(() => {
    try {
      return new Map(preview.data === undefined ? [] : parseTablePreview(preview.data).columns.map((c) => [c.name, c.dtype]));
    } catch {
      return new Map<string, string>();
    }
  }, [preview.data]);
  const byBlock = useMemo(() => {
    const map = new Map<number, TablePage>();
    for (const p of pages) if (p.data && !p.isPlaceholderData) map.set(Math.floor(p.data.offset / BLOCK), p.data);
    return map;
  }, [pages]);
  const [shownOnce, setShownOnce] = useState(false);
  useEffect(() => {
    if (head?.data && !shownOnce) {
      setShownOnce(true);
      report.ready();
    }
  }, [head?.data, shownOnce, report]);
  const onRange = useMemo(() => (start: number, end: number) => setRange((r) => (r[0] === start && r[1] === end ? r : [start, end])), []);
  const firstError = head?.error;
  if (firstError && !head.data) {
    // the table API can't serve it (an older server, or a table kept only as a preview): fall back
    const gone = firstError instanceof ApiError && (firstError.status === 410 || firstError.status === 422);
    if (gone) {
      return <ReportFailure message={firstError.message} />;
    }
    return <Preview {...props} reason={`The full table is unavailable: ${firstError.message}`} />;
  }
  if (!head?.data) return <Text fz="sm" c="dimmed">Loading table…</Text>;
  const page = head.data;
  const columns = page.columns.map((c) => ({ name: c.name, dtype: libraryDtypes.get(c.name) ?? c.dtype }));
  const sortError = pages.find((p) => p.error)?.error;
  return (
    <>
      <Group justify="space-between" mb={4}>
        <Text fz="xs" c="dimmed" data-testid="viz-table-total">
          {page.total.toLocaleString("en-US")} rows × {page.columns.length} columns · rows {range[0].toLocaleString("en-US")}–{Math.min(page.total - 1, range[1]).toLocaleString("en-US")}
          {sort.column ? ` · sorted by ${sort.column} ${sort.descending ? "descending" : "ascending"}` : " · click a header to sort"}
        </Text>
        {sortError ? (
          <Text fz="xs" c="red">
            {sortError.message}
          </Text>
        ) : null}
      </Group>
      <Grid
        columns={columns}
        total={page.total}
        rowAt={(i) => byBlock.get(Math.floor(i / BLOCK))?.rows[i % BLOCK]}
        sort={sort}
        onSort={(c) => setSort((s) => nextSort(s, c))}
        onRange={onRange}
        resetKey={`${sort.column ?? ""}:${sort.descending}`}
      />
    </>
  );
}

function ReportFailure({ message }: { message: string }) {
  const report = useVizReport();
  useEffect(() => report.fail(message, true), [message, report]);
  return null;
}
