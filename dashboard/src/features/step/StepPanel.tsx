import { Text } from "@mantine/core";

/** Details of one step run (placeholder until the step panel lands). */
export function StepPanel({ runId, step }: { runId: string; step: string }) {
  return (
    <Text data-testid="step-panel">
      {runId} / {step}
    </Text>
  );
}
