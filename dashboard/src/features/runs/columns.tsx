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
  /** Orders two runs for sorting within the page. */
  compare?: (a: Run, b: Run, now: number) => number;
}

const startOf = (r: Run) => r.started_at ?? r.created_at;

/** Seconds from start to end (or to now while going); undefined before it starts. */
export function durationSeconds(run: Run, now: number): number | undefined {
  if (!run.started_at) return undefined;
  const ms = (run.ended_at ? Date.parse(run.ended_at) : now) - Date.parse(run.started_at);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

const text = (a: string | null | undefined, b: string | null | undefined) => (a ?? "").localeCompare(b ?? "");

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
    compare: (a, b) => text(a.pipeline_name, b.pipeline_name),
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
    // Runs that have not started sort after every duration.
    compare: (a, b, now) => (durationSeconds(a, now) ?? Infinity) - (durationSeconds(b, now) ?? Infinity) || 0,
  },
  user: {
    id: "user",
    label: "User",
    sortKey: "user",
    render: (r) => r.user_name ?? "—",
    csv: { header: "user", value: (r) => r.user_name },
    compare: (a, b) => text(a.user_name, b.user_name),
  },
  stack: {
    id: "stack",
    label: "Stack",
    sortKey: "stack",
    render: (r) => r.stack_name ?? "—",
    csv: { header: "stack", value: (r) => r.stack_name },
    compare: (a, b) => text(a.stack_name, b.stack_name),
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
    compare: (a, b) => text((a.tags ?? []).join(","), (b.tags ?? []).join(",")),
  },
};

/** Sort `runs` by a key the server cannot sort by; stable, so the server's order breaks ties. */
export function sortWithinPage(runs: readonly Run[], sort: string, now: number): Run[] {
  const desc = sort.startsWith("-");
  const col = Object.values(RUN_COLUMNS).find((c) => c.sortKey === sort.replace(/^[-+]/, ""));
  if (!col?.compare) return [...runs];
  const cmp = col.compare;
  return [...runs].sort((a, b) => (desc ? -cmp(a, b, now) : cmp(a, b, now)));
}
