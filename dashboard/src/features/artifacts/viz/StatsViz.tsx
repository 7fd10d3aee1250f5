import { Badge, Table, Text } from "@mantine/core";
import { Fragment, useEffect, useState } from "react";

import { useVizJson, useVizReport } from "./hooks";
import { type ColumnStats, formatCell, formatNumber, parseStats } from "./parse";
import { HistogramChart, Sparkline } from "./Sparkline";
import type { VizProps } from "./types";

function TopValues({ column }: { column: ColumnStats }) {
  if (!column.top.length) return <Text fz="xs" c="dimmed">—</Text>;
  const total = column.count ?? column.top.reduce((s, t) => s + t.count, 0);
  return (
    <Text fz="xs" component="div">
      {column.top.slice(0, 5).map((t, i) => (
        <div key={i} style={{ display: "flex", gap: 6, whiteSpace: "nowrap" }}>
          <span style={{ overflow: "hidden", textOverflow: "ellipsis", maxWidth: 160 }}>{formatCell(t.value) || "(empty)"}</span>
          <span style={{ color: "var(--mantine-color-dimmed)" }}>
            {t.count.toLocaleString("en-US")}
            {total ? ` (${((100 * t.count) / total).toFixed(1)}%)` : ""}
          </span>
        </div>
      ))}
      {column.top.length > 5 ? <Text fz="xs" c="dimmed">+{column.top.length - 5} more</Text> : null}
    </Text>
  );
}

/** Per-column statistics; a row expands into its full histogram. */
export function StatsViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseStats);
  const report = useVizReport();
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    if (data) report.ready();
  }, [data, report]);
  if (!data) return <Text fz="sm" c="dimmed">Loading statistics…</Text>;
  return (
    <>
      <Text fz="xs" c="dimmed" mb={4}>
        {data.rows !== null ? `${data.rows.toLocaleString("en-US")} rows · ` : ""}
        {data.columns.length}
        {data.totalColumns !== null && data.totalColumns > data.columns.length ? ` of ${data.totalColumns}` : ""} columns · click a row for its histogram
      </Text>
      <Table.ScrollContainer minWidth={760} maxHeight={560}>
        <Table striped highlightOnHover fz="sm" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Column</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th ta="right">Count</Table.Th>
              <Table.Th ta="right">Nulls</Table.Th>
              <Table.Th ta="right">Min</Table.Th>
              <Table.Th ta="right">Mean</Table.Th>
              <Table.Th ta="right">Max</Table.Th>
              <Table.Th>Distribution / top values</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.columns.map((c) => {
              const total = (c.count ?? 0) + (c.nulls ?? 0);
              return (
                <Fragment key={c.name}>
                  <Table.Tr data-testid="viz-stats-row" style={{ cursor: c.histogram ? "pointer" : undefined }} onClick={() => c.histogram && setOpen((o) => (o === c.name ? null : c.name))}>
                    <Table.Td fw={600}>{c.name}</Table.Td>
                    <Table.Td>
                      <Text fz="xs" ff="monospace">
                        {c.dtype}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">{formatNumber(c.count)}</Table.Td>
                    <Table.Td ta="right">
                      {formatNumber(c.nulls)}
                      {c.nulls && total ? (
                        <Badge ml={4} size="xs" color={c.nulls / total > 0.2 ? "orange" : "gray"} variant="light">
                          {((100 * c.nulls) / total).toFixed(1)}%
                        </Badge>
                      ) : null}
                    </Table.Td>
                    <Table.Td ta="right">{c.kind === "numeric" ? formatNumber(c.min) : "—"}</Table.Td>
                    <Table.Td ta="right">{c.kind === "numeric" ? formatNumber(c.mean) : "—"}</Table.Td>
                    <Table.Td ta="right">{c.kind === "numeric" ? formatNumber(c.max) : "—"}</Table.Td>
                    <Table.Td>
                      {c.histogram ? (
                        <Sparkline histogram={c.histogram} />
                      ) : (
                        <>
                          {c.unique !== null ? (
                            <Text fz="xs" c="dimmed">
                              {c.unique.toLocaleString("en-US")} distinct
                            </Text>
                          ) : null}
                          <TopValues column={c} />
                        </>
                      )}
                    </Table.Td>
                  </Table.Tr>
                  {open === c.name && c.histogram ? (
                    <Table.Tr>
                      <Table.Td colSpan={8}>
                        <Text fz="xs" c="dimmed">
                          {c.name}: std {formatNumber(c.std)}, {c.histogram.counts.length} bins
                        </Text>
                        <HistogramChart histogram={c.histogram} height={200} />
                      </Table.Td>
                    </Table.Tr>
                  ) : null}
                </Fragment>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
