import { Alert, Button, Center, Group, Loader, Paper, Stack, Text } from "@mantine/core";
import { Panel } from "@xyflow/react";

import type { FoldGroup } from "./fold";

/** The groups the user opened, each with a way to fold it back. */
export function ExpandedGroups({ groups, onFold }: { groups: FoldGroup[]; onFold: (id: string) => void }) {
  if (groups.length === 0) return null;
  return (
    <Panel position="top-right">
      <Paper withBorder p={6} shadow="xs">
        <Stack gap={4}>
          {groups.map((g) => (
            <Group key={g.id} gap={6} justify="space-between" wrap="nowrap">
              <Text fz="xs" ff="monospace">
                {g.stepName} ×{g.members.length}
              </Text>
              <Button size="compact-xs" variant="light" onClick={() => onFold(g.id)} data-testid="dag-fold">
                Fold
              </Button>
            </Group>
          ))}
        </Stack>
      </Paper>
    </Panel>
  );
}

export function LayingOut({ nodes }: { nodes: number }) {
  return (
    <Center pos="absolute" inset={0} style={{ pointerEvents: "none" }}>
      <Group gap="xs">
        <Loader size="sm" />
        <Text c="dimmed" fz="sm">
          Laying out {nodes.toLocaleString()} nodes…
        </Text>
      </Group>
    </Center>
  );
}

export function LayoutFailed({ error, onRetry }: { error: string; onRetry: () => void }) {
  return (
    <Center pos="absolute" inset={0}>
      <Alert color="red" title="Could not lay out this DAG" maw={460}>
        <Text fz="sm">{error}</Text>
        <Group mt="sm" gap="xs">
          <Button size="xs" variant="light" onClick={onRetry}>
            Try again
          </Button>
          <Text fz="xs" c="dimmed">
            The Timeline view (above) shows the same steps without a layout.
          </Text>
        </Group>
      </Alert>
    </Center>
  );
}
