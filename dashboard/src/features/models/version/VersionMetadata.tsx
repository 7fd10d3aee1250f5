import { Badge, Code, Group, Loader, Pagination, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { VERSION_METADATA_PAGE, modelVersionQueries } from "../../../api/modelVersions";
import { formatTime } from "../../runs/format";
import { formatValue } from "../../step/format";

/** The metadata logged against the version, oldest first, a page at a time. */
export function VersionMetadata({ versionId, model }: { versionId: string; model: string }) {
  const [page, setPage] = useState(1);
  const found = useQuery(modelVersionQueries.metadata(versionId, page));
  if (found.error) return <Text fz="sm" c="red" role="alert">{found.error instanceof ApiError ? found.error.message : "Could not load the metadata; is `waypost up` running?"}</Text>;
  if (!found.data) return <Loader size="sm" aria-label="Loading the metadata" />;
  const { items, total, size } = found.data;
  if (items.length === 0 && page === 1) {
    return (
      <Text fz="sm" c="dimmed" data-testid="metadata-empty">
        Nothing is logged against this version yet; in a step of a pipeline with <Code>{`Model(name="${model}")`}</Code>, call{" "}
        <Code>get_step_context().model.log_metadata({"{"}&quot;accuracy&quot;: 0.9{"}"})</Code> or <Code>log_metadata(metadata=..., infer_model=True)</Code>.
      </Text>
    );
  }
  const pages = Math.max(1, Math.ceil(total / size));
  return (
    <Stack gap="xs" style={{ opacity: found.isPlaceholderData ? 0.6 : 1 }}>
      <Table fz="sm" verticalSpacing={4} layout="fixed" striped data-testid="version-metadata">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="30%">Key</Table.Th>
            <Table.Th>Value</Table.Th>
            <Table.Th w={110}>Type</Table.Th>
            <Table.Th w={190}>Logged</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr key={m.id} data-testid="metadata-row" data-key={m.key}>
              <Table.Td ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {m.key}
              </Table.Td>
              <Table.Td ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {formatValue(m.value)}
              </Table.Td>
              <Table.Td>
                <Badge size="xs" variant="default" tt="none">
                  {m.type}
                </Badge>
              </Table.Td>
              <Table.Td fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                {formatTime(m.created_at)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Text fz="xs" c="dimmed">
          {total} entr{total === 1 ? "y" : "ies"}, oldest first{total > items.length ? `; ${(page - 1) * VERSION_METADATA_PAGE + 1}–${(page - 1) * VERSION_METADATA_PAGE + items.length} shown` : ""}
        </Text>
        {pages > 1 && <Pagination size="sm" total={pages} value={page} onChange={setPage} aria-label="Pages of metadata" />}
      </Group>
    </Stack>
  );
}
