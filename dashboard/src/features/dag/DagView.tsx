import { Text } from "@mantine/core";

import type { GraphViewProps } from "../run/views";

/** The run's DAG (placeholder until the graph view lands). */
export function DagView({ graph }: GraphViewProps) {
  return (
    <Text data-testid="dag" data-state="ready">
      {graph.steps.length} steps
    </Text>
  );
}
