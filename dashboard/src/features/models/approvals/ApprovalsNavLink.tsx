import { Anchor, Badge, Group } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";

import { approvalQueries } from "../../../api/modelApprovals";
import { approvalsParams } from "./search";

/** The header's Approvals link, with how many requests wait for the caller's vote (none: no badge). */
export function ApprovalsNavLink() {
  // Read again each minute: others' requests arrive without the caller doing anything.
  const waiting = useQuery({ ...approvalQueries.requests(approvalsParams({})), refetchInterval: 60_000 });
  const count = waiting.data?.total ?? 0;
  return (
    <Anchor
      fz="sm"
      fw={500}
      c="dimmed"
      underline="never"
      data-testid="nav-approvals"
      aria-label={count > 0 ? `Approvals: ${count} waiting for you` : "Approvals"}
      renderRoot={(props) => <Link {...props} to="/approvals" activeProps={{ style: { color: "var(--mantine-color-text)", fontWeight: 700 } }} />}
    >
      <Group gap={4} wrap="nowrap">
        Approvals
        {count > 0 && (
          <Badge size="xs" color="orange" variant="filled" circle data-testid="nav-approvals-count">
            {count}
          </Badge>
        )}
      </Group>
    </Anchor>
  );
}
