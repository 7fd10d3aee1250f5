import { Badge, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { Suspense, lazy } from "react";

import { type ArtifactVersion, type StepRun, stepQueries } from "../../api/steps";

// The renderers (charts, tables, markdown) load only when a step's artifacts tab shows one.
const VisualizationView = lazy(() => import("../artifacts/viz/VisualizationView").then((m) => ({ default: m.VisualizationView })));

function OutputViews({ v }: { v: ArtifactVersion }) {
  return (
    <Stack gap="xs">
      <Text fz="sm" ff="monospace" fw={600}>
        {v.name} v{v.version}
      </Text>
      {v.visualizations.map((viz, index) => (
        <Stack key={`${viz.path}:${index}`} gap={4} p="xs" style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 8, minWidth: 0 }}>
          <Group gap="xs">
            <Text fz="sm" fw={600}>
              {viz.title ?? viz.type}
            </Text>
            <Badge size="xs" variant="default" tt="none">
              {viz.type}
            </Badge>
          </Group>
          <Suspense fallback={<Loader size="xs" aria-label="Loading the visualization" />}>
            <VisualizationView version={v} viz={viz} index={index} />
          </Suspense>
        </Stack>
      ))}
    </Stack>
  );
}

/** What the step's outputs look like: each output's stored visualizations, as on its artifact page. */
export function OutputVisualizations({ step }: { step: StepRun }) {
  const ids = Object.values(step.outputs ?? {});
  // The same queries as the outputs table above, so these come from its cache.
  const versions = useQueries({ queries: ids.map((id) => stepQueries.version(id)) });
  const loaded = versions.flatMap((q) => (q.data ? [q.data] : []));
  const shown = loaded.filter((v) => v.visualizations.length > 0);
  if (ids.length === 0) return null;
  return (
    <Stack gap={4} data-testid="step-output-visualizations">
      <Title order={6} c="dimmed" tt="uppercase" fz="xs">
        Visualizations
      </Title>
      {shown.length === 0 ? (
        loaded.length < ids.length ? (
          <Loader size="xs" aria-label="Loading the outputs" />
        ) : (
          <Text fz="sm" c="dimmed">
            No visualizations were saved with these outputs.
          </Text>
        )
      ) : (
        <Stack gap="md">
          {shown.map((v) => (
            <OutputViews key={v.id} v={v} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
