import { Anchor, Badge, Button, Code, Group, Loader, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

import { type ArtifactVersion, artifactKeys, artifactQueries } from "../../api/artifacts";
import { ApiError } from "../../api/client";
import { runQueries } from "../../api/runs";
import { stepQueries } from "../../api/steps";
import { StepStatusBadge } from "../../components/StepStatusBadge";
import { downloadCsv, toCsv } from "../../lib/csv";
import { formatTime } from "../runs/format";
import { formatBytes, formatValue } from "../step/format";
import { ResourceTags } from "../tags/ResourceTags";
import { VisualizationView } from "./viz/VisualizationView";

const mono = { fontFamily: "var(--mantine-font-family-monospace)" };

export function RunStepLink({ runId, stepRunId }: { runId: string; stepRunId: string | null | undefined }) {
  const step = useQuery({ ...stepQueries.byId(stepRunId ?? ""), enabled: !!stepRunId });
  const run = useQuery(runQueries.detail(runId));
  const runName = run.data?.name ?? runId.slice(0, 8);
  const stepName = step.data?.name;
  return (
    <Text fz="sm" span>
      {stepName ? (
        <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId }} search={{ step: stepName }} />} data-testid="producer-step">
          {stepName}
        </Anchor>
      ) : (
        <Text span fz="sm" c="dimmed">
          {stepRunId ? "a step" : "outside a step"}
        </Text>
      )}
      {" in run "}
      <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId }} />} data-testid="producer-run">
        {runName}
      </Anchor>
    </Text>
  );
}

export function Tags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return <Text fz="sm" c="dimmed">none</Text>;
  return (
    <Group gap={4}>
      {tags.map((t) => (
        <Badge key={t} size="sm" variant="light" tt="none">
          {t}
        </Badge>
      ))}
    </Group>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text fz="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <div>{children}</div>
    </Stack>
  );
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap="xs" data-testid={testId}>
      <Title order={4}>{title}</Title>
      {children}
    </Stack>
  );
}

function Details({ v }: { v: ArtifactVersion }) {
  // The artifact's project: who may change the version's tags.
  const artifact = useQuery(artifactQueries.detail(v.artifact_id));
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md" verticalSpacing="sm" data-testid="artifact-details">
      <Fact label="Produced by">{v.producer_run_id ? <RunStepLink runId={v.producer_run_id} stepRunId={v.producer_step_run_id} /> : <Text fz="sm" c="dimmed">registered outside a run</Text>}</Fact>
      <Fact label="Created">
        <Text fz="sm">{formatTime(v.created_at)}</Text>
      </Fact>
      <Fact label="Size">
        <Text fz="sm">
          {formatBytes(v.size)} <Text span fz="xs" c="dimmed">({v.size.toLocaleString()} bytes)</Text>
        </Text>
      </Fact>
      <Fact label="Data type">
        <Text fz="sm" style={{ ...mono, overflowWrap: "anywhere" }}>
          {v.data_type}
        </Text>
      </Fact>
      <Fact label="Materializer">
        <Text fz="sm" style={{ ...mono, overflowWrap: "anywhere" }}>
          {v.materializer} <Text span c="dimmed" fz="xs">v{v.materializer_version}</Text>
        </Text>
      </Fact>
      <Fact label="Content hash">
        <Code style={{ overflowWrap: "anywhere" }} data-testid="content-hash">
          {v.content_hash}
        </Code>
      </Fact>
      <Fact label="Tags">
        <ResourceTags
          resource="artifact_version"
          id={v.id}
          projectId={artifact.data?.project_id}
          tags={v.tags ?? []}
          permission="artifact:update"
          invalidate={[artifactKeys.all, ["artifact-versions"]]}
          testId="artifact-tags"
          label=""
        />
      </Fact>
      <Fact label="Stored at">
        <Text fz="xs" style={{ ...mono, overflowWrap: "anywhere" }} c="dimmed">
          {v.uri}
        </Text>
      </Fact>
    </SimpleGrid>
  );
}

function Consumers({ v }: { v: ArtifactVersion }) {
  const consumers = useQuery(artifactQueries.consumers(v.id));
  if (consumers.error) return <Text fz="sm" c="red">{consumers.error instanceof ApiError ? consumers.error.message : "Could not load the consumers."}</Text>;
  if (!consumers.data) return <Loader size="xs" aria-label="Loading consumers" />;
  const items = consumers.data.items;
  if (items.length === 0) return <Text fz="sm" c="dimmed">No step has read this version yet.</Text>;
  return (
    <Table fz="sm" verticalSpacing={4} data-testid="artifact-consumers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Step</Table.Th>
          <Table.Th>Run</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Started</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((s) => (
          <Table.Tr key={s.id} data-testid="consumer-row">
            <Table.Td>
              <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: s.run_id }} search={{ step: s.name }} />}>
                {s.name}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <RunName runId={s.run_id} />
            </Table.Td>
            <Table.Td>
              <StepStatusBadge status={s.status} />
            </Table.Td>
            <Table.Td>{formatTime(s.started_at ?? s.created_at)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
      {consumers.data.total > items.length && (
        <Table.Caption>
          Showing {items.length} of {consumers.data.total} consumers.
        </Table.Caption>
      )}
    </Table>
  );
}

function RunName({ runId }: { runId: string }) {
  const run = useQuery(runQueries.detail(runId));
  return (
    <Anchor fz="sm" ff="monospace" renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId }} />}>
      {run.data?.name ?? runId.slice(0, 8)}
    </Anchor>
  );
}

function Metadata({ v }: { v: ArtifactVersion }) {
  const found = useQuery(artifactQueries.metadata(v.id));
  if (found.error) return <Text fz="sm" c="red">{found.error instanceof ApiError ? found.error.message : "Could not load the metadata."}</Text>;
  if (!found.data) return <Loader size="xs" aria-label="Loading metadata" />;
  const items = found.data.items;
  if (items.length === 0) return <Text fz="sm" c="dimmed">Nothing logged against this version (log_metadata with an artifact).</Text>;
  return (
    <Stack gap={4}>
      <Table fz="sm" verticalSpacing={2} layout="fixed" data-testid="artifact-metadata">
        <Table.Tbody>
          {items.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td w="35%" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {m.key}
              </Table.Td>
              <Table.Td ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {formatValue(m.value)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        <Text fz="xs" c="dimmed">
          {found.data.total > items.length ? `Showing ${items.length} of ${found.data.total} entries.` : ""}
        </Text>
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => downloadCsv(`${v.name}-v${v.version}-metadata.csv`, toCsv(["key", "value", "type"], items.map((m) => [m.key, formatValue(m.value), m.type])))}
        >
          Export CSV
        </Button>
      </Group>
    </Stack>
  );
}

type Viz = ArtifactVersion["visualizations"][number];

function VizCard({ v, viz, index }: { v: ArtifactVersion; viz: Viz; index: number }) {
  return (
    <Stack gap={6} p="sm" data-testid="viz-card" style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 8, minWidth: 0 }}>
      <Group gap="xs">
        <Text fw={600} fz="sm">
          {viz.title ?? viz.type}
        </Text>
        <Badge size="xs" variant="default" tt="none">
          {viz.type}
        </Badge>
      </Group>
      <VisualizationView version={v} viz={viz} index={index} />
    </Stack>
  );
}

/**
 * A version at a glance: its first visualization on top (what the data looks like is what
 * one came for), then its facts, then its other visualizations, consumers and metadata.
 */
export function VersionOverview({ v }: { v: ArtifactVersion }) {
  const [primary, ...more] = v.visualizations;
  return (
    <Stack gap="xl" data-testid="artifact-visualizations">
      {primary && (
        <div data-testid="primary-visualization">
          <VizCard v={v} viz={primary} index={0} />
        </div>
      )}
      <Section title="Details" testId="details">
        <Details v={v} />
      </Section>
      {primary ? (
        more.length > 0 && (
          <Section title={`More visualizations (${more.length})`} testId="more-visualizations">
            {more.map((viz, i) => (
              <VizCard key={`${viz.path}:${i + 1}`} v={v} viz={viz} index={i + 1} />
            ))}
          </Section>
        )
      ) : (
        <Text fz="sm" c="dimmed" data-testid="no-visualizations">
          No visualizations were saved with this version (its materializer draws none for this type).
        </Text>
      )}
      <Section title="Consumers" testId="consumers">
        <Consumers v={v} />
      </Section>
      <Section title="Metadata">
        <Metadata v={v} />
      </Section>
    </Stack>
  );
}
