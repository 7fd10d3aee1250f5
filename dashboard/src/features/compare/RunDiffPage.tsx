import { Alert, Anchor, Badge, Box, Card, Code, Group, Loader, ScrollArea, Stack, Switch, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link, getRouteApi } from "@tanstack/react-router";

import { ApiError } from "../../api/client";
import { type RunDiff, type StepDiff, type ValueChange, runDiffQueries } from "../../api/runDiff";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime } from "../runs/format";
import { CHANGE_STYLE, DiffGraph } from "./DiffGraph";
import { diffLines } from "./diffGraph";
import type { RunDiffSearch } from "./diffSearch";
import { cellText } from "./runCompare";

const route = getRouteApi("/compare/diff");

const LINE_BG = { add: "var(--mantine-color-green-light)", del: "var(--mantine-color-red-light)", hunk: "var(--mantine-color-blue-light)", file: undefined, ctx: undefined } as const;

/** A unified diff, one coloured line per line. */
export function CodeDiff({ text, truncated }: { text: string; truncated: boolean }) {
  const lines = diffLines(text);
  return (
    <ScrollArea.Autosize mah={420} type="auto">
      <Box component="pre" data-testid="code-diff" m={0} fz={12} ff="monospace" style={{ border: "1px solid var(--mantine-color-default-border)", borderRadius: 4 }}>
        {lines.map((line, i) => (
          <div key={i} data-kind={line.kind} style={{ background: LINE_BG[line.kind], padding: "0 8px", color: line.kind === "file" ? "var(--mantine-color-dimmed)" : undefined, whiteSpace: "pre" }}>
            {line.text || " "}
          </div>
        ))}
        {truncated && <div style={{ padding: "2px 8px", color: "var(--mantine-color-dimmed)" }}>… cut here: the diff is longer than this page shows</div>}
      </Box>
    </ScrollArea.Autosize>
  );
}

function Changes({ title, changes, testId }: { title: string; changes: readonly ValueChange[] | undefined; testId: string }) {
  if (!changes?.length) return null;
  return (
    <Stack gap={4} data-testid={testId}>
      <Text fz="xs" fw={700} tt="uppercase" c="dimmed">
        {title}
      </Text>
      <Table fz="sm" verticalSpacing={2} withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Key</Table.Th>
            <Table.Th>Before</Table.Th>
            <Table.Th>After</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {changes.map((c) => (
            <Table.Tr key={c.key} data-key={c.key}>
              <Table.Td ff="monospace">{c.key}</Table.Td>
              <Table.Td bg="var(--mantine-color-red-light)" ff="monospace">
                {cellText(c.before)}
              </Table.Td>
              <Table.Td bg="var(--mantine-color-green-light)" ff="monospace">
                {cellText(c.after)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function inputsText(inputs: Record<string, string> | undefined): string {
  const entries = Object.entries(inputs ?? {});
  return entries.length ? entries.map(([k, v]) => `${k} ← ${v}`).join(", ") : "no inputs";
}

function StepCard({ step, picked }: { step: StepDiff; picked: boolean }) {
  const style = CHANGE_STYLE[step.change];
  return (
    <Card withBorder padding="sm" data-testid="diff-step" data-step={step.name} data-change={step.change} style={picked ? { outline: `2px solid var(--mantine-color-${style.color}-filled)` } : undefined} id={`step-${step.name}`}>
      <Group justify="space-between" mb={6}>
        <Group gap={6}>
          <Text fw={700} ff="monospace">
            {step.name}
          </Text>
          <Badge color={style.color} variant="light">
            {style.label}
          </Badge>
          {step.code_changed && step.change !== "added" && step.change !== "removed" && (
            <Badge color="orange" variant="outline">
              code changed
            </Badge>
          )}
        </Group>
        <Text fz="sm" data-testid="diff-cache">
          cache: <b>{step.cache.before.replace("_", " ")}</b> → <b>{step.cache.after.replace("_", " ")}</b>
        </Text>
      </Group>
      {step.cache.reason && (
        <Text fz="sm" c={step.cache.flipped ? undefined : "dimmed"} mb={6} data-testid="diff-cache-reason">
          {step.cache.flipped ? "Why the cache differs: " : ""}
          {step.cache.reason}
        </Text>
      )}
      {step.change === "rewired" && (
        <Text fz="sm" mb={6}>
          Inputs before: <Code>{inputsText(step.inputs_before)}</Code> · after: <Code>{inputsText(step.inputs_after)}</Code>
        </Text>
      )}
      <Stack gap="xs">
        <Changes title="Parameters" changes={step.parameters} testId="diff-step-parameters" />
        <Changes title="Configuration" changes={step.settings} testId="diff-step-settings" />
        {step.code_diff && <CodeDiff text={step.code_diff} truncated={step.code_diff_truncated} />}
      </Stack>
    </Card>
  );
}

function RunHead({ label, run }: { label: string; run: RunDiff["before"] }) {
  return (
    <Stack gap={2}>
      <Text fz="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Group gap={6}>
        <Anchor fw={700} renderRoot={(props) => <Link {...props} to="/runs/$runId" params={{ runId: run.id }} />}>
          {run.name}
        </Anchor>
        <StatusBadge status={run.status} />
      </Group>
      <Text fz="xs" c="dimmed">
        {run.pipeline_name} · {formatTime(run.created_at)}
      </Text>
    </Stack>
  );
}

function summaryText(diff: RunDiff): string {
  const s = diff.summary;
  const parts = [
    [s.added, "added"],
    [s.removed, "removed"],
    [s.rewired, "re-wired"],
    [s.changed, "changed"],
    [s.code_changed, "with code changes"],
    [s.cache_flips, "cached in one run only"],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} step${n === 1 ? "" : "s"} ${what}`);
  if (s.parameters_changed) parts.push(`${s.parameters_changed} pipeline parameter${s.parameters_changed === 1 ? "" : "s"} changed`);
  if (s.config_changed) parts.push(`${s.config_changed} configuration change${s.config_changed === 1 ? "" : "s"}`);
  if (s.stack_changed) parts.push("a different stack");
  return parts.length ? parts.join(" · ") : "No structural difference: same steps, wiring, code, parameters and stack.";
}

/** What changed between two runs: the DAG with its differences drawn, then each step's code, parameter and cache changes. */
export function RunDiffPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const diff = useQuery(runDiffQueries.diff(search.before ?? "", search.after ?? ""));
  const set = (patch: Partial<RunDiffSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });

  if (!search.before || !search.after) {
    return (
      <Stack>
        <Title order={2}>Structural diff</Title>
        <Text c="dimmed">Pick two runs to compare: from a comparison (a run&apos;s &quot;diff&quot; link), or a failed run&apos;s &quot;Compare with the last successful run&quot;.</Text>
      </Stack>
    );
  }
  if (diff.error) {
    return (
      <Stack>
        <Title order={2}>Structural diff</Title>
        <Alert color="red" title="Could not diff these runs" role="alert">
          {diff.error instanceof ApiError ? diff.error.message : "The Waypost server did not answer; is `waypost up` running?"}
        </Alert>
      </Stack>
    );
  }
  if (!diff.data) return <Loader aria-label="Loading the diff" />;
  const data = diff.data;
  const listed = data.steps.filter((s) => search.all || s.change !== "same" || s.cache.flipped || (s.parameters?.length ?? 0) > 0 || (s.settings?.length ?? 0) > 0);
  const stack = data.stack;

  return (
    <Stack data-testid="run-diff-page" gap="sm">
      <Title order={2}>Structural diff</Title>
      <Group gap="xl" align="flex-start">
        <RunHead label="Before" run={data.before} />
        <Text fz="xl" c="dimmed" mt="md">
          →
        </Text>
        <RunHead label="After" run={data.after} />
        <Anchor
          fz="sm"
          mt="md"
          renderRoot={(props) => <Link {...props} to="/compare/diff" search={{ before: data.after.id, after: data.before.id }} />}
        >
          Swap
        </Anchor>
        <Anchor fz="sm" mt="md" renderRoot={(props) => <Link {...props} to="/compare" search={{ runs: `${data.before.id},${data.after.id}` }} />}>
          Compare values side by side
        </Anchor>
      </Group>
      <Text fz="sm" data-testid="diff-summary">
        {summaryText(data)}
      </Text>
      <Group gap="md" fz="xs">
        {(["added", "removed", "rewired", "changed"] as const).map((c) => (
          <Group key={c} gap={4}>
            <Box w={14} h={10} style={{ border: `2px ${CHANGE_STYLE[c].dash ? "dashed" : "solid"} var(--mantine-color-${CHANGE_STYLE[c].color}-filled)`, borderRadius: 3 }} />
            <Text fz="xs">{CHANGE_STYLE[c].label}</Text>
          </Group>
        ))}
        <Text fz="xs" c="dimmed">
          edges: green added, red dashed removed · click a step to see its changes
        </Text>
      </Group>
      <DiffGraph
        steps={data.steps}
        picked={search.step}
        onPick={(step) => {
          set({ step, all: data.steps.find((s) => s.name === step && s.change === "same" && !s.cache.flipped) ? true : search.all });
          requestAnimationFrame(() => document.getElementById(`step-${step}`)?.scrollIntoView({ behavior: "smooth", block: "start" }));
        }}
      />
      <Changes title="Pipeline parameters" changes={data.parameters} testId="diff-parameters" />
      <Changes title="Run configuration" changes={data.config} testId="diff-config" />
      {(stack.components?.length ?? 0) > 0 || stack.name_before !== stack.name_after ? (
        <Stack gap={4} data-testid="diff-stack">
          <Text fz="xs" fw={700} tt="uppercase" c="dimmed">
            Stack: {stack.name_before ?? "—"} → {stack.name_after ?? "—"}
          </Text>
          {stack.components?.map((c) => (
            <Card key={`${c.type}-${c.change}`} withBorder padding="xs">
              <Text fz="sm">
                <b>{c.type}</b> {c.change}: {c.name_before ?? "—"} ({c.flavor_before ?? "—"}) → {c.name_after ?? "—"} ({c.flavor_after ?? "—"})
              </Text>
              <Changes title="Configuration" changes={c.config} testId="diff-component-config" />
            </Card>
          ))}
        </Stack>
      ) : null}
      <Group justify="space-between" mt="xs">
        <Title order={4}>Steps</Title>
        <Switch label="Show unchanged steps" checked={!!search.all} onChange={(e) => set({ all: e.currentTarget.checked || undefined })} />
      </Group>
      {listed.length === 0 && <Text c="dimmed">No step changed.</Text>}
      {listed.map((step) => (
        <StepCard key={step.name} step={step} picked={step.name === search.step} />
      ))}
    </Stack>
  );
}
