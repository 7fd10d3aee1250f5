import { Badge, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";

import { authQueries } from "../../../api/auth";
import { ApiError } from "../../../api/client";
import { approvalQueries } from "../../../api/modelApprovals";
import { RequestsTable } from "./RequestsTable";

/**
 * A model's pending stage requests, above its tabs; nothing when there are none. Approve and Reject
 * show to holders of model:approve (`canApprove`), never to the one who asked.
 */
export function PendingRequests({ model, canApprove }: { model: string; canApprove: boolean }) {
  const me = useQuery(authQueries.me());
  const pending = useQuery(approvalQueries.requests({ model, status: "pending" }));
  if (pending.error) {
    // A server without approvals (404) has nothing pending; anything else is worth a line.
    if (pending.error instanceof ApiError && pending.error.status === 404) return null;
    return (
      <Text fz="sm" c="red" role="alert">
        Could not load the pending requests: {pending.error instanceof ApiError ? pending.error.message : "the Waypost server did not answer."}
      </Text>
    );
  }
  const items = pending.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Paper withBorder p="sm" radius="md" data-testid="pending-requests" style={{ borderColor: "var(--mantine-color-orange-outline)" }}>
      <Stack gap="xs">
        <Group gap="xs">
          <Title order={5}>Pending requests</Title>
          <Badge size="sm" color="orange" variant="filled" circle data-testid="pending-count">
            {pending.data?.total ?? items.length}
          </Badge>
        </Group>
        <RequestsTable requests={items} me={me.data?.user.id} canApprove={() => canApprove} />
      </Stack>
    </Paper>
  );
}
