import { Anchor, Code, Group, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type ReactNode, useState } from "react";

import { ApiError } from "../../api/client";
import { downloadCsv, toCsv } from "../../lib/csv";
import { type ArtifactVersion, type StepRun, stepQueries } from "../../api/steps";
import { TRACE_BACK } from "../artifacts/search";
import { formatDuration, formatTime } from "../runs/format";
import { OutputVisualizations } from "./OutputVisualizations";
import { CacheLine, StepError, StepLink } from "./StepNotices";
import { flatten, formatBytes, formatValue } from "./format";
import "./logs.css";

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={4} data-testid={testId}>
      <Title order={6} c="dimmed" tt="uppercase" fz="xs">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function None({ children }: { children: ReactNode }) {
  return (
    <Text fz="sm" c="dimmed">
      {children}
    </Text>
  );
}

/** An artifact version, linked to its page, with "Trace back" to where it came from. */
function VersionLink({ v }: { v: ArtifactVersion }) {
  return (
    // Wraps: in the side panel's narrow column "Trace back" goes under the name, not beside it.
    <Group gap={0} wrap="wrap" style={{ columnGap: "var(--mantine-spacing-xs)" }}>
      <Anchor
        fz="sm"
        ff="monospace"
        style={{ overflowWrap: "anywhere" }}
        data-testid="artifact-link"
        renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: v.name }} search={{ version: v.version }} />}
      >
        {v.name} v{v.version}
      </Anchor>
      <Anchor
        fz="xs"
        c="dimmed"
        style={{ whiteSpace: "nowrap" }}
        title="Its lineage back to the raw inputs, across runs"
        data-testid="trace-back-link"
        renderRoot={(props) => <Link {...props} to="/artifacts/$artifact" params={{ artifact: v.name }} search={{ version: v.version, ...TRACE_BACK }} />}
      >
        Trace back
      </Anchor>
    </Group>
  );
}

function KeyValues({ rows, label }: { rows: [string, unknown][]; label: string }) {
  const exportCsv = () =>
    downloadCsv(`${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.csv`, toCsv(["key", "value"], rows.map(([k, v]) => [k, formatValue(v)])));
  return (
    <Stack gap={2}>
      <Table fz="sm" verticalSpacing={2} horizontalSpacing="xs" aria-label={label} layout="fixed">
        <Table.Tbody>
          {rows.map(([key, value]) => (
            <Table.Tr key={key}>
              <Table.Td w="40%" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {key}
              </Table.Td>
              <Table.Td ff="monospace" style={{ overflowWrap: "anywhere" }}>
                {formatValue(value)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Anchor component="button" type="button" fz="xs" c="dimmed" style={{ alignSelf: "flex-end" }} onClick={exportCsv} aria-label={`Export ${label} as CSV`}>
        Export CSV
      </Anchor>
    </Stack>
  );
}

function Attempts({ step }: { step: StepRun }) {
  const attempts = step.attempts ?? [];
  if (attempts.length <= 1) return <None>{attempts.length === 1 ? "One attempt" : "No retries"}</None>;
  return (
    <Table fz="sm" verticalSpacing={2} horizontalSpacing="xs" aria-label="Attempts">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>#</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Took</Table.Th>
          <Table.Th>Error</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {attempts.map((a) => (
          <Table.Tr key={a.number}>
            <Table.Td>{a.number}</Table.Td>
            <Table.Td>{a.status}</Table.Td>
            <Table.Td>{formatDuration(a.started_at, a.ended_at)}</Table.Td>
            <Table.Td style={{ overflowWrap: "anywhere" }}>{a.error ?? ""}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** An input: the version read and a link to the step (in whichever run) that produced it. */
function InputRow({ name, versionId, detailed, runId }: { name: string; versionId: string; detailed: boolean; runId: string }) {
  const version = useQuery(stepQueries.version(versionId));
  const producerId = version.data?.producer_step_run_id;
  const producer = useQuery({ ...stepQueries.byId(producerId ?? ""), enabled: !!producerId });
  const v = version.data;
  return (
    <Table.Tr>
      <Table.Td ff="monospace" style={{ overflowWrap: "anywhere" }}>
        {name}
      </Table.Td>
      <Table.Td>
        {version.error ? (
          <Text fz="xs" c="red">
            {version.error instanceof ApiError ? version.error.message : "could not load"}
          </Text>
        ) : !v ? (
          <Loader size="xs" />
        ) : (
          <Stack gap={0}>
            <VersionLink v={v} />
            {v.producer_run_id && producer.data ? (
              <Text fz="xs" c="dimmed">
                from <StepLink runId={v.producer_run_id} step={producer.data.name}>{producer.data.name}</StepLink>
                {v.producer_run_id !== runId ? " of an earlier run" : ""}
              </Text>
            ) : (
              <Text fz="xs" c="dimmed">
                {v.producer_run_id ? "from another step" : "registered outside a run"}
              </Text>
            )}
          </Stack>
        )}
      </Table.Td>
      {detailed && <VersionDetails v={v} />}
    </Table.Tr>
  );
}

function VersionDetails({ v }: { v: ArtifactVersion | undefined }) {
  return (
    <>
      <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: "anywhere" }}>
        {v?.data_type ?? ""}
      </Table.Td>
      <Table.Td fz="xs">{v ? formatBytes(v.size) : ""}</Table.Td>
    </>
  );
}

function OutputRow({ name, versionId, detailed }: { name: string; versionId: string; detailed: boolean }) {
  const version = useQuery(stepQueries.version(versionId));
  const v = version.data;
  return (
    <Table.Tr>
      <Table.Td ff="monospace" style={{ overflowWrap: "anywhere" }}>
        {name}
      </Table.Td>
      <Table.Td>
        {version.error ? (
          <Text fz="xs" c="red">
            {version.error instanceof ApiError ? version.error.message : "could not load"}
          </Text>
        ) : !v ? (
          <Loader size="xs" />
        ) : (
          <Stack gap={0}>
            <VersionLink v={v} />
            {!detailed && (
              <Text fz="xs" c="dimmed" style={{ overflowWrap: "anywhere" }}>
                {v.data_type} · {formatBytes(v.size)}
              </Text>
            )}
            {detailed && v.visualizations.length > 0 && (
              <Text fz="xs" c="dimmed">
                {v.visualizations.length} visualization{v.visualizations.length === 1 ? "" : "s"}
              </Text>
            )}
          </Stack>
        )}
      </Table.Td>
      {detailed && <VersionDetails v={v} />}
    </Table.Tr>
  );
}

/** Rows each fetch their version (and producer): a fan-in of hundreds shows the first ones until asked. */
const FIRST_ROWS = 25;

function MoreRows({ total, shown, onShowAll }: { total: number; shown: number; onShowAll: () => void }) {
  if (shown >= total) return null;
  return (
    <Anchor component="button" type="button" fz="xs" onClick={onShowAll}>
      Show all {total}
    </Anchor>
  );
}

function Artifacts({ step, detailed }: { step: StepRun; detailed: boolean }) {
  const [allInputs, setAllInputs] = useState(false);
  const [allOutputs, setAllOutputs] = useState(false);
  const inputs = Object.entries(step.inputs ?? {});
  const outputs = Object.entries(step.outputs ?? {});
  const shownInputs = allInputs ? inputs : inputs.slice(0, FIRST_ROWS);
  const shownOutputs = allOutputs ? outputs : outputs.slice(0, FIRST_ROWS);
  const head = (
    <Table.Thead>
      <Table.Tr>
        <Table.Th w="28%">Name</Table.Th>
        <Table.Th>Version</Table.Th>
        {detailed && <Table.Th>Type</Table.Th>}
        {detailed && <Table.Th w={70}>Size</Table.Th>}
      </Table.Tr>
    </Table.Thead>
  );
  return (
    <>
      <Section title={`Inputs (${inputs.length})`} testId="step-inputs">
        {inputs.length === 0 ? (
          <None>No artifact inputs</None>
        ) : (
          <Table fz="sm" verticalSpacing={2} horizontalSpacing="xs" layout="fixed">
            {head}
            <Table.Tbody>
              {shownInputs.map(([name, id]) => (
                <InputRow key={name} name={name} versionId={id} detailed={detailed} runId={step.run_id} />
              ))}
            </Table.Tbody>
          </Table>
        )}
        <MoreRows total={inputs.length} shown={shownInputs.length} onShowAll={() => setAllInputs(true)} />
      </Section>
      <Section title={`Outputs (${outputs.length})`} testId="step-outputs">
        {outputs.length === 0 ? (
          <None>{step.status === "running" ? "Outputs are saved when the step finishes" : "No outputs saved"}</None>
        ) : (
          <Table fz="sm" verticalSpacing={2} horizontalSpacing="xs" layout="fixed">
            {head}
            <Table.Tbody>
              {shownOutputs.map(([name, id]) => (
                <OutputRow key={name} name={name} versionId={id} detailed={detailed} />
              ))}
            </Table.Tbody>
          </Table>
        )}
        <MoreRows total={outputs.length} shown={shownOutputs.length} onShowAll={() => setAllOutputs(true)} />
      </Section>
    </>
  );
}

function Metadata({ runId, step }: { runId: string; step: StepRun }) {
  const found = useQuery(stepQueries.metadata(runId, step.id));
  if (found.error) return <Text fz="sm" c="red">{found.error instanceof ApiError ? found.error.message : "Could not load the metadata."}</Text>;
  if (!found.data) return <Loader size="xs" />;
  const items = found.data.items;
  if (items.length === 0) return <None>Nothing logged with log_metadata</None>;
  return (
    <>
      <KeyValues rows={items.map((m) => [m.key, m.value])} label="Metadata" />
      {found.data.total > items.length && (
        <Text fz="xs" c="dimmed">
          Showing {items.length} of {found.data.total} entries.
        </Text>
      )}
    </>
  );
}

/** Everything about one step run at a glance; a failed step shows its error first. */
export function Overview({ runId, step }: { runId: string; step: StepRun }) {
  const params = Object.entries(step.parameters ?? {});
  // Unset settings (null, {}) mean "the default": only what was set is worth a row.
  const settings = flatten(step.config ?? {}).filter(
    ([, v]) => v !== null && !(typeof v === "object" && Object.keys(v as object).length === 0),
  );
  return (
    <Stack gap="md" data-testid="step-overview">
      <StepError step={step} />
      <Table fz="sm" verticalSpacing={2} horizontalSpacing="xs" aria-label="Timing">
        <Table.Tbody>
          <Table.Tr>
            <Table.Td c="dimmed" w={90}>
              Created
            </Table.Td>
            <Table.Td>{formatTime(step.created_at)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td c="dimmed">Started</Table.Td>
            <Table.Td>{formatTime(step.started_at)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td c="dimmed">Ended</Table.Td>
            <Table.Td>{formatTime(step.ended_at)}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Td c="dimmed">Duration</Table.Td>
            <Table.Td>
              {formatDuration(step.started_at, step.ended_at)}
              {!step.ended_at && step.started_at ? " (still running)" : ""}
            </Table.Td>
          </Table.Tr>
          {step.name !== step.step_name && (
            <Table.Tr>
              <Table.Td c="dimmed">Step</Table.Td>
              <Table.Td ff="monospace">{step.step_name}</Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      <Section title="Cache">
        <CacheLine step={step} />
        {step.cache_key && (
          <Group gap={4}>
            <Text fz="xs" c="dimmed">
              key
            </Text>
            <Code fz="xs" title={step.cache_key}>
              {step.cache_key.slice(0, 16)}
            </Code>
          </Group>
        )}
      </Section>
      {step.status === "skipped" ? (
        // Nothing of the call was recorded: "Parameters (0)" would say it had none.
        <None>
          <span data-testid="step-not-recorded">Parameters, inputs, outputs and metadata are recorded when a step runs; this one never did.</span>
        </None>
      ) : (
        <>
          <Section title="Attempts">
            <Attempts step={step} />
          </Section>
          <Section title={`Parameters (${params.length})`}>
            {params.length === 0 ? <None>No parameters</None> : <KeyValues rows={params} label="Parameters" />}
          </Section>
          <Section title="Settings">
            {settings.length === 0 ? <None>All defaults</None> : <KeyValues rows={settings} label="Settings" />}
          </Section>
          <Artifacts step={step} detailed={false} />
          <Section title="Metadata">
            <Metadata runId={runId} step={step} />
          </Section>
        </>
      )}
      {step.upstream.length > 0 && (
        <Section title="Runs after">
          <Group gap="xs">
            {step.upstream.map((name) => (
              <StepLink key={name} runId={step.run_id} step={name}>
                {name}
              </StepLink>
            ))}
          </Group>
        </Section>
      )}
    </Stack>
  );
}

/** Inputs and outputs with their types and sizes, and what the outputs look like. */
export function ArtifactsTab({ step }: { step: StepRun }) {
  return (
    <Stack gap="md" data-testid="step-artifacts">
      <Artifacts step={step} detailed />
      <OutputVisualizations step={step} />
    </Stack>
  );
}
