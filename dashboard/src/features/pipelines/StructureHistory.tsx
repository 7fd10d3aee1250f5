import { Alert, Anchor, Badge, Button, Center, Code, Collapse, Group, Loader, Stack, Table, Text, Timeline, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";

import { ApiError } from "../../api/client";
import { type Snapshot, pipelineQueries } from "../../api/pipelines";
import { type Run, runQueries } from "../../api/runs";
import { StatusBadge } from "../../components/StatusBadge";
import { quoteValue } from "../../lib/filter";
import { formatTime } from "../runs/format";
import { type Version, versions } from "./snapshotDiff";

/** The runs looked at to tell which snapshot each used (the newest first). */
const RUNS_SCANNED = 1000;
const RUNS_SHOWN = 5;

function Chips({ names, sign, color, what }: { names: string[]; sign: string; color: string; what: string }) {
  if (names.length === 0) return null;
  return (
    <Group gap={4} aria-label={`${what}: ${names.join(", ")}`} align="center">
      {sign && (
        <Text fz="xs" c="dimmed" w={92}>
          {what}
        </Text>
      )}
      {names.map((n) => (
        <Tooltip key={n} label={`${n}: ${what}`} openDelay={300}>
          <Badge color={color} variant="light" tt="none" ff="monospace" size="sm">
            {sign}
            {n}
          </Badge>
        </Tooltip>
      ))}
    </Group>
  );
}

/** Every step of one version: what it runs and where its inputs come from. */
function StepsTable({ version }: { version: Version<Snapshot> }) {
  const mark = (name: string) =>
    version.initial ? undefined : version.added.includes(name) ? "green" : version.changed.includes(name) ? "orange" : version.rewired.includes(name) ? "blue" : undefined;
  return (
    <Table withTableBorder fz="xs" verticalSpacing={4} maw={900}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Step</Table.Th>
          <Table.Th>Function</Table.Th>
          <Table.Th>Inputs</Table.Th>
          <Table.Th>Code</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {version.steps.map((s) => (
          <Table.Tr key={s.name}>
            <Table.Td>
              <Text fz="xs" ff="monospace" c={mark(s.name)}>
                {s.name}
              </Text>
            </Table.Td>
            <Table.Td ff="monospace">{s.stepName}</Table.Td>
            <Table.Td ff="monospace">{[...s.inputs, ...s.after.map((a) => `after ${a}`)].join(", ") || "—"}</Table.Td>
            <Table.Td>
              <Code fz="xs" title="Source hash">
                {s.sourceHash.slice(0, 10) || "—"}
              </Code>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function VersionItem({ version, runs }: { version: Version<Snapshot>; runs: Run[] }) {
  const [open, setOpen] = useState(false);
  const unchanged = !version.initial && !version.added.length && !version.removed.length && !version.changed.length && !version.rewired.length;
  return (
    <Stack gap={6} data-testid="snapshot-version">
      <Group gap="xs">
        <Title order={5}>Version {version.number}</Title>
        <Text fz="sm" c="dimmed">
          {formatTime(version.snapshot.created_at)} · {version.steps.length} step{version.steps.length === 1 ? "" : "s"} ·{" "}
          <Text span ff="monospace" fz="xs" title="Structure hash">
            {version.snapshot.structure_hash.slice(0, 10)}
          </Text>
        </Text>
      </Group>
      {version.initial ? (
        <Stack gap={4}>
          <Text fz="sm">First version, with these steps:</Text>
          <Chips names={version.added} sign="" color="gray" what="step" />
        </Stack>
      ) : unchanged ? (
        <Text fz="sm" c="dimmed">
          Same steps and wiring; something else in the pipeline's definition changed (parameters or settings).
        </Text>
      ) : (
        <Stack gap={4}>
          <Chips names={version.added} sign="+" color="green" what="added" />
          <Chips names={version.removed} sign="−" color="red" what="removed" />
          <Chips names={version.changed} sign="~" color="yellow" what="code changed" />
          <Chips names={version.rewired} sign="⇄" color="blue" what="inputs rewired" />
        </Stack>
      )}
      <Anchor component="button" fz="xs" onClick={() => setOpen((o) => !o)} aria-expanded={open} w="fit-content">
        {open ? "Hide the steps" : `Show all ${version.steps.length} steps`}
      </Anchor>
      <Collapse expanded={open}>{open && <StepsTable version={version} />}</Collapse>
      <Text fz="sm" c="dimmed" component="div">
        {runs.length === 0 ? (
          "No runs among the latest used this version."
        ) : (
          <Group gap={6}>
            <span>
              Used by {runs.length} run{runs.length === 1 ? "" : "s"}
              {runs.length > RUNS_SHOWN ? `, the latest ${RUNS_SHOWN}:` : ":"}
            </span>
            {runs.slice(0, RUNS_SHOWN).map((r) => (
              <Group key={r.id} gap={4} wrap="nowrap">
                <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: r.id }} />}>
                  {r.name}
                </Anchor>
                <StatusBadge status={r.status} />
              </Group>
            ))}
          </Group>
        )}
      </Text>
    </Stack>
  );
}

/** How a pipeline's structure changed: its snapshots in time order, each against the one before, and the runs that used it. */
export function StructureHistory({ pipeline }: { pipeline: string }) {
  const snapshots = useQuery(pipelineQueries.snapshots(pipeline));
  const runs = useQuery(runQueries.list({ q: `pipeline:${quoteValue(pipeline)}`, sort: "-created", page: 1, size: RUNS_SCANNED }));
  const list = useMemo(() => versions(snapshots.data?.items ?? []), [snapshots.data]);
  const bySnapshot = useMemo(() => {
    const out = new Map<string, Run[]>();
    for (const r of runs.data?.items ?? []) {
      if (!r.snapshot_id) continue;
      const l = out.get(r.snapshot_id) ?? [];
      l.push(r);
      out.set(r.snapshot_id, l);
    }
    return out;
  }, [runs.data]);

  if (snapshots.error) {
    return (
      <Alert color="red" title="Could not load the pipeline's history" role="alert">
        <Stack gap="xs" align="flex-start">
          <Text fz="sm">{snapshots.error instanceof ApiError ? snapshots.error.message : "The Waypost server did not answer; is `waypost up` running?"}</Text>
          <Button size="xs" variant="light" onClick={() => void snapshots.refetch()}>
            Retry
          </Button>
        </Stack>
      </Alert>
    );
  }
  if (snapshots.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the history" />
      </Center>
    );
  }
  if (list.length === 0) {
    return <Text c="dimmed">No snapshots yet: one is recorded each time the pipeline runs with a new structure.</Text>;
  }
  const newestFirst = [...list].reverse();
  return (
    <Stack gap="sm">
      <Text fz="sm" c="dimmed">
        {list.length} version{list.length === 1 ? "" : "s"} of the structure, newest first. A new version is recorded when steps, their code or their wiring change.
        {runs.data && runs.data.total > RUNS_SCANNED ? ` Runs per version are counted over the latest ${RUNS_SCANNED} runs.` : ""}
      </Text>
      <Timeline active={0} bulletSize={14} lineWidth={2}>
        {newestFirst.map((v) => (
          <Timeline.Item key={v.snapshot.id}>
            <VersionItem version={v} runs={bySnapshot.get(v.snapshot.id) ?? []} />
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}
