import { Anchor, Badge, Group, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

import type { Run } from "../../api/runs";
import { StatusBadge } from "../../components/StatusBadge";
import type { CsvValue } from "../../lib/csv";
import { formatDuration, formatTime } from "./format";
import type { ColumnId, SortKey } from "./search";

export interface Column {
  id: ColumnId;
  label: string;
  sortKey: SortKey;
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

/** Sort `runs` by a key the server cannot sort by; stable, so the server's order breaks ties. */
export function sortWithinPage(runs: readonly Run[], sort: string, now: number): Run[] {
  const desc = sort.startsWith("-");
  const col = Object.values(RUN_COLUMNS).find((c) => c.sortKey === sort.replace(/^[-+]/, ""));
  const value = col?.sortValue;
  if (!value) return [...runs];
  const keyed = runs.map((run) => ({ run, v: value(run, now) }));
  const known = keyed.filter((k) => k.v !== undefined);
  const missing = keyed.filter((k) => k.v === undefined);
  known.sort((a, b) => {
    const x = a.v as string | number;
    const y = b.v as string | number;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return desc ? -c : c;
  });
  return [...known, ...missing].map((k) => k.run);
}
