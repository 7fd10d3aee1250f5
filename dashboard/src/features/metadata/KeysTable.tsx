import { Badge, Group, Table, Text, UnstyledButton } from "@mantine/core";
import { memo } from "react";

import type { MetadataEntity, MetadataKeySort, MetadataKeyStats } from "../../api/metadataExplorer";
import { formatTime } from "../runs/format";
import { valueText } from "./historyChart";
import { ENTITY_LABELS } from "./search";

const ENTITY_COLORS: Record<MetadataEntity, string> = { run: "blue", step: "grape", artifact_version: "teal", model_version: "orange" };
const NUM = { fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" } as const;

/** The range of the numbers logged under a key, or a dash when none are numbers. */
export function rangeText(min: number | null, max: number | null): string {
  if (min === null || max === null) return "—";
  return min === max ? valueText(min) : `${valueText(min)} – ${valueText(max)}`;
}

function SortTh({ sortKey, label, sort, onSort, numeric }: { sortKey: MetadataKeySort; label: string; sort: MetadataKeySort; onSort: (s: MetadataKeySort) => void; numeric?: boolean }) {
  const active = sort === sortKey;
  return (
    <Table.Th aria-sort={active ? (sortKey === "key" ? "ascending" : "descending") : "none"} style={{ whiteSpace: "nowrap", textAlign: numeric ? "right" : undefined }}>
      <UnstyledButton fw={600} fz="sm" onClick={() => onSort(sortKey)} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        {active ? (sortKey === "key" ? " ▲" : " ▼") : ""}
      </UnstyledButton>
    </Table.Th>
  );
}

const KeyRow = memo(function KeyRow({ row, selected, onSelect }: { row: MetadataKeyStats; selected: boolean; onSelect: (key: string) => void }) {
  const entities = Object.entries(row.entities) as [MetadataEntity, number][];
  const types = Object.entries(row.types).sort((a, b) => b[1] - a[1]);
  return (
    <Table.Tr
      data-testid="metadata-key-row"
      data-key={row.key}
      data-selected={selected || undefined}
      onClick={() => onSelect(row.key)}
      style={{ cursor: "pointer", background: selected ? "var(--mantine-primary-color-light)" : undefined }}
    >
      <Table.Td maw={380}>
        <UnstyledButton
          fz="sm"
          ff="monospace"
          fw={600}
          c="var(--mantine-color-anchor)"
          aria-pressed={selected}
          onClick={(e) => {
            e.stopPropagation();
            onSelect(row.key);
          }}
          style={{ wordBreak: "break-all" }}
        >
          {row.key}
        </UnstyledButton>
      </Table.Td>
      <Table.Td style={{ ...NUM, textAlign: "right" }} fz="sm">
        {row.count.toLocaleString()}
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="wrap">
          {entities.map(([kind, n]) => (
            <Badge key={kind} size="sm" variant="light" color={ENTITY_COLORS[kind]} tt="none" title={`${n.toLocaleString()} on ${ENTITY_LABELS[kind]}s`}>
              {ENTITY_LABELS[kind]} {n.toLocaleString()}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="wrap">
          {types.map(([type, n]) => (
            <Badge key={type} size="sm" variant="default" tt="none" ff="monospace">
              {type} {n.toLocaleString()}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td fz="sm" ff="monospace" style={NUM}>
        {rangeText(row.min, row.max)}
      </Table.Td>
      <Table.Td fz="sm" style={NUM}>
        {formatTime(row.last_seen)}
      </Table.Td>
    </Table.Tr>
  );
});

/** The metadata keys of a page, sortable by the server; a click opens a key's history. */
export function KeysTable({
  rows,
  selected,
  sort,
  onSort,
  onSelect,
  stale,
}: {
  rows: readonly MetadataKeyStats[];
  selected: string | undefined;
  sort: MetadataKeySort;
  onSort: (sort: MetadataKeySort) => void;
  onSelect: (key: string) => void;
  stale: boolean;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table data-testid="metadata-keys-table" striped highlightOnHover verticalSpacing={6} style={{ opacity: stale ? 0.6 : 1 }}>
        <Table.Thead>
          <Table.Tr>
            <SortTh sortKey="key" label="Key" sort={sort} onSort={onSort} />
            <SortTh sortKey="count" label="Count" sort={sort} onSort={onSort} numeric />
            <Table.Th>Logged on</Table.Th>
            <Table.Th>Types</Table.Th>
            <Table.Th>Range</Table.Th>
            <SortTh sortKey="last_seen" label="Last seen" sort={sort} onSort={onSort} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <KeyRow key={r.key} row={r} selected={r.key === selected} onSelect={onSelect} />
          ))}
        </Table.Tbody>
      </Table>
      {rows.length === 0 && (
        <Text fz="sm" c="dimmed" ta="center" py="md">
          No keys on this page.
        </Text>
      )}
    </Table.ScrollContainer>
  );
}
