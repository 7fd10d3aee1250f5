import { Badge, Box, Group, Paper, Stack, Text } from "@mantine/core";

import type { AccessNode } from "./permissions";

const KIND_COLOR: Record<AccessNode["kind"], string> = { organization: "violet", workspace: "blue", project: "teal", shared: "orange" };

/** One scope of the tree: its name, each grant or share held there (role, via, permissions), then the scopes below. */
function Node({ node, depth }: { node: AccessNode; depth: number }) {
  return (
    <Box pl={depth ? "md" : 0} style={depth ? { borderLeft: "2px solid var(--mantine-color-default-border)" } : undefined} data-testid={`access-node-${node.kind}`} data-name={node.name}>
      <Stack gap={6} py={4}>
        <Group gap="xs">
          <Badge size="sm" color={KIND_COLOR[node.kind]} variant="light">
            {node.kind === "shared" ? "shared" : node.kind}
          </Badge>
          <Text fw={700} ff={node.kind === "organization" ? undefined : "monospace"}>
            {node.name}
          </Text>
          {!node.sources.length && (
            <Text fz="xs" c="dimmed">
              nothing held here directly
            </Text>
          )}
        </Group>
        {node.sources.map((s, i) => (
          <Paper key={`${s.role}-${s.via}-${s.scope_id}-${i}`} withBorder p="xs" ml="md" data-testid="access-source">
            <Group gap="xs" mb={4}>
              <Text fz="sm" fw={600}>
                {s.role}
              </Text>
              <Text fz="xs" c="dimmed">
                {s.kind === "share" ? `on ${s.scope}` : `${s.level} role`} · {s.via === "direct" ? "granted directly" : `through ${s.via}`}
              </Text>
            </Group>
            <Group gap={4}>
              {s.permissions.map((p) => (
                <Badge key={p} size="xs" variant="default" tt="none" ff="monospace">
                  {p}
                </Badge>
              ))}
            </Group>
          </Paper>
        ))}
        {node.children.map((c) => (
          <Node key={`${c.kind}:${c.name}`} node={c} depth={depth + 1} />
        ))}
      </Stack>
    </Box>
  );
}

/** A user's access drawn as the hierarchy it applies in: organization → workspace → project. */
export function AccessTree({ root }: { root: AccessNode }) {
  return <Node node={root} depth={0} />;
}
