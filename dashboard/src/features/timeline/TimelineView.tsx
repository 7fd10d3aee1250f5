import { Anchor, Center, CloseButton, Group, Stack, Switch, Text, TextInput, Tooltip, UnstyledButton } from "@mantine/core";
import { useCallback, useMemo, useState } from "react";

import type { GraphViewProps } from "../run/views";
import { formatSpan } from "./axis";
import { criticalPath } from "./criticalPath";
import { type StatusChip, STATUS_CHIPS, chipCounts, criticalIn, filterTimeline, isFiltering } from "./filter";
import { Gantt } from "./Gantt";
import { useNow } from "./hooks";
import { type TimelineModel, buildTimeline, runSpan } from "./model";
import { CRITICAL_CSS } from "./RowLabel";
import { StatusDot } from "./StatusDot";

/** A chip per status the run has, with its count: click to show only those (several may be on). */
function StatusChips({ model, chips, onToggle }: { model: TimelineModel; chips: ReadonlySet<StatusChip>; onToggle: (chip: StatusChip) => void }) {
  const counts = useMemo(() => chipCounts(model), [model]);
  return (
    <Group gap={6} data-testid="timeline-counts" role="group" aria-label="Show steps by status">
      {counts.map(([chip, n]) => {
        const on = chips.has(chip);
        const status = STATUS_CHIPS.find((c) => c.key === chip)?.statuses[0] ?? "pending";
        return (
          <UnstyledButton
            key={chip}
            className="wp-timeline-chip"
            data-testid="timeline-chip"
            data-chip={chip}
            data-active={on}
            aria-pressed={on}
            title={on ? `Showing ${chip} steps: click to stop filtering on ${chip}` : `Show only ${chip} steps (click more chips to add them)`}
            onClick={() => onToggle(chip)}
          >
            <StatusDot status={status} />
            <Text span fz="xs" c={on ? undefined : "dimmed"} style={{ whiteSpace: "nowrap" }}>
              {n.toLocaleString()} {chip}
            </Text>
          </UnstyledButton>
        );
      })}
    </Group>
  );
}

/** The run's Timeline: a Gantt chart of its steps, with the critical path and live growth. */
export function TimelineView({ graph, selected, onSelect }: GraphViewProps) {
  const full = useMemo(() => buildTimeline(graph), [graph]);
  const now = useNow(full.live);
  const critical = useMemo(() => criticalPath(full, now), [full, now]);
  const [showCritical, setShowCritical] = useState(false);
  const [query, setQuery] = useState("");
  const [chips, setChips] = useState<ReadonlySet<StatusChip>>(() => new Set());
  const model = useMemo(() => filterTimeline(full, { query, chips }), [full, query, chips]);
  const shownCritical = useMemo(() => criticalIn(critical, full, model), [critical, full, model]);
  const [ready, setReady] = useState(false);
  const painted = useCallback(() => setReady(true), []);
  const toggleChip = (chip: StatusChip) =>
    setChips((prev) => {
      const next = new Set(prev);
      if (!next.delete(chip)) next.add(chip);
      return next;
    });

  if (full.rows.length === 0) {
    return (
      <Center h="100%" data-testid="timeline" data-state="ready">
        <Text c="dimmed">This run has no steps, so there is nothing to draw.</Text>
      </Center>
    );
  }

  const total = runSpan(full, now);
  const filtering = isFiltering({ query, chips });
  return (
    <Stack gap={0} data-testid="timeline" data-state={ready ? "ready" : "loading"} style={{ position: "absolute", inset: 0 }}>
      <Group justify="space-between" gap="md" pb={6} style={{ rowGap: 4 }}>
        <Group gap="sm" style={{ rowGap: 4 }}>
          <TextInput
            size="xs"
            w={180}
            placeholder="Find steps by name"
            aria-label="Find steps by name"
            data-testid="timeline-search"
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") setQuery("");
            }}
            rightSection={
              query ? (
                <CloseButton size="xs" aria-label="Clear the step search" onClick={() => setQuery("")} />
              ) : undefined
            }
          />
          <StatusChips model={full} chips={chips} onToggle={toggleChip} />
          {filtering && (
            <Text fz="xs" c="dimmed" data-testid="timeline-shown">
              {model.rows.length.toLocaleString()} of {full.rows.length.toLocaleString()} shown
            </Text>
          )}
        </Group>
        {critical.rows.length > 0 && (
          <Tooltip
            multiline
            w={320}
            label="The chain of steps that set the run's total time: each waited for the one before it, so making the run faster starts with these steps."
          >
            <Group gap={8} wrap="nowrap">
              <Switch
                size="xs"
                label={<span style={{ color: showCritical ? CRITICAL_CSS : undefined, fontWeight: 600, whiteSpace: "nowrap" }}>Critical path</span>}
                aria-label="Critical path: outline it and dim the other steps"
                data-testid="critical-switch"
                checked={showCritical}
                onChange={(e) => setShowCritical(e.currentTarget.checked)}
              />
              <Text fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }} data-testid="critical-summary">
                {critical.rows.length} steps · {formatSpan(critical.span)}
                {total > 0 && ` of ${formatSpan(total)}`} · {formatSpan(critical.busy)} busy
              </Text>
            </Group>
          </Tooltip>
        )}
      </Group>
      <Gantt model={model} now={now} critical={shownCritical} showCritical={showCritical} selected={selected} onSelect={onSelect} onPainted={painted} />
      {model.rows.length === 0 && (
        <Text c="dimmed" fz="sm" ta="center" data-testid="timeline-no-match" style={{ position: "absolute", left: 0, right: 0, top: 90 }}>
          No step matches.{" "}
          <Anchor
            component="button"
            type="button"
            fz="sm"
            onClick={() => {
              setQuery("");
              setChips(new Set());
            }}
          >
            Show all steps
          </Anchor>
        </Text>
      )}
    </Stack>
  );
}
