import { Button, Checkbox, Group, Select, Stack, Switch, Text, TextInput, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { type PromotionRule, type RuleStage, approvalKeys, createRule, updateRule } from "../../../api/modelApprovals";

const TO_STAGES: RuleStage[] = ["staging", "production", "archived"];
const BEAT_STAGES = ["production", "staging"] as const;
type BeatStage = (typeof BEAT_STAGES)[number];

interface Props {
  /** The model's id or name. */
  model: string;
  /** The rule edited; undefined: a new one. */
  rule?: PromotionRule | undefined;
  /** The model's metric keys, suggested for the comparison. */
  metrics: readonly string[];
  onDone: () => void;
}

/** Add or edit a promotion rule; what the server refuses (a filter that does not parse: a 422) shows in one line. */
export function RuleForm({ model, rule, metrics, onDone }: Props) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(rule?.name ?? "");
  const [filter, setFilter] = useState(rule?.filter ?? "");
  const [toStage, setToStage] = useState<RuleStage>(rule?.to_stage ?? "staging");
  const [beats, setBeats] = useState(!!rule?.beats);
  const [beatStage, setBeatStage] = useState<BeatStage>(rule?.beats?.stage ?? "production");
  const [metric, setMetric] = useState(rule?.beats?.metric ?? metrics[0] ?? "");
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const save = useMutation({
    mutationFn: () => {
      const comparison = beats ? { stage: beatStage, metric: metric.trim() } : null;
      return rule
        ? updateRule(model, rule.name, { filter: filter.trim(), to_stage: toStage, beats: comparison, enabled })
        : createRule(model, { name: name.trim(), filter: filter.trim(), to_stage: toStage, enabled, ...(comparison ? { beats: comparison } : {}) });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: approvalKeys.rules(model) });
      onDone();
    },
  });
  const error = save.error ? (save.error instanceof ApiError ? save.error.message : "The Waypost server did not answer; try again.") : undefined;
  return (
    <Stack component="form" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
      {!rule && (
        <TextInput label="Name" required placeholder="accurate-to-staging" description="Letters, digits, dots, dashes and underscores." value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={255} data-autofocus />
      )}
      <Textarea
        label="Filter"
        description="The filter language over a version, e.g. metadata.accuracy>=0.9 metadata.data_validation:pass; empty matches every version."
        placeholder="metadata.accuracy>=0.9"
        value={filter}
        onChange={(e) => setFilter(e.currentTarget.value)}
        maxLength={1000}
        rows={2}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
      />
      <Select label="Puts the version in" data={TO_STAGES} value={toStage} onChange={(v) => v && setToStage(v as RuleStage)} allowDeselect={false} />
      <Checkbox label="Only when it beats a stage's holder on a metric" checked={beats} onChange={(e) => setBeats(e.currentTarget.checked)} />
      {beats && (
        <Group grow>
          <Select label="Holder of" data={[...BEAT_STAGES]} value={beatStage} onChange={(v) => v && setBeatStage(v as BeatStage)} allowDeselect={false} />
          <TextInput label="Metric" required list="rule-metrics" value={metric} onChange={(e) => setMetric(e.currentTarget.value)} maxLength={255} />
          <datalist id="rule-metrics">
            {metrics.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </Group>
      )}
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
      <Text fz="xs" c="dimmed">
        A rule is tried when a run that made a version ends and when a version&apos;s metadata changes. A stage that needs approval gets a pending request naming the rule.
      </Text>
      {error && (
        <Text fz="sm" c="red" role="alert" data-testid="rule-error">
          {error}
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending}>
          {rule ? "Save rule" : "Add rule"}
        </Button>
      </Group>
    </Stack>
  );
}
