import { Anchor, Badge, Box, Code, Group, Popover, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";

import { COMPONENT_TYPES, type StackSnapshot, stackQueries, typeLabel } from "../../api/stacks";

/** One component as the run used it: its configuration as written then (secret values masked by the server). */
function SnapshotChip({ type, component }: { type: string; component: StackSnapshot["components"][string] }) {
  const entries = Object.entries(component.config ?? {});
  return (
    <Popover width={360} position="bottom-start" withArrow shadow="md">
      <Popover.Target>
        <Badge component="button" variant="light" color="gray" tt="none" fw={400} size="md" h={24} style={{ cursor: "pointer" }} data-testid="run-stack-component">
          <Text span fz="xs" c="dimmed">
            {typeLabel(type)}
          </Text>{" "}
          <Text span fz="xs" fw={600} ff="monospace">
            {component.name}
          </Text>{" "}
          <Text span fz="xs" c="dimmed">
            ({component.flavor})
          </Text>
        </Badge>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={4}>
          <Text fz="sm" fw={700}>
            {typeLabel(type)} {component.name} · {component.flavor}
            {component.connector ? ` · connector ${component.connector}` : ""}
          </Text>
          <Text fz="xs" c="dimmed">
            As this run used it; later changes to the component do not show here.
          </Text>
          {entries.length === 0 ? (
            <Text fz="xs" c="dimmed">
              Flavor defaults, nothing configured.
            </Text>
          ) : (
            <Code block fz="xs">
              {entries.map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n")}
            </Code>
          )}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** The stack a run used, as it was then (its snapshot): the stack's name and each component, its configuration a click away. */
export function RunStack({ runId }: { runId: string }) {
  const snapshot = useQuery(stackQueries.runStack(runId));
  const s = snapshot.data;
  if (!s) return null;
  return (
    <Group gap={6} wrap="wrap" component="section" aria-label="Stack" data-testid="run-stack" mih={24}>
      <Text fz="xs" fw={700} c="dimmed" tt="uppercase" w={84} lh="24px">
        Stack
      </Text>
      <Box>
        <Anchor fz="sm" ff="monospace" title="The stack as it is now" renderRoot={(props) => <Link {...props} to="/stacks/$stack" params={{ stack: s.name }} />}>
          {s.name}
        </Anchor>
      </Box>
      {COMPONENT_TYPES.filter((t) => s.components[t]).map((t) => {
        const c = s.components[t];
        return c ? <SnapshotChip key={t} type={t} component={c} /> : null;
      })}
    </Group>
  );
}
