import { Anchor, Badge, Checkbox, Group, Table, Text, Tooltip } from "@mantine/core";
import { Link, useParams } from "@tanstack/react-router";
import { useMemo } from "react";

import type { ModelVersionRow } from "../../api/models";
import { SortHeader } from "../../components/SortHeader";
import { StatusBadge } from "../../components/StatusBadge";
import { formatValue } from "../runs/columns";
import { formatTime } from "../runs/format";
import { StageBadge } from "./StageBadge";
import { StageMenu } from "./StageMenu";
import { bestOnPage } from "./versions";

interface Props {
  model: string;
  rows: readonly ModelVersionRow[];
  metrics: readonly string[];
  directions: Readonly<Record<string, string>>;
  holders: Record<string, string>;
  sort: string | undefined;
  onSort: (sort: string | undefined) => void;
  canPromote: boolean;
  dimmed: boolean;
  /** The names of the versions picked to compare; with `onPick`, a checkbox per row. */
  picked?: readonly string[];
  /** A row's checkbox was clicked (`shift`: with the shift key, to pick a range). */
  onPick?: (version: ModelVersionRow, shift: boolean) => void;
}

const num = { fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" } as const;

function RunCell({ row }: { row: ModelVersionRow }) {
  if (!row.run) {
    return (
      <Text fz="sm" c="dimmed">
        outside a run
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <StatusBadge status={row.run.status} />
      {/* Run names are long (pipeline-date-time): cut, whole on hover, so the metric columns and the stage menu fit. */}
      <Anchor fz="sm" ff="monospace" maw={240} truncate="end" title={row.run.name} renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: row.run?.id ?? "" }} />}>
        {row.run.name}
      </Anchor>
      {(row.run_count ?? 0) > 1 && (
        <Tooltip label={`${row.run_count} runs made or used this version`}>
          <Text fz="xs" c="dimmed">
            +{(row.run_count ?? 1) - 1}
          </Text>
        </Tooltip>
      )}
    </Group>
  );
}

/** One page of a model's versions: stage, created, the run that made it, a column per metric, tags, the stage menu. */
export function VersionsTable({ model, rows, metrics, directions, holders, sort, onSort, canPromote, dimmed, picked, onPick }: Props) {
  const best = useMemo(() => bestOnPage(rows, directions), [rows, directions]);
  // Links name the model as the page's URL does (`model` may be its id).
  const named = useParams({ strict: false }).model ?? model;
  return (
    <Table.ScrollContainer minWidth={720 + metrics.length * 96} type="native">
      <Table data-testid="model-versions-table" striped highlightOnHover verticalSpacing={6} fz="sm" style={{ opacity: dimmed ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            {onPick && <Table.Th aria-label="Pick to compare" w={32} />}
            <SortHeader sortKey="number" label="Version" sort={sort} onSort={onSort} />
            <SortHeader sortKey="stage" label="Stage" sort={sort} onSort={onSort} />
            <SortHeader sortKey="created" label="Created" sort={sort} onSort={onSort} />
            <Table.Th>Run</Table.Th>
            {metrics.map((m) => (
              <SortHeader key={m} sortKey={`metadata.${m}`} label={directions[m] ? `${m} ${directions[m] === "lower" ? "↓" : "↑"}` : m} sort={sort} onSort={onSort} />
            ))}
            <Table.Th>Tags</Table.Th>
            {canPromote && <Table.Th aria-label="Stage menu" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((v) => {
            const values = (v.metrics ?? {}) as Record<string, unknown>;
            return (
              <Table.Tr key={v.id} data-testid="model-version-row" data-version={v.name} data-number={v.number} data-stage={v.stage}>
                {onPick && (
                  <Table.Td>
                    <Checkbox
                      size="xs"
                      aria-label={`Compare version ${v.name}`}
                      checked={picked?.includes(v.name) ?? false}
                      onChange={() => undefined}
                      onClick={(e) => onPick(v, e.shiftKey)}
                    />
                  </Table.Td>
                )}
                <Table.Td style={num}>
                  <Anchor
                    fz="sm"
                    ff="monospace"
                    fw={600}
                    title={`Open version ${v.name}`}
                    renderRoot={(props) => <Link {...props} to="/models/$model/versions/$version" params={{ model: named, version: v.name }} />}
                  >
                    {v.name}
                  </Anchor>
                  {v.name !== String(v.number) && (
                    <Text span fz="xs" c="dimmed">
                      {" "}
                      #{v.number}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <StageBadge stage={v.stage} />
                </Table.Td>
                <Table.Td style={num}>{formatTime(v.created_at)}</Table.Td>
                <Table.Td>
                  <RunCell row={v} />
                </Table.Td>
                {metrics.map((m) => (
                  <Table.Td key={m} style={{ ...num, textAlign: typeof values[m] === "number" ? "right" : undefined }} fw={best[m] === v.id ? 700 : undefined} data-metric={m}>
                    {formatValue(values[m])}
                  </Table.Td>
                ))}
                <Table.Td>
                  <Group gap={4}>
                    {(v.tags ?? []).map((t) => (
                      <Badge key={t} size="sm" variant="light" tt="none">
                        {t}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                {canPromote && (
                  <Table.Td>
                    <StageMenu target={{ model, version: v.name, stage: v.stage, holders }} />
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
