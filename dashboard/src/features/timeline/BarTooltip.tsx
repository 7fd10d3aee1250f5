import { Group, Paper, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

import { StepStatusBadge } from "../../components/StepStatusBadge";
import { formatOffset, formatSpan } from "./axis";
import { type TimelineModel, type TimelineRow, barEnd } from "./model";

function clock(ms: number): string {
  if (Number.isNaN(ms)) return "—";
  return new Date(ms).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3, hour12: false });
}

function Line({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text fz="xs" c="dimmed" w={64} style={{ flex: "none" }}>
        {label}
      </Text>
      <Text fz="xs" style={{ overflowWrap: "anywhere" }}>
        {children}
      </Text>
    </Group>
  );
}

/** What a bar stands for, shown beside the pointer: name, status, times, duration, why it ran. */
export function BarTooltip({ row, model, open, critical, left, top }: { row: TimelineRow; model: TimelineModel; open: number; critical: boolean; left: number; top: number }) {
  const end = barEnd(row, open);
  const running = Number.isNaN(row.end);
  return (
    <Paper
      role="tooltip"
      data-testid="timeline-tooltip"
      shadow="md"
      withBorder
      p="xs"
      style={{ position: "absolute", left, top, width: 320, pointerEvents: "none", zIndex: 3 }}
    >
      <Stack gap={4}>
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <Text fz="sm" fw={600} ff="monospace" truncate>
            {row.name}
          </Text>
          <div style={{ flex: "none" }}>
            <StepStatusBadge status={row.status} />
          </div>
        </Group>
        {row.step.step_name !== row.name && <Line label="Step">{row.step.step_name}</Line>}
        <Line label="Started">
          {clock(row.start)} ({formatOffset(row.start - model.origin)})
        </Line>
        <Line label="Ended">{running ? (model.live ? "still running" : "—") : `${clock(row.end)} (${formatOffset(row.end - model.origin)})`}</Line>
        <Line label="Duration">{formatSpan(end - row.start)}</Line>
        {row.step.cache_miss_reason && <Line label="Cache miss">{row.step.cache_miss_reason}</Line>}
        {row.step.error_type && <Line label="Error">{row.step.error_type}</Line>}
        {critical && (
          <Text fz="xs" c="dimmed">
            On the critical path
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
