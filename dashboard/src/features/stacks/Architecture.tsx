import { Anchor, Box, Card, Group, Stack, Text } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

import { COMPONENT_TYPES, type ComponentType, type StackComponent, type VerifyResult, typeLabel } from "../../api/stacks";
import { TypeIcon } from "./TypeIcon";
import { VerifyLine } from "./VerifyLine";

const LINE = "var(--mantine-color-default-border)";
const DROP = 18;
const CARD_W = 220;

function ComponentCard({ type, component, result }: { type: ComponentType; component: StackComponent; result?: VerifyResult | undefined }) {
  return (
    <Card withBorder padding="sm" w={CARD_W} data-testid={`arch-${type}`} aria-label={`${typeLabel(type)} ${component.name}`} shadow="xs">
      <Stack gap={6}>
        <Group gap="xs" wrap="nowrap">
          <TypeIcon type={type} />
          <Text fz="xs" fw={700} c="dimmed" tt="uppercase" lh={1.2}>
            {typeLabel(type)}
          </Text>
        </Group>
        <Anchor
          fw={700}
          ff="monospace"
          fz="sm"
          style={{ overflowWrap: "anywhere" }}
          renderRoot={(props) => <Link {...props} to="/components" search={{ type, q: component.name }} />}
        >
          {component.name}
        </Anchor>
        <Text fz="xs" c="dimmed">
          flavor <b>{component.flavor}</b>
          {component.connector ? (
            <>
              {" · connector "}
              <b>{component.connector}</b>
            </>
          ) : null}
        </Text>
        <VerifyLine result={result} />
      </Stack>
    </Card>
  );
}

/** One child under the bus: a drop line from it, then the card; the bus spans from the first child's middle to the last's. */
function Branch({ index, count, children }: { index: number; count: number; children: ReactNode }) {
  return (
    <Box px={8} style={{ position: "relative", display: "flex", flexDirection: "column", alignItems: "center" }}>
      {count > 1 && (
        <Box
          style={{
            position: "absolute",
            top: 0,
            left: index === 0 ? "50%" : 0,
            right: index === count - 1 ? "50%" : 0,
            borderTop: `2px solid ${LINE}`,
          }}
        />
      )}
      <Box w={2} h={DROP} bg={LINE} />
      {children}
    </Box>
  );
}

/**
 * A stack as its architecture: the orchestrator on top, running the steps; below it, joined by
 * lines, the artifact store first and then every other component it holds, each a card with its
 * type, name, flavor, connector and (once verified) the result.
 */
export function Architecture({ components, results }: { components: Partial<Record<ComponentType, StackComponent>>; results?: Record<string, VerifyResult> | undefined }) {
  const orchestrator = components.orchestrator;
  const below = COMPONENT_TYPES.filter((t) => t !== "orchestrator" && components[t]);
  const missing = COMPONENT_TYPES.filter((t) => !components[t]);
  return (
    <Stack gap={0} align="center" data-testid="architecture" py="sm" style={{ overflowX: "auto" }}>
      {orchestrator ? (
        <ComponentCard type="orchestrator" component={orchestrator} result={results?.orchestrator} />
      ) : (
        <Text c="red" fz="sm">
          No orchestrator
        </Text>
      )}
      {below.length > 0 && (
        <>
          <Box w={2} h={DROP} bg={LINE} />
          <Box style={{ display: "flex", flexWrap: "nowrap", justifyContent: "center" }}>
            {below.map((t, i) => {
              const c = components[t];
              return c ? (
                <Branch key={t} index={i} count={below.length}>
                  <ComponentCard type={t} component={c} result={results?.[t]} />
                </Branch>
              ) : null;
            })}
          </Box>
        </>
      )}
      {missing.length > 0 && (
        <Text fz="xs" c="dimmed" mt="sm">
          Not in this stack: {missing.map(typeLabel).join(", ")}
        </Text>
      )}
    </Stack>
  );
}
