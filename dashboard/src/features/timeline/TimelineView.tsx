import { Center, Group, Stack, Switch, Text, Tooltip } from "@mantine/core";
import { useCallback, useMemo, useState } from "react";

import type { StepStatus } from "../../api/graph";
import type { GraphViewProps } from "../run/views";
import { formatSpan } from "./axis";
import { criticalPath } from "./criticalPath";
import { Gantt } from "./Gantt";
import { useNow } from "./hooks";
import { type TimelineModel, buildTimeline, runSpan } from "./model";
import { CRITICAL_CSS } from "./RowLabel";
import { StatusDot } from "./StatusDot";

function StatusCounts({ model }: { model: TimelineModel }) {
  const counts = useMemo(() => {
    const c = new Map<StepStatus, number>();
    for (const row of model.rows) c.set(row.status, (c.get(row.status) ?? 0) + 1);
    return [...c.entries()];
  }, [model]);
  return (
    <Group gap="sm" data-testid="timeline-counts">
      {counts.map(([status, n]) => (
        <Group key={status} gap={4} wrap="nowrap">
          <StatusDot status={status} />
          <Text fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
            {n.toLocaleString()} {status}
          </Text>
        </Group>
      ))}
    </Group>
  );
}

/** The run's Timeline: a Gantt chart of its steps, with the critical path and live growth. */
export function TimelineView({ graph, selected, onSelect }: GraphViewProps) {
  const model = useMemo(() => buildTimeline(graph), [graph]);
  const now = useNow(model.live);
  const critical = useMemo(() => criticalPath(model, now), [model, now]);
  const [criticalOnly, setCriticalOnly] = useState(false);
  const [ready, setReady] = useState(false);
  const painted = useCallback(() => setReady(true), []);

  if (model.rows.length === 0) {
    return (
      <Center h="100%" data-testid="timeline" data-state="ready">
        <Text c="dimmed">This run has no steps, so there is nothing to draw.</Text>
      </Center>
    );
  }

  const total = runSpan(model, now);
  return (
    <Stack gap={0} data-testid="timeline" data-state={ready ? "ready" : "loading"} style={{ position: "absolute", inset: 0 }}>
      <Group justify="space-between" gap="md" pb={6} style={{ rowGap: 4 }}>
        <StatusCounts model={model} />
        {critical.rows.length > 0 && (
          <Tooltip
            multiline
            w={320}
            label="The chain of steps that set the run's total time: each waited for the one before it, so making the run faster starts with these steps."
          >
            <Group gap={8} wrap="nowrap">
              <Switch
                size="xs"
                label={<span style={{ color: CRITICAL_CSS, fontWeight: 600, whiteSpace: "nowrap" }}>Critical path</span>}
                aria-label="Critical path: dim the other steps"
                checked={criticalOnly}
                onChange={(e) => setCriticalOnly(e.currentTarget.checked)}
              />
              <Text fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }} data-testid="critical-summary">
                {critical.rows.length} steps · {formatSpan(critical.span)}
                {total > 0 && ` of ${formatSpan(total)}`} · {formatSpan(critical.busy)} busy
              </Text>
            </Group>
          </Tooltip>
        )}
      </Group>
      <Gantt model={model} now={now} critical={critical} criticalOnly={criticalOnly} selected={selected} onSelect={onSelect} onPainted={painted} />
    </Stack>
  );
}
