import { Anchor, Badge, Box, Group, Spoiler, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";

import { type Run, runQueries } from "../../api/runs";
import { formatValue } from "../runs/columns";

export interface Fact {
  key: string;
  value: string;
  /** The whole value and where it came from, for the tooltip. */
  title: string;
}

/** A run's parameters as chips, alphabetically (any case). */
export function parameterFacts(parameters: Record<string, unknown>): Fact[] {
  return Object.keys(parameters)
    .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base", numeric: true }))
    .map((key) => {
      const v = parameters[key];
      return { key, value: formatValue(v), title: `${key} = ${typeof v === "string" ? v : JSON.stringify(v)}` };
    });
}

/** The filter-language form of a value: quoted when it holds spaces, quotes or commas. */
export function filterValue(value: string): string {
  return /[\s",]/.test(value) ? `"${value.replace(/(["\\])/g, "\\$1")}"` : value;
}

function FactChip({ fact }: { fact: Fact }) {
  return (
    <Badge
      variant="light"
      color="gray"
      tt="none"
      fw={400}
      size="md"
      title={fact.title}
      h={ROW}
      styles={{ label: { maxWidth: 280, overflow: "hidden", textOverflow: "ellipsis" } }}
      data-testid="run-fact"
    >
      <Text span fz="xs" c="dimmed">
        {fact.key}
      </Text>{" "}
      <Text span fz="xs" fw={600} ff="monospace">
        {fact.value}
      </Text>
    </Badge>
  );
}

// Every line is ROW high with GAP between, wrapped or not, so the fold falls between two lines.
const ROW = 24;
const GAP = 4;
const FOLDED_LINES = 3;

function Section({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start" component="section" aria-label={label} mih={ROW}>
      <Text fz="xs" fw={700} c="dimmed" tt="uppercase" w={84} lh={`${ROW}px`} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      {/* Wrapped chips line up under the first, not under the label. */}
      <Group gap={`${GAP}px 6px`} wrap="wrap" align="center" style={{ flex: 1, minWidth: 0 }}>
        {children}
      </Group>
    </Group>
  );
}

/**
 * A run's parameters, metadata and model version under its title (its tags: RunTags): one line each,
 * all folded to two lines until asked, so a run with a hundred metrics keeps its graph in view.
 */
export function RunFacts({ run }: { run: Run }) {
  const summary = useQuery(runQueries.summary(run.id));
  const params = parameterFacts(run.parameters ?? {});
  const metadata: Fact[] = (summary.data?.metadata ?? []).map((m) => ({
    key: m.key,
    value: formatValue(m.value),
    title: `${m.key} = ${typeof m.value === "string" ? m.value : JSON.stringify(m.value)}${m.step ? ` · logged by step ${m.step}` : " · logged on the run"}${m.count > 1 ? ` · latest of ${m.count}` : ""}`,
  }));
  const model = summary.data?.model_version;
  if (!params.length && !metadata.length && !model) return null;
  return (
    <Box data-testid="run-facts">
      <Spoiler
        maxHeight={FOLDED_LINES * ROW + (FOLDED_LINES - 1) * GAP}
        showLabel="Show all"
        hideLabel="Show less"
        styles={{ control: { fontSize: "var(--mantine-font-size-xs)" } }}
      >
        <Box style={{ display: "flex", flexDirection: "column", gap: GAP }}>
          {model && (
            <Section label="Model">
              <Anchor
                fz="sm"
                title="The runs of this model"
                renderRoot={(props) => <Link {...props} to="/runs" search={{ q: `model:${filterValue(model.model_name)}` }} />}
              >
                {model.model_name} · {model.name}
                {model.name !== String(model.number) ? ` (#${model.number})` : ""}
              </Anchor>
              {model.stage !== "none" && (
                <Badge size="sm" variant="outline">
                  {model.stage}
                </Badge>
              )}
            </Section>
          )}
          {params.length > 0 && (
            <Section label="Parameters">
              {params.map((f) => (
                <FactChip key={f.key} fact={f} />
              ))}
            </Section>
          )}
          {metadata.length > 0 && (
            <Section label="Metadata">
              {metadata.map((f) => (
                <FactChip key={f.key} fact={f} />
              ))}
              {summary.data?.metadata_truncated && (
                <Text fz="xs" c="dimmed">
                  and more (the first {metadata.length} keys shown)
                </Text>
              )}
            </Section>
          )}
        </Box>
      </Spoiler>
    </Box>
  );
}
