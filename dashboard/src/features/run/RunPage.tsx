import { Anchor, Box, Center, Group, Loader, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";
import { useEffect, useRef, useState } from "react";

import { ApiError } from "../../api/client";
import { graphQueries } from "../../api/graph";
import { runQueries } from "../../api/runs";
import { ErrorState } from "../../components/ErrorState";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDuration, formatTime } from "../runs/format";
import { accessQueries } from "../../api/access";
import { ShareButton } from "../access/ShareButton";
import { canInProject } from "../access/permissions";
import { useAccess } from "../access/useAccess";
import { RunFacts } from "./RunFacts";
import { LastSuccessButton } from "./LastSuccessButton";
import { RunTags } from "./RunTags";
import { StopRunButton } from "./StopRunButton";
import { RunStack } from "../stacks/RunStack";
import { type RunView, defaultView } from "./search";
import { StepPanel } from "../step/StepPanel";

// The graph views are heavy (xyflow, elkjs, canvas): each loads when a run first needs it.
const loadDag = () => import("../dag/DagView");
const loadTimeline = () => import("../timeline/TimelineView");

/**
 * A view's module, fetched as soon as it is wanted — in parallel with the run's data.
 * Not React.lazy: Suspense holds a revealed view back for ~300 ms after its fallback shows,
 * which is a third of the 10,000-step Timeline's budget.
 */
function useViewModule<T>(load: () => Promise<T>, wanted: boolean): T | undefined {
  const [mod, setMod] = useState<T>();
  useEffect(() => {
    if (!wanted || mod) return;
    let live = true;
    void load().then((m) => {
      if (live) setMod(m);
    });
    return () => {
      live = false;
    };
  }, [load, wanted, mod]);
  return mod;
}

const route = getRouteApi("/runs/$runId");

function ViewLoading() {
  return (
    <Center h="100%">
      <Loader aria-label="Loading the view" />
    </Center>
  );
}

/** One run: its summary, the DAG or Timeline, and the selected step's details beside them. */
export function RunPage() {
  const { runId } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const run = useQuery(runQueries.detail(runId));
  const graph = useQuery(graphQueries.detail(runId));

  // The run (small, answers first) tells how many steps started, so the right view's code is
  // fetched while the graph is still on its way; the graph's planned steps decide in the end.
  const started = run.data ? Object.values(run.data.step_counts ?? {}).reduce((a, b) => a + b, 0) : undefined;
  const stepCount = graph.data?.steps.length ?? started;
  const view: RunView | undefined = search.view ?? (stepCount === undefined ? undefined : defaultView(stepCount));
  const dag = useViewModule(loadDag, view === "dag");
  const timeline = useViewModule(loadTimeline, view === "timeline");
  const firstFailed = graph.data?.steps.find((s) => s.status === "failed" || s.status === "crashed");

  // A failed run opens on its failing step, with the error in view — once: closing the panel keeps it closed.
  const openedOnFailure = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (openedOnFailure.current === runId || !firstFailed || !run.data) return;
    if (run.data.status !== "failed" && run.data.status !== "crashed") return;
    openedOnFailure.current = runId;
    if (!search.step) void navigate({ search: (prev) => ({ ...prev, step: firstFailed.name }), replace: true });
  }, [runId, search.step, firstFailed, run.data, navigate]);

  const select = (step: string | undefined) =>
    void navigate({ search: (prev) => ({ ...prev, step, line: undefined, logq: undefined }) });

  const error = run.error ?? graph.error;
  if (error && !(error instanceof ApiError && error.status === 401)) {
    return (
      <ErrorState
        title={error instanceof ApiError && error.status === 404 ? "No such run" : "Could not load this run"}
        error={error}
        onRetry={() => {
          void run.refetch();
          void graph.refetch();
        }}
        backTo="/runs"
        backLabel="Back to the runs"
      />
    );
  }
  if (!run.data || !graph.data) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the run" />
      </Center>
    );
  }
  const r = run.data;
  return (
    <Stack gap="sm" h="calc(100dvh - 52px - 2 * var(--mantine-spacing-md))">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs">
            <Title order={3} ff="monospace" data-testid="run-name">
              {r.name}
            </Title>
            <StatusBadge status={r.status} />
          </Group>
          <Text fz="sm" c="dimmed">
            <PipelineName name={r.pipeline_name} id={r.pipeline_id} projectId={r.project_id} />
            {" · started "}
            {formatTime(r.started_at ?? r.created_at)}
            {" · "}
            {formatDuration(r.started_at, r.ended_at)}
            {" · "}
            {graph.data.steps.length} {graph.data.steps.length === 1 ? "step" : "steps"}
            {r.user_name ? ` · ${r.user_name}` : ""}
          </Text>
          {r.status_reason && (
            <Text fz="sm" data-testid="run-status-reason">
              {r.status_reason}
            </Text>
          )}
          <RunFacts run={r} />
          <RunTags run={r} />
          <RunStack runId={r.id} />
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <StopRunButton run={r} />
          <LastSuccessButton run={r} />
          <ShareButton type="run" id={r.id} name={r.name} projectId={r.project_id} />
          <SegmentedControl
            aria-label="View"
            value={view ?? defaultView(graph.data.steps.length)}
            onChange={(v) => void navigate({ search: (prev) => ({ ...prev, view: v as RunView }) })}
            data={[
              { value: "dag", label: "DAG" },
              { value: "timeline", label: "Timeline" },
            ]}
          />
        </Group>
      </Group>
      <Group align="stretch" gap="sm" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
        <Box style={{ flex: 1, minWidth: 0, position: "relative" }} data-testid="run-view">
          {view === "dag" && dag ? (
            <dag.DagView graph={graph.data} selected={search.step} onSelect={select} />
          ) : view === "timeline" && timeline ? (
            <timeline.TimelineView graph={graph.data} selected={search.step} onSelect={select} />
          ) : (
            <ViewLoading />
          )}
        </Box>
        {search.step && (
          <Box w={{ base: "100%", md: 520 }} style={{ flexShrink: 0, overflow: "auto", borderLeft: "1px solid var(--mantine-color-default-border)" }} pl="sm">
            <StepPanel key={search.step} runId={r.id} step={search.step} />
          </Box>
        )}
      </Group>
    </Stack>
  );
}

/** The run's pipeline: a link for those who may open its page, plain text for those who may not (a run can be shared alone). */
function PipelineName({ name, id, projectId }: { name: string; id: string; projectId: string | null | undefined }) {
  const access = useAccess();
  const projects = useQuery(accessQueries.projects());
  if (!canInProject(access.me, "pipeline:read", projectId, projects.data, { type: "pipeline", id })) {
    return <span data-testid="run-pipeline">{name}</span>;
  }
  return (
    <Anchor fz="sm" data-testid="run-pipeline" renderRoot={(props) => <Link {...props} to="/pipelines/$pipeline" params={{ pipeline: name }} />}>
      {name}
    </Anchor>
  );
}
