import { SimpleGrid } from "@mantine/core";

import type { Model, ModelMetricKey } from "../../../api/models";
import { ApprovalPolicyForm } from "./ApprovalPolicyForm";
import { MetricDirectionsForm } from "./MetricDirectionsForm";

/**
 * A model's settings, shown to everyone: its approval policy (changed by holders of model:approve) and its metric
 * directions (changed by holders of model:update); read-only for the rest.
 */
export function SettingsTab({
  model,
  projectId,
  metricKeys,
  canApprove,
  canUpdate,
}: {
  model: Model;
  /** The model's project (its id), whose approval policy the model may follow. */
  projectId: string | null | undefined;
  /** Every metric key of the model's versions; undefined while loading. */
  metricKeys: readonly ModelMetricKey[] | undefined;
  canApprove: boolean;
  canUpdate: boolean;
}) {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md" style={{ alignItems: "start" }} data-testid="model-settings">
      <ApprovalPolicyForm model={model} projectId={projectId} canApprove={canApprove} />
      <MetricDirectionsForm model={model} metricKeys={metricKeys} canUpdate={canUpdate} />
    </SimpleGrid>
  );
}
