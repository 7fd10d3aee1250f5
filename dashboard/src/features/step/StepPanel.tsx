import { ActionIcon, Center, Group, Loader, Tabs, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { Suspense, lazy } from "react";

import { ApiError } from "../../api/client";
import { stepQueries } from "../../api/steps";
import { ErrorState } from "../../components/ErrorState";
import { StepStatusBadge } from "../../components/StepStatusBadge";
import { type StepTab } from "../run/search";
import { ArtifactsTab, Overview } from "./Overview";
import { CodeTab } from "./CodeTab";

// The log viewer (virtualizer, live stream) and the charts load when their tab is opened.
const LogsTab = lazy(() => import("./LogsTab").then((m) => ({ default: m.LogsTab })));
const MetricsTab = lazy(() => import("./MetricsTab").then((m) => ({ default: m.MetricsTab })));

const route = getRouteApi("/runs/$runId");

function TabLoading() {
  return (
    <Center py="lg">
      <Loader size="sm" aria-label="Loading the tab" />
    </Center>
  );
}

/** The selected step's details beside the DAG/Timeline: overview, logs, metrics, code, artifacts. */
export function StepPanel({ runId, step }: { runId: string; step: string }) {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const found = useQuery(stepQueries.detail(runId, step));
  const tab: StepTab = search.tab ?? "overview";

  const close = () =>
    void navigate({ search: (prev) => ({ ...prev, step: undefined, tab: undefined, line: undefined, logq: undefined }) });
  const header = (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
        <Title order={4} ff="monospace" data-testid="step-name" style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={step}>
          {step}
        </Title>
        {found.data && <StepStatusBadge status={found.data.status} />}
      </Group>
      <Tooltip label="Close (the run's view stays)">
        <ActionIcon variant="subtle" color="gray" aria-label="Close the step panel" onClick={close}>
          ✕
        </ActionIcon>
      </Tooltip>
    </Group>
  );

  if (found.error && !(found.error instanceof ApiError && found.error.status === 401)) {
    return (
      <div data-testid="step-panel">
        {header}
        <ErrorState
          title={found.error instanceof ApiError && found.error.status === 404 ? `This run has no step '${step}'` : "Could not load the step"}
          error={found.error}
          onRetry={() => void found.refetch()}
        />
        <Text fz="xs" c="dimmed" mt="xs">
          Pick another step in the graph, or close this panel.
        </Text>
      </div>
    );
  }
  if (!found.data) {
    return (
      <div data-testid="step-panel">
        {header}
        <Center py="xl">
          <Loader size="sm" aria-label="Loading the step" />
        </Center>
      </div>
    );
  }
  const sr = found.data;
  return (
    <div data-testid="step-panel" style={{ display: "flex", flexDirection: "column", height: "100%", minHeight: 0, gap: 8 }}>
      {header}
      <Tabs
        value={tab}
        onChange={(value) => void navigate({ search: (prev) => ({ ...prev, tab: (value as StepTab | null) ?? undefined }) })}
        keepMounted={false}
        style={{ display: "flex", flexDirection: "column", flex: 1, minHeight: 0 }}
      >
        <Tabs.List>
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="logs">Logs</Tabs.Tab>
          <Tabs.Tab value="metrics">Metrics</Tabs.Tab>
          <Tabs.Tab value="code">Code</Tabs.Tab>
          <Tabs.Tab value="artifacts">Artifacts</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="sm" style={{ overflow: "auto" }}>
          <Overview runId={runId} step={sr} />
        </Tabs.Panel>
        <Tabs.Panel value="logs" pt="sm" style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column" }}>
          <Suspense fallback={<TabLoading />}>
            <LogsTab runId={runId} step={step} status={sr.status} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="metrics" pt="sm" style={{ overflow: "auto" }}>
          <Suspense fallback={<TabLoading />}>
            <MetricsTab step={sr} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="code" pt="sm" style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column" }}>
          <CodeTab step={sr} />
        </Tabs.Panel>
        <Tabs.Panel value="artifacts" pt="sm" style={{ overflow: "auto" }}>
          <ArtifactsTab step={sr} />
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}
