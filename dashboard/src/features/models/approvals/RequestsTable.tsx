import { Anchor, Badge, Group, Table, Text, Tooltip } from "@mantine/core";
import { Link } from "@tanstack/react-router";

import type { StageRequest } from "../../../api/modelApprovals";
import { formatTime } from "../../runs/format";
import { StageBadge } from "../StageBadge";
import { DecisionButtons } from "./DecisionButtons";

function How({ request }: { request: StageRequest }) {
  const rule = request.how === "rule";
  return (
    <Badge size="sm" variant="outline" color={rule ? "violet" : "gray"} tt="none">
      {rule ? `by rule${request.rule ? `: ${request.rule}` : ""}` : "by hand"}
    </Badge>
  );
}

/** "1 / 2", with who voted and their comments on hover. */
function Votes({ request }: { request: StageRequest }) {
  const votes = request.votes ?? [];
  const count = (
    <Text span fz="sm" ff="monospace" data-testid="request-votes">
      {request.approvals} / {request.approvals_required}
    </Text>
  );
  if (!votes.length) return count;
  const lines = votes.map((v) => `${v.user_name ?? "a removed user"} ${v.decision === "approve" ? "approved" : "rejected"}${v.comment ? `: ${v.comment}` : ""}`);
  return (
    <Tooltip label={lines.join("\n")} multiline w={320} style={{ whiteSpace: "pre-line" }}>
      {count}
    </Tooltip>
  );
}

interface Props {
  requests: readonly StageRequest[];
  /** Show the model column (the list across models). */
  showModel?: boolean;
  /** The caller's user id. */
  me: string | undefined;
  canApprove: (request: StageRequest) => boolean;
}

/** Requests for a stage: version, target stage, who asked and when, why, how, votes so far, and the decision buttons. */
export function RequestsTable({ requests, showModel = false, me, canApprove }: Props) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table data-testid="requests-table" verticalSpacing="xs" fz="sm">
        <Table.Thead>
          <Table.Tr>
            {showModel && <Table.Th>Model</Table.Th>}
            <Table.Th>Version</Table.Th>
            <Table.Th>To</Table.Th>
            <Table.Th>Asked by</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>How</Table.Th>
            <Table.Th>Approvals</Table.Th>
            <Table.Th aria-label="Decision" />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {requests.map((r) => (
            <Table.Tr key={r.id} data-testid="request-row" data-version={r.version_name} data-status={r.status}>
              {showModel && (
                <Table.Td>
                  <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/models/$model" params={{ model: r.model_name }} />}>
                    {r.model_name}
                  </Anchor>
                </Table.Td>
              )}
              <Table.Td ff="monospace" fw={600}>
                {r.version_name}
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <StageBadge stage={r.to_stage} />
                  {r.status !== "pending" && (
                    <Badge size="xs" variant="light" color={r.status === "approved" ? "teal" : "red"}>
                      {r.status}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>{r.requested_by_name ?? (r.how === "rule" ? <Text span c="dimmed">a rule</Text> : <Text span c="dimmed">—</Text>)}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{formatTime(r.requested_at)}</Table.Td>
              <Table.Td style={{ overflowWrap: "anywhere", maxWidth: 320 }}>{r.reason ?? <Text span c="dimmed">—</Text>}</Table.Td>
              <Table.Td>
                <How request={r} />
              </Table.Td>
              <Table.Td>
                <Votes request={r} />
              </Table.Td>
              <Table.Td>
                <DecisionButtons request={r} me={me} canApprove={canApprove(r)} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
