import { Badge } from "@mantine/core";

import type { ExecutionStatus } from "../api/runs";

/** One colour per status, shared by every view that shows one. */
export const STATUS_COLORS: Record<ExecutionStatus, string> = {
  initializing: "cyan",
  running: "blue",
  completed: "green",
  cached: "teal",
  failed: "red",
  crashed: "orange",
  stopped: "gray",
  skipped: "gray",
};

/** Every status, checked against the generated schema by the Record above. */
export const STATUSES = Object.keys(STATUS_COLORS) as ExecutionStatus[];

export function StatusBadge({ status }: { status: ExecutionStatus }) {
  return (
    // Never cut to "COMP…" when a table squeezes its column.
    <Badge color={STATUS_COLORS[status]} variant="light" miw="max-content">
      {status}
    </Badge>
  );
}
