import { Anchor, Badge, Group, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

import type { Run } from "../../api/runs";
import { StatusBadge } from "../../components/StatusBadge";
import type { CsvValue } from "../../lib/csv";
import { formatDuration, formatTime } from "./format";
import { type ColumnId, type ColumnKey, type DynamicKey, type SortKey, isDynamicKey } from "./search";

export interface Column {
  id: ColumnKey;
  label: string;
  sortKey: SortKey | DynamicKey;
  render: (run: Run) => ReactNode;
  /** The CSV header and value: times as ISO 8601, durations in seconds, so a spreadsheet can compute with them. */
  csv: { header: string; value: (run: Run, now: number) => CsvValue };
  /** What the page is sorted by where the server cannot sort; runs without a value go last either way. */
  sortValue?: (run: Run, now: number) => string | number | undefined;
}

const startOf = (r: Run) => r.started_at ?? r.created_at;

/** Seconds from start to end (or to now while going); undefined before it starts. */
export function durationSeconds(run: Run, now: number): number | undefined {
  if (!run.started_at) return undefined;
  const ms = (run.ended_at ? Date.parse(run.ended_at) : now) - Date.parse(run.started_at);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}


export const RUN_COLUMNS: Record<ColumnId, Column> = {
  status: {
    id: "status",
    label: "Status",
    sortKey: "status",
    render: (r) => <StatusBadge status={r.status} />,
    csv: { header: "status", value: (r) => r.status },
  },
  name: {
    id: "name",
    label: "Name",
    sortKey: "name",
    render: (r) => (
      <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: r.id }} />}>
        {r.name}
      </Anchor>
    ),
    csv: { header: "name", value: (r) => r.name },
  },
  pipeline: {
    id: "pipeline",
    label: "Pipeline",
    sortKey: "pipeline",
    render: (r) => (
      <Anchor fz="sm" c="inherit" renderRoot={(props) => <Link {...props} to="/pipelines/$pipeline" params={{ pipeline: r.pipeline_name }} />}>
        {r.pipeline_name}
      </Anchor>
    ),
    csv: { header: "pipeline", value: (r) => r.pipeline_name },
    sortValue: (r) => r.pipeline_name,
  },
  started: {
    id: "started",
    label: "Started",
    sortKey: "started",
    render: (r) => (
      <Text fz="sm" title={startOf(r)} style={{ whiteSpace: "nowrap" }}>
        {formatTime(startOf(r))}
      </Text>
    ),
    csv: { header: "started", value: (r) => startOf(r) },
  },
  duration: {
    id: "duration",
    label: "Duration",
    sortKey: "duration",
    render: (r) => (
      <Text fz="sm" style={{ fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" }}>
        {formatDuration(r.started_at, r.ended_at)}
      </Text>
    ),
    csv: { header: "duration_s", value: (r, now) => durationSeconds(r, now) },
    sortValue: (r, now) => durationSeconds(r, now),
  },
  user: {
    id: "user",
    label: "User",
    sortKey: "user",
    render: (r) => r.user_name ?? "—",
    csv: { header: "user", value: (r) => r.user_name },
    sortValue: (r) => r.user_name ?? undefined,
  },
  stack: {
    id: "stack",
    label: "Stack",
    sortKey: "stack",
    render: (r) => r.stack_name ?? "—",
    csv: { header: "stack", value: (r) => r.stack_name },
    sortValue: (r) => r.stack_name ?? undefined,
  },
  tags: {
    id: "tags",
    label: "Tags",
    sortKey: "tags",
    render: (r) => (
      <Group gap={4} wrap="wrap">
        {(r.tags ?? []).map((t) => (
          <Badge key={t} size="sm" variant="outline" color="gray" tt="none">
            {t}
          </Badge>
        ))}
      </Group>
    ),
    csv: { header: "tags", value: (r) => (r.tags ?? []).join(" ") },
    sortValue: (r) => (r.tags?.length ? r.tags.join(",") : undefined),
  },
};

/** A parameter or metadata value as a cell shows it: numbers to 6 significant digits, lists and objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** What a parameter or metadata column's cell, CSV field and page sort read. */
function dynamicValue(run: Run, key: DynamicKey): unknown {
  const columns = run.columns as Record<string, unknown> | null | undefined;
  return columns ? columns[key] : undefined;
}

/** The header of a parameter or metadata column: the name, with the step for a step parameter. */
export function dynamicLabel(key: DynamicKey): string {
  const rest = key.slice(key.indexOf(".") + 1);
  return key.startsWith("step.") ? rest.replace(/\.(?=[^.]*$)/, " › ") : rest;
}

/** A parameter or metadata column (see DynamicKey). */
export function dynamicColumn(key: DynamicKey): Column {
  return {
    id: key,
    label: dynamicLabel(key),
    sortKey: key,
    render: (r) => {
      const v = dynamicValue(r, key);
      if (v === undefined) return <Text fz="sm" c="dimmed">—</Text>;
      const text = formatValue(v);
      const full = typeof v === "number" ? String(v) : text;
      return (
        <Text fz="sm" title={full} lineClamp={2} ff={typeof v === "object" && v !== null ? "monospace" : undefined} style={{ fontVariantNumeric: "tabular-nums", maxWidth: 240, wordBreak: "break-word" }}>
          {text}
        </Text>
      );
    },
    csv: {
      header: key,
      value: (r) => {
        const v = dynamicValue(r, key);
        return v === undefined || v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? v : JSON.stringify(v);
      },
    },
    sortValue: (r) => {
      const v = dynamicValue(r, key);
      if (v === undefined || v === null) return undefined;
      return typeof v === "number" ? v : formatValue(v);
    },
  };
}

/** The column a key names: built-in or a parameter or metadata column. */
export function columnFor(key: ColumnKey): Column {
  return key in RUN_COLUMNS ? RUN_COLUMNS[key as ColumnId] : dynamicColumn(key as DynamicKey);
}

/** Sort `runs` by a key the server cannot sort by; stable, so the server's order breaks ties. */
export function sortWithinPage(runs: readonly Run[], sort: string, now: number): Run[] {
  const desc = sort.startsWith("-");
  const key = sort.replace(/^[-+]/, "");
  const col = Object.values(RUN_COLUMNS).find((c) => c.sortKey === key) ?? (isDynamicKey(key) ? dynamicColumn(key) : undefined);
  const value = col?.sortValue;
  if (!value) return [...runs];
  const keyed = runs.map((run) => ({ run, v: value(run, now) }));
  const known = keyed.filter((k) => k.v !== undefined);
  const missing = keyed.filter((k) => k.v === undefined);
  known.sort((a, b) => {
    const x = a.v as string | number;
    const y = b.v as string | number;
    // Numbers before text when a column holds both; numbers by value, text in natural order (run-9 < run-10).
    const c =
      typeof x === "number" && typeof y === "number" ? x - y : typeof x === "number" ? -1 : typeof y === "number" ? 1 : String(x).localeCompare(String(y), undefined, { numeric: true });
    return desc ? -c : c;
  });
  return [...known, ...missing].map((k) => k.run);
}
