import { Center, Group, Loader, Stack, Tabs, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";

import { ApiError } from "../../api/client";
import { pipelineKeys, pipelineQueries } from "../../api/pipelines";
import { ErrorState } from "../../components/ErrorState";
import { StatusBadge } from "../../components/StatusBadge";
import { quoteValue } from "../../lib/filter";
import { formatTime } from "../runs/format";
import { RunsList } from "../runs/RunsList";
import type { PipelineTab } from "./search";
import { ShareButton } from "../access/ShareButton";
import { ResourceTags } from "../tags/ResourceTags";
import { StructureHistory } from "./StructureHistory";

const route = getRouteApi("/pipelines/$pipeline");
const HIDE = ["pipeline"] as const;

/** One pipeline: its runs, and how its structure changed over time. */
export function PipelinePage() {
  const { pipeline } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const info = useQuery(pipelineQueries.detail(pipeline));

  if (info.error && !(info.error instanceof ApiError && info.error.status === 401)) {
    return (
      <ErrorState
        title={info.error instanceof ApiError && info.error.status === 404 ? "No such pipeline" : "Could not load this pipeline"}
        error={info.error}
        onRetry={() => void info.refetch()}
        backTo="/pipelines"
        backLabel="Back to the pipelines"
      />
    );
  }
  if (!info.data) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the pipeline" />
      </Center>
    );
  }
  const p = info.data;
  const { tab = "runs", ...runsSearch } = search;
  return (
    <Stack>
      <Stack gap={2}>
        <Group gap="xs" justify="space-between">
          <Group gap="xs">
            <Title order={2} ff="monospace">
              {p.name}
            </Title>
            {p.latest_run_status && <StatusBadge status={p.latest_run_status} />}
          </Group>
          <ShareButton type="pipeline" id={p.id} name={p.name} projectId={p.project_id} />
        </Group>
        <Text fz="sm" c="dimmed">
          {p.run_count} run{p.run_count === 1 ? "" : "s"}
          {p.latest_run_at ? ` · latest ${formatTime(p.latest_run_at)}` : ""} · created {formatTime(p.created_at)}
        </Text>
        <ResourceTags resource="pipeline" id={p.id} projectId={p.project_id} tags={p.tags ?? []} permission="pipeline:update" invalidate={[pipelineKeys.all]} testId="pipeline-tags" />
      </Stack>
      <Tabs value={tab} onChange={(v) => void navigate({ search: (prev) => ({ ...prev, tab: v === "history" ? "history" : undefined }) })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="runs">Runs</Tabs.Tab>
          <Tabs.Tab value={"history" satisfies PipelineTab}>Structure history</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runs" pt="md">
          <RunsList
            search={runsSearch}
            onChange={(patch) => void navigate({ search: (prev) => ({ ...prev, ...patch }) })}
            scope={`pipeline:${quoteValue(p.name)}`}
            hide={HIDE}
            exportName={`runs-${p.name}`}
            empty={<Text>This pipeline has no runs yet.</Text>}
          />
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <StructureHistory pipeline={p.name} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
