import { Group, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";

import { authQueries } from "../../../api/auth";
import { approvalQueries } from "../../../api/modelApprovals";
import { ListStates } from "../../../components/ListStates";
import { useAccess } from "../../access/useAccess";
import { type ApprovalsSearch, approvalsParams } from "./search";
import { RequestsTable } from "./RequestsTable";

const route = getRouteApi("/approvals");

const EMPTY: Record<NonNullable<ApprovalsSearch["view"]> | "needs", string> = {
  needs: "Nothing waits for your approval. Requests for a stage that needs approval show here for users holding model:approve.",
  requested: "You have no pending requests. Picking a stage that needs approval in a version's stage menu makes one.",
};

/** Requests for a stage across models: those waiting for the caller's vote, or the caller's own. */
export function ApprovalsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const me = useQuery(authQueries.me());
  const access = useAccess();
  const view = search.view ?? "needs";
  const requests = useQuery(approvalQueries.requests(approvalsParams(search)));
  const items = requests.data?.items ?? [];
  return (
    <Stack gap="md" data-testid="approvals-page">
      <Group justify="space-between" align="flex-end">
        <Stack gap={2}>
          <Title order={2}>{view === "needs" ? "Needs my approval" : "My requests"}</Title>
          <Text fz="sm" c="dimmed">
            Stage changes waiting for approval; the one who asked cannot approve their own.
          </Text>
        </Stack>
        <SegmentedControl
          size="xs"
          value={view}
          onChange={(v) => void navigate({ search: (prev) => ({ ...prev, view: v === "requested" ? "requested" : undefined }), replace: true })}
          data={[
            { value: "needs", label: "Needs my approval" },
            { value: "requested", label: "My requests" },
          ]}
        />
      </Group>
      <ListStates
        noun="requests"
        error={requests.error}
        onRetry={() => void requests.refetch()}
        pending={requests.isPending}
        empty={requests.isSuccess && items.length === 0}
        filtered={false}
        onClearFilter={() => undefined}
        emptyHint={EMPTY[view]}
      />
      {items.length > 0 && (
        <RequestsTable requests={items} showModel me={me.data?.user.id} canApprove={() => view === "needs" || access.anywhere("model:approve")} />
      )}
    </Stack>
  );
}
