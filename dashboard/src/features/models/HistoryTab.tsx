import { Badge, Group, Loader, Pagination, Stack, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../api/client";
import { HISTORY_PAGE, type ModelTransition, modelQueries } from "../../api/models";
import { formatTime } from "../runs/format";
import { StageBadge } from "./StageBadge";

const HOW: Record<string, string> = { manual: "by hand", approval: "by approval", rule: "by rule" };

function How({ t }: { t: ModelTransition }) {
  const how = t.how ?? "manual";
  return (
    <Badge size="sm" variant="outline" color={how === "rule" ? "violet" : how === "approval" ? "teal" : "gray"} tt="none">
      {HOW[how] ?? how}
      {how === "rule" && t.rule ? `: ${t.rule}` : ""}
    </Badge>
  );
}

/** A model's stage transitions, newest first: when, which version, from → to, who, how and why. */
export function HistoryTab({ model }: { model: string }) {
  const [page, setPage] = useState(1);
  const history = useQuery(modelQueries.transitions(model, page));
  if (history.error) {
    return (
      <Text c="red" fz="sm" role="alert">
        {history.error instanceof ApiError ? history.error.message : "Could not load the history."}
      </Text>
    );
  }
  if (!history.data) return <Loader aria-label="Loading the history" />;
  if (history.data.total === 0) {
    return (
      <Text c="dimmed" fz="sm" data-testid="history-empty">
        No stage changes yet. Moving a version to staging, production or archived records who did it, when and why.
      </Text>
    );
  }
  const pages = Math.max(1, Math.ceil(history.data.total / HISTORY_PAGE));
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={760}>
        <Table data-testid="model-history" striped verticalSpacing="xs" fz="sm" style={{ opacity: history.isPlaceholderData ? 0.6 : 1 }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>From → to</Table.Th>
              <Table.Th>Who</Table.Th>
              <Table.Th>How</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.items.map((t) => (
              <Table.Tr key={t.id} data-testid="transition-row" data-version={t.version_name} data-to={t.to_stage}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatTime(t.created_at)}</Table.Td>
                <Table.Td ff="monospace" fw={600}>
                  {t.version_name}
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <StageBadge stage={t.from_stage} />
                    <Text span c="dimmed">
                      →
                    </Text>
                    <StageBadge stage={t.to_stage} />
                  </Group>
                </Table.Td>
                <Table.Td>{t.user_name ?? <Text span c="dimmed">—</Text>}</Table.Td>
                <Table.Td>
                  <How t={t} />
                </Table.Td>
                <Table.Td style={{ overflowWrap: "anywhere" }}>{t.reason ?? <Text span c="dimmed">—</Text>}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {pages > 1 && (
        <Group justify="flex-end">
          <Pagination size="sm" total={pages} value={page} onChange={setPage} />
        </Group>
      )}
    </Stack>
  );
}
