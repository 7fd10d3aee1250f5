import { Alert, Button, Center, Group, Loader, Paper, Stack, Text } from "@mantine/core";
import { Panel } from "@xyflow/react";
import { useEffect, useState } from "react";

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

/** Seconds since mount, ticking. */
function useElapsed(): number {
  const [start] = useState(() => Date.now());
  const [now, setNow] = useState(start);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.floor((now - start) / 1000);
}

/** The first layout of a run: what is happening, and after a while, what else to look at. */
export function LayingOut({ nodes }: { nodes: number }) {
  const elapsed = useElapsed();
  return (
    <Center pos="absolute" inset={0} style={{ pointerEvents: "none" }}>
      <Stack align="center" gap={4}>
        <Group gap="xs">
          <Loader size="sm" />
          <Text c="dimmed" fz="sm">
            Laying out {nodes.toLocaleString()} nodes…
          </Text>
        </Group>
        {elapsed >= 5 && (
          <Text c="dimmed" fz="xs" maw={380} ta="center">
            {elapsed} s so far. A graph this size takes a while; the Timeline view (above) shows the same steps at once.
          </Text>
        )}
      </Stack>
    </Center>
  );
}

/** A new layout on top of the old drawing (a group opened or closed, new steps planned). */
export function Relayout() {
  return (
    <Group gap={6} mt={6} data-testid="dag-relayout">
      <Loader size={14} />
      <Text fz="xs" c="dimmed">
        Laying out…
      </Text>
    </Group>
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
