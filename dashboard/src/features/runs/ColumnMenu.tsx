import { Anchor, Button, Center, Checkbox, Divider, Group, Loader, Popover, ScrollArea, SimpleGrid, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { type RunColumnKeys, runQueries } from "../../api/runs";
import { RUN_COLUMNS, dynamicLabel } from "./columns";
import { COLUMNS, type ColumnId, type ColumnKey, type DynamicKey, isDynamicKey } from "./search";

export interface KeyGroup {
  title: string;
  keys: DynamicKey[];
}

const GROUPS: { field: keyof RunColumnKeys; prefix: string; title: string }[] = [
  { field: "metadata", prefix: "metadata.", title: "Metadata" },
  { field: "params", prefix: "param.", title: "Parameters" },
  { field: "step_params", prefix: "step.", title: "Step parameters" },
];

/**
 * The parameter and metadata columns to offer, grouped: what the server found plus any already
 * chosen (so it can be unchosen even when no run in view has it), narrowed by `find`.
 */
export function keyGroups(offered: RunColumnKeys | undefined, chosen: readonly ColumnKey[], find: string): KeyGroup[] {
  const needle = find.trim().toLowerCase();
  return GROUPS.map(({ field, prefix, title }) => {
    const keys = new Set<DynamicKey>((offered?.[field] ?? []).filter(isDynamicKey));
    for (const c of chosen) if (c.startsWith(prefix) && isDynamicKey(c)) keys.add(c);
    const shown = [...keys].filter((k) => !needle || k.toLowerCase().includes(needle));
    return { title, keys: shown.sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base", numeric: true })) };
  }).filter((g) => g.keys.length > 0);
}

interface Props {
  visible: ColumnKey[];
  available: readonly ColumnId[];
  /** The filter whose runs' parameter names and metadata keys are offered. */
  query: string;
  onChange: (cols: ColumnKey[]) => void;
}

/** Which columns show: the built-in ones, and any parameter or metadata the runs have (asked for when opened). */
export function ColumnMenu({ visible, available, query, onChange }: Props) {
  const [opened, setOpened] = useState(false);
  const [find, setFind] = useState("");
  const keys = useQuery({ ...runQueries.columnKeys(query), enabled: opened });
  const groups = keyGroups(keys.data, visible, find);
  const toggle = (key: ColumnKey, on: boolean) => onChange(on ? [...visible, key] : visible.filter((c) => c !== key));
  const chosenDynamic = visible.filter((c) => isDynamicKey(c)).length;
  return (
    <Popover position="bottom-end" shadow="md" withArrow opened={opened} onChange={setOpened} width={320}>
      <Popover.Target>
        <Button size="xs" variant="default" onClick={() => setOpened((o) => !o)} aria-expanded={opened}>
          Columns{chosenDynamic ? ` (+${chosenDynamic})` : ""}
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Columns">
        <Stack gap={8}>
          <SimpleGrid cols={2} spacing={6} verticalSpacing={6}>
            {available.map((id) => (
              <Checkbox
                key={id}
                size="xs"
                label={RUN_COLUMNS[id].label}
                checked={visible.includes(id)}
                // The name links to the run: without it a row leads nowhere.
                disabled={id === "name"}
                onChange={(e) => toggle(id, e.currentTarget.checked)}
              />
            ))}
          </SimpleGrid>
          <Divider label="Parameters and metadata" labelPosition="left" />
          <TextInput size="xs" placeholder="Find a parameter or metric" aria-label="Find a parameter or metric" value={find} onChange={(e) => setFind(e.currentTarget.value)} />
          {keys.isPending && opened ? (
            <Center py="xs">
              <Loader size="sm" aria-label="Loading parameter and metadata names" />
            </Center>
          ) : keys.error ? (
            <Text fz="xs" c="red" role="alert">
              Could not load the parameter and metadata names: {keys.error.message}
            </Text>
          ) : groups.length === 0 ? (
            <Text fz="xs" c="dimmed">
              {find ? "No parameter or metadata name matches." : "The runs in this list have no parameters or metadata."}
            </Text>
          ) : (
            <ScrollArea.Autosize mah={280} type="auto" offsetScrollbars>
              <Stack gap={6}>
                {groups.map((g) => (
                  <Stack key={g.title} gap={4}>
                    <Text fz="xs" fw={700} c="dimmed" tt="uppercase">
                      {g.title}
                    </Text>
                    {g.keys.map((k) => (
                      <Checkbox key={k} size="xs" label={dynamicLabel(k)} title={k} checked={visible.includes(k)} onChange={(e) => toggle(k, e.currentTarget.checked)} />
                    ))}
                  </Stack>
                ))}
              </Stack>
            </ScrollArea.Autosize>
          )}
          <Group justify="space-between">
            <Anchor component="button" fz="xs" onClick={() => onChange([...COLUMNS, ...visible.filter((c) => isDynamicKey(c))])}>
              Show all built-in
            </Anchor>
            {chosenDynamic > 0 && (
              <Anchor component="button" fz="xs" onClick={() => onChange(visible.filter((c) => !isDynamicKey(c)))}>
                Remove parameters and metadata
              </Anchor>
            )}
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
