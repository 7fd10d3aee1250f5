import { Group, Stack, Text, Title } from "@mantine/core";
import { getRouteApi } from "@tanstack/react-router";

import { CleanupButton } from "./CleanupDialog";
import { RunsList } from "./RunsList";

const route = getRouteApi("/runs");

/** All runs across pipelines: filter, sort, paging and columns live in the URL. */
export function RunsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Runs</Title>
        <CleanupButton />
      </Group>
      <RunsList
        search={search}
        onChange={(patch) => void navigate({ search: (prev) => ({ ...prev, ...patch }) })}
        exportName="runs"
        empty={
          <Text>
            No runs yet — run <code>make run</code>, or any pipeline with <code>python my_pipeline.py</code>.
          </Text>
        }
      />
    </Stack>
  );
}
