import { Anchor, Badge, CloseButton, Group, Loader, Paper, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useCallback, useMemo } from "react";

import { ApiError } from "../../api/client";
import { type MetadataPoint, metadataQueries } from "../../api/metadataExplorer";
import { pipelineQueries } from "../../api/pipelines";
import { formatTime } from "../runs/format";
import { HistoryChart } from "./HistoryChart";
import { historySeries, nonNumericPoints, ownerText, valueText } from "./historyChart";

/** Text values shown at most; the rest are counted. */
const MAX_TEXT_ROWS = 200;
const NO_NAMES: string[] = [];

function TextValues({ points, total }: { points: readonly MetadataPoint[]; total: number }) {
  return (
    <Stack gap={4}>
      <Text fz="sm" fw={600}>
        Values that are not numbers ({total.toLocaleString()}
        {total > points.length ? `, the newest ${points.length} shown` : ""})
      </Text>
      <Table.ScrollContainer minWidth={640} mah={260}>
        <Table data-testid="metadata-text-values" striped verticalSpacing={4} fz="sm" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              <Table.Th>Pipeline</Table.Th>
              <Table.Th>Logged on</Table.Th>
              <Table.Th>Value</Table.Th>
              <Table.Th>When</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {points.map((p, i) => (
              <Table.Tr key={`${p.run_id}-${p.entity}-${p.entity_name}-${i}`}>
                <Table.Td>
                  <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: p.run_id }} />}>
                    {p.run_name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{p.pipeline_name}</Table.Td>
                <Table.Td>{ownerText(p)}</Table.Td>
                <Table.Td ff="monospace" style={{ wordBreak: "break-all" }}>
                  {valueText(p.value)} <Badge size="xs" variant="default" tt="none">{p.type}</Badge>
                </Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatTime(p.created_at)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** One key's values over time: a chart per pipeline for numbers, a table for the rest. */
export function KeyHistory({
  metadataKey,
  pipeline,
  q,
  onPipeline,
  onClose,
}: {
  metadataKey: string;
  pipeline: string | undefined;
  q: string;
  onPipeline: (pipeline: string | undefined) => void;
  onClose: () => void;
}) {
  const history = useQuery(metadataQueries.history({ key: metadataKey, pipeline, q }));
  const names = useQuery(pipelineQueries.names());
  const navigate = useNavigate();
  const openRun = useCallback((runId: string) => void navigate({ to: "/runs/$runId", params: { runId } }), [navigate]);
  const points = history.data?.points;
  const series = useMemo(() => historySeries(points ?? []), [points]);
  const text = useMemo(() => nonNumericPoints(points ?? []), [points]);
  const pipelines = useMemo(() => {
    const all = new Set([...(names.data ?? NO_NAMES), ...series.map((s) => s.pipeline)]);
    if (pipeline) all.add(pipeline);
    return [...all].sort((a, b) => a.localeCompare(b));
  }, [names.data, series, pipeline]);

  return (
    <Paper withBorder p="md" radius="md" data-testid="metadata-history" data-key={metadataKey}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Stack gap={2}>
            <Title order={4} ff="monospace" style={{ wordBreak: "break-all" }}>
              {metadataKey}
            </Title>
            <Text fz="xs" c="dimmed">
              Values over time{q ? " of the runs matching the filter" : ""}; hover a point for its run, click it to open the run.
            </Text>
          </Stack>
          <Group gap="xs" wrap="nowrap">
            <Select
              size="xs"
              w={220}
              aria-label="Pipeline"
              placeholder="Every pipeline"
              data={pipelines}
              value={pipeline ?? null}
              onChange={(v) => onPipeline(v ?? undefined)}
              clearable
              searchable
              limit={200}
            />
            <CloseButton aria-label="Close the history" onClick={onClose} />
          </Group>
        </Group>
        {history.error ? (
          <Text fz="sm" c="red" role="alert">
            {history.error instanceof ApiError ? history.error.message : "Could not load the history; is the Waypost server running?"}
          </Text>
        ) : !history.data ? (
          <Loader size="sm" aria-label="Loading the history" />
        ) : history.data.points.length === 0 ? (
          <Text fz="sm" c="dimmed" data-testid="metadata-history-empty">
            No values of this key{pipeline ? ` in runs of ${pipeline}` : ""}
            {q ? " among the runs matching the filter" : ""}.
          </Text>
        ) : (
          <>
            {history.data.truncated && (
              <Text fz="xs" c="yellow.7" data-testid="metadata-history-truncated">
                Only the newest {history.data.points.length.toLocaleString()} values are shown; narrow by pipeline or filter the runs to see older ones.
              </Text>
            )}
            {series.length > 0 ? (
              <HistoryChart series={series} metadataKey={metadataKey} onOpenRun={openRun} />
            ) : (
              <Text fz="sm" c="dimmed">
                No numeric values to chart.
              </Text>
            )}
            {text.length > 0 && <TextValues points={text.slice(0, MAX_TEXT_ROWS)} total={text.length} />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
