import { Text } from "@mantine/core";

import type { GraphViewProps } from "../run/views";

/** The run's Timeline (placeholder until the Gantt view lands). */
export function TimelineView({ graph }: GraphViewProps) {
  return (
    <Text data-testid="timeline" data-state="ready">
      {graph.steps.length} steps
    </Text>
  );
}
