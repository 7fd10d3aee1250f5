import { Badge, Code, Group, Table, Text } from "@mantine/core";
import { Fragment, useEffect, useState } from "react";

import { useVizJson, useVizReport } from "./hooks";
import { type ClassMetrics, formatCell, formatNumber, parseClassificationReport, parseProfile, parseValidation } from "./parse";
import { Sparkline } from "./Sparkline";
import type { VizProps } from "./types";

function useReadyWhen(ready: boolean) {
  const report = useVizReport();
  useEffect(() => {
    if (ready) report.ready();
  }, [ready, report]);
}

const score = (v: number | null) => (v === null ? "—" : v.toFixed(3));

export function ClassificationReportViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseClassificationReport);
  useReadyWhen(data !== undefined);
  if (!data) return <Text fz="sm" c="dimmed">Loading…</Text>;
  const row = (m: ClassMetrics, bold: boolean) => (
    <Table.Tr key={m.label} fw={bold ? 600 : undefined} data-testid="viz-report-row">
      <Table.Td>{m.label}</Table.Td>
      <Table.Td ta="right">{score(m.precision)}</Table.Td>
      <Table.Td ta="right">{score(m.recall)}</Table.Td>
      <Table.Td ta="right">{score(m.f1)}</Table.Td>
      <Table.Td ta="right">{formatNumber(m.support)}</Table.Td>
    </Table.Tr>
  );
  return (
    <Table.ScrollContainer minWidth={480} maxHeight={560}>
      <Table striped fz="sm" stickyHeader style={{ fontVariantNumeric: "tabular-nums" }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Class</Table.Th>
            <Table.Th ta="right">Precision</Table.Th>
            <Table.Th ta="right">Recall</Table.Th>
            <Table.Th ta="right">F1</Table.Th>
            <Table.Th ta="right">Support</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{data.classes.map((c) => row(c, false))}</Table.Tbody>
        <Table.Tfoot>
          {data.accuracy !== null ? (
            <Table.Tr fw={600}>
              <Table.Td>accuracy</Table.Td>
              <Table.Td />
              <Table.Td />
              <Table.Td ta="right">{score(data.accuracy)}</Table.Td>
              <Table.Td ta="right">{formatNumber(data.classes.reduce((s, c) => s + (c.support ?? 0), 0))}</Table.Td>
            </Table.Tr>
          ) : null}
          {data.averages.map((a) => row(a, true))}
        </Table.Tfoot>
      </Table>
    </Table.ScrollContainer>
  );
}

function describeKwargs(kwargs: Record<string, unknown>): string {
  return Object.entries(kwargs)
    .filter(([k]) => k !== "column" && k !== "result_format" && k !== "batch_id")
    .map(([k, v]) => `${k}=${formatCell(v)}`)
    .join(", ");
}

export function ValidationViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseValidation);
  const [open, setOpen] = useState<number | null>(null);
  const [onlyFailed, setOnlyFailed] = useState(false);
  useReadyWhen(data !== undefined);
  if (!data) return <Text fz="sm" c="dimmed">Loading…</Text>;
  const failed = data.results.filter((r) => !r.success).length;
  const shown = data.results.map((r, i) => [r, i] as const).filter(([r]) => !onlyFailed || !r.success);
  return (
    <>
      <Group mb={4} gap="xs">
        <Badge color={data.success ? "green" : "red"} data-testid="viz-validation-result">
          {data.success ? "Passed" : "Failed"}
        </Badge>
        <Text fz="xs" c="dimmed">
          {data.results.length - failed} of {data.results.length} expectations passed
        </Text>
        {failed ? (
          <Badge variant={onlyFailed ? "filled" : "light"} color="red" style={{ cursor: "pointer" }} onClick={() => setOnlyFailed((f) => !f)}>
            {onlyFailed ? "Show all" : `Only the ${failed} failed`}
          </Badge>
        ) : null}
      </Group>
      <Table.ScrollContainer minWidth={640} maxHeight={560}>
        <Table fz="sm" stickyHeader highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Result</Table.Th>
              <Table.Th>Expectation</Table.Th>
              <Table.Th>Column</Table.Th>
              <Table.Th>Observed</Table.Th>
              <Table.Th ta="right">Unexpected</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map(([r, i]) => (
              <Fragment key={i}>
                <Table.Tr data-testid="viz-expectation" data-success={r.success} style={{ cursor: r.unexpectedSample.length ? "pointer" : undefined }} onClick={() => setOpen((o) => (o === i ? null : i))}>
                  <Table.Td>
                    <Badge size="sm" color={r.success ? "green" : "red"} variant="light">
                      {r.success ? "pass" : "fail"}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text fz="sm" ff="monospace">
                      {r.expectation}
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {describeKwargs(r.kwargs)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{r.column ?? "—"}</Table.Td>
                  <Table.Td>
                    {r.exception ? (
                      <Text fz="sm" c="red" lineClamp={3} title={r.exception}>
                        Could not run: {r.exception}
                      </Text>
                    ) : (
                      <Text fz="sm" lineClamp={2}>
                        {formatCell(r.observed) || "—"}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">
                    {r.unexpectedCount === null ? "—" : formatNumber(r.unexpectedCount)}
                    {r.unexpectedPercent !== null ? (
                      <Text span fz="xs" c="dimmed">
                        {" "}
                        ({formatNumber(r.unexpectedPercent)}%)
                      </Text>
                    ) : null}
                    {r.unexpectedSample.length ? (
                      <Text fz="xs" c="blue">
                        {open === i ? "hide sample" : "show sample"}
                      </Text>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
                {open === i && r.unexpectedSample.length ? (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text fz="xs" c="dimmed">
                        Sample of failing values
                      </Text>
                      <Code block>{r.unexpectedSample.map((v) => (v === null ? "null" : formatCell(v) || '""')).join("\n")}</Code>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

export function ProfileViz({ version, index }: VizProps) {
  const { data } = useVizJson(version.id, index, parseProfile);
  useReadyWhen(data !== undefined);
  if (!data) return <Text fz="sm" c="dimmed">Loading…</Text>;
  return (
    <Table.ScrollContainer minWidth={860} maxHeight={560}>
      <Table striped fz="sm" stickyHeader style={{ fontVariantNumeric: "tabular-nums" }}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Column</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th ta="right">Count</Table.Th>
            <Table.Th ta="right">Nulls</Table.Th>
            <Table.Th ta="right">Unique ≈</Table.Th>
            <Table.Th ta="right">Min</Table.Th>
            <Table.Th ta="right">Mean ± std</Table.Th>
            <Table.Th ta="right">Max</Table.Th>
            <Table.Th>Distribution</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {data.map((c) => (
            <Table.Tr key={c.name} data-testid="viz-profile-row">
              <Table.Td fw={600}>{c.name}</Table.Td>
              <Table.Td>
                <Text fz="xs" ff="monospace">
                  {c.type}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{formatNumber(c.count)}</Table.Td>
              <Table.Td ta="right">{formatNumber(c.nullCount)}</Table.Td>
              <Table.Td ta="right">{formatNumber(c.uniqueEst === null ? null : Math.round(c.uniqueEst))}</Table.Td>
              <Table.Td ta="right">{formatNumber(c.min)}</Table.Td>
              <Table.Td ta="right">
                {formatNumber(c.mean)}
                {c.stddev !== null ? ` ± ${formatNumber(c.stddev)}` : ""}
              </Table.Td>
              <Table.Td ta="right">{formatNumber(c.max)}</Table.Td>
              <Table.Td>{c.histogram && c.histogram.counts.length ? <Sparkline histogram={c.histogram} /> : <Text fz="xs" c="dimmed">—</Text>}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
