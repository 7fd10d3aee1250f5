import { Badge } from "@mantine/core";

import type { StepStatus } from "../api/graph";
import { STATUS_COLORS } from "./StatusBadge";

/** A step's status colour, with "pending" for a step that has not started. */
export function stepColor(status: StepStatus): string {
  return status === "pending" ? "gray" : STATUS_COLORS[status];
}

export function StepStatusBadge({ status }: { status: StepStatus }) {
  return (
    <Badge color={stepColor(status)} variant={status === "pending" ? "outline" : "light"}>
      {status}
    </Badge>
  );
}
