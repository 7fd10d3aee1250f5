import { Anchor, Badge, Code, Group, Loader, Pagination, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ReactNode, useEffect, useRef, useState } from "react";

import { ApiError } from "../../../api/client";
import { RUN_ROLES, type RunRole, VERSION_RUNS_PAGE, type VersionRunLink, modelVersionQueries } from "../../../api/modelVersions";
import { StatusBadge } from "../../../components/StatusBadge";
import { formatDuration, formatTime } from "../../runs/format";
import { StageBadge } from "../StageBadge";

/** What each group of runs is called on the page, and what it holds. */
export const RUN_GROUPS: Record<RunRole, { title: string; help: string }> = {
  producer: { title: "Training", help: "The run that made this version." },
  attached: { title: "Later runs", help: "Runs that named this version afterwards: evaluations, retraining checks." },
  consumer: { title: "Consumed by", help: "Runs that asked for a stage and ran on this version." },
};

interface Target {
  /** The model's name, for links and hints. */
  model: string;
  /** The version's name, for hints. */
  versionName: string;
  /** The version's id: every list asks by it, so a stage changing hands meanwhile changes nothing here. */
  versionId: string;
  /** The stage the version is in now. */
  stage: string;
}

function Empty({ role, target }: { role: RunRole; target: Target }) {
  const stage = target.stage === "production" || target.stage === "staging" ? target.stage : "production";
  const text: Record<RunRole, ReactNode> = {
    producer: <>No run made this version: it was registered outside a pipeline (e.g. from the client).</>,
    attached: (
      <>
        No later run named this version; a pipeline with <Code>{`Model(name="${target.model}", version="${target.versionName}")`}</Code> attaches itself here when it runs.
      </>
    ),
    consumer: (
      <>
        No run consumed this version yet; a pipeline with <Code>{`Model(name="${target.model}", version=ModelStages.${stage.toUpperCase()})`}</Code> does once it holds {stage}
        {target.stage === stage ? " (it does now)" : ""}.
      </>
    ),
  };
  return (
    <Text fz="sm" c="dimmed" data-testid="runs-empty">
      {text[role]}
    </Text>
  );
}

/** The same columns at the same widths in every group, so the three tables line up. */
const COLUMNS = { pipeline: 180, status: 130, user: 120, created: 200, duration: 100 } as const;

function RunsTable({ items }: { items: readonly VersionRunLink[] }) {
  return (
    <Table.ScrollContainer minWidth={860} type="native">
      <Table fz="sm" verticalSpacing={6} striped highlightOnHover layout="fixed">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Run</Table.Th>
            <Table.Th w={COLUMNS.pipeline}>Pipeline</Table.Th>
            <Table.Th w={COLUMNS.status}>Status</Table.Th>
            <Table.Th w={COLUMNS.user}>User</Table.Th>
            <Table.Th w={COLUMNS.created}>Created</Table.Th>
            <Table.Th w={COLUMNS.duration} style={{ textAlign: "right" }}>
              Duration
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((r) => (
            <Table.Tr key={r.id} data-testid="version-run" data-run={r.name} data-role={r.role} data-status={r.status}>
              <Table.Td>
                <Group gap={8} wrap="nowrap">
                  <Anchor fz="sm" ff="monospace" truncate="end" title={r.name} renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: r.id }} />}>
                    {r.name}
                  </Anchor>
                  {r.role === "consumer" && r.via_stage && (
                    <Tooltip label={`It asked for the ${r.via_stage} version and got this one`}>
                      <Group gap={4} wrap="nowrap" style={{ flexShrink: 0 }} data-testid="via-stage" data-stage={r.via_stage}>
                        <Text fz="xs" c="dimmed">
                          via
                        </Text>
                        <StageBadge stage={r.via_stage} />
                      </Group>
                    </Tooltip>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                {r.pipeline_name ? (
                  <Anchor fz="sm" ff="monospace" truncate="end" display="block" renderRoot={(props) => <Link {...props} to="/pipelines/$pipeline" params={{ pipeline: r.pipeline_name ?? "" }} />}>
                    {r.pipeline_name}
                  </Anchor>
                ) : (
                  <Text fz="sm" c="dimmed">
                    —
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <StatusBadge status={r.status} />
              </Table.Td>
              <Table.Td style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{r.user_name ?? <Text span c="dimmed">—</Text>}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{formatTime(r.created_at)}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap", textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
                {r.ended_at || r.status === "running" || r.status === "initializing" ? formatDuration(r.created_at, r.ended_at) : "—"}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function RunGroup({ role, count, target, focused }: { role: RunRole; count: number | undefined; target: Target; focused: boolean }) {
  const [page, setPage] = useState(1);
  const runs = useQuery(modelVersionQueries.runs(target.model, target.versionId, role, page));
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView?.({ block: "start", behavior: "smooth" });
  }, [focused]);
  const total = runs.data?.total ?? count;
  const pages = runs.data ? Math.max(1, Math.ceil(runs.data.total / runs.data.size)) : 1;
  return (
    <Stack gap={6} ref={ref} data-testid="run-group" data-role={role} data-count={total} data-focused={focused || undefined} style={{ position: "relative", scrollMarginTop: 64 }}>
      {/* The group a link pointed at (the model page's consumers): a bar in the margin, the table not moved. */}
      {focused && <div aria-hidden style={{ position: "absolute", left: -10, top: 0, bottom: 0, width: 3, borderRadius: 2, background: "var(--mantine-primary-color-filled)" }} />}
      <Group gap="xs" align="baseline">
        <Title order={4}>{RUN_GROUPS[role].title}</Title>
        <Badge size="sm" variant="default" data-testid="run-group-count">
          {total ?? "…"}
        </Badge>
        <Text fz="xs" c="dimmed">
          {RUN_GROUPS[role].help}
        </Text>
      </Group>
      {runs.error ? (
        <Text fz="sm" c="red" role="alert">
          {runs.error instanceof ApiError ? runs.error.message : "Could not load the runs; is `waypost up` running?"}
        </Text>
      ) : !runs.data ? (
        <Loader size="sm" aria-label={`Loading ${RUN_GROUPS[role].title}`} />
      ) : runs.data.items.length === 0 ? (
        <Empty role={role} target={target} />
      ) : (
        <div style={{ opacity: runs.isPlaceholderData ? 0.6 : 1 }}>
          <RunsTable items={runs.data.items} />
          {pages > 1 && (
            <Group justify="space-between" mt={4}>
              <Text fz="xs" c="dimmed">
                {(page - 1) * VERSION_RUNS_PAGE + 1}–{Math.min(page * VERSION_RUNS_PAGE, runs.data.total)} of {runs.data.total}, newest first
              </Text>
              <Pagination size="sm" total={pages} value={page} onChange={setPage} aria-label={`Pages of ${RUN_GROUPS[role].title}`} />
            </Group>
          )}
        </div>
      )}
    </Stack>
  );
}

/** The version's runs in three groups: the one that made it, later ones naming it, and those that consumed it through a stage. */
export function VersionRuns({ target, counts, focus }: { target: Target; counts: Record<string, number> | undefined; focus: string | undefined }) {
  return (
    <Stack gap="xl" data-testid="version-runs">
      {RUN_ROLES.map((role) => (
        <RunGroup key={role} role={role} count={counts?.[role]} target={target} focused={focus === role} />
      ))}
    </Stack>
  );
}
