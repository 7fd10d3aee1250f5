import { ActionIcon, Alert, Center, Group, Loader, Tabs, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { Suspense, lazy, useEffect } from "react";

import { ApiError } from "../../api/client";
import { graphQueries } from "../../api/graph";
import { stepQueries } from "../../api/steps";
import { ErrorState } from "../../components/ErrorState";
import { StepStatusBadge } from "../../components/StepStatusBadge";
import { type StepTab } from "../run/search";
import { ArtifactsTab, Overview } from "./Overview";
import { CodeTab } from "./CodeTab";
import { CachedLogNotice } from "./StepNotices";

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
  // The run page has the graph already: its step status lets the log view start at once,
  // without waiting for the step's details.
  const graph = useQuery(graphQueries.detail(route.useParams().runId));
  const planned = graph.data?.steps.find((s) => s.name === step);
  const status = found.data?.status ?? planned?.status ?? undefined;
  useEffect(() => {
    if (tab === "logs") void import("./LogsTab");
  }, [tab]);

  const close = () =>
    void navigate({ search: (prev) => ({ ...prev, step: undefined, tab: undefined, line: undefined, logq: undefined }) });
  const header = (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
        <Title order={4} ff="monospace" data-testid="step-name" style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={step}>
          {step}
        </Title>
        {status && <StepStatusBadge status={status} />}
      </Group>
      <Tooltip label="Close (the run's view stays)">
        <ActionIcon variant="subtle" color="gray" aria-label="Close the step panel" onClick={close}>
          ✕
        </ActionIcon>
      </Tooltip>
    </Group>
  );

  const notFound = found.error instanceof ApiError && found.error.status === 404;
  if (notFound && planned) {
    // Planned in the graph but not started: nothing is recorded yet.
    return (
      <div data-testid="step-panel">
        {header}
        <Alert color="gray" mt="sm" title="Not started yet" data-testid="step-pending">
          <Text fz="sm">
            This step has not started{planned.after?.length ? `; it waits for ${planned.after.join(", ")}` : ""}. Its details, logs and
            metrics appear here once it runs.
          </Text>
        </Alert>
      </div>
    );
  }
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
  const sr = found.data;
  const earlyLogs = !sr && tab === "logs" && status !== undefined;
  if (!sr && !earlyLogs) {
    return (
      <div data-testid="step-panel">
        {header}
        <Center py="xl">
          <Loader size="sm" aria-label="Loading the step" />
        </Center>
      </div>
    );
  }
  const waiting = (
    <Center py="xl">
      <Loader size="sm" aria-label="Loading the step" />
    </Center>
  );
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
          {sr ? <Overview runId={runId} step={sr} /> : waiting}
        </Tabs.Panel>
        <Tabs.Panel value="logs" pt="sm" style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column", gap: 8 }}>
          {sr && status === "cached" && <CachedLogNotice step={sr} />}
          <Suspense fallback={<TabLoading />}>
            {status === "skipped" ? (
              <Text fz="sm" c="dimmed" data-testid="log-skipped">
                This step was skipped and never ran, so it has no log. The Overview says which upstream step it waited for.
              </Text>
            ) : status !== undefined && (
              <LogsTab runId={runId} step={step} status={status} cachedFromRunId={sr?.cached_from_run_id ?? undefined} />
            )}
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="metrics" pt="sm" style={{ overflow: "auto" }}>
          <Suspense fallback={<TabLoading />}>
            {sr ? <MetricsTab step={sr} /> : waiting}
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="code" pt="sm" style={{ flex: 1, minHeight: 0, display: "flex", flexDirection: "column" }}>
          {sr ? <CodeTab step={sr} /> : waiting}
        </Tabs.Panel>
        <Tabs.Panel value="artifacts" pt="sm" style={{ overflow: "auto" }}>
          {sr ? <ArtifactsTab step={sr} /> : waiting}
        </Tabs.Panel>
      </Tabs>
    </div>
  );
}
