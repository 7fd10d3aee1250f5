import { Alert, Badge, Button, Card, Group, Loader, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ApiError } from "../../../api/client";
import { type MetricDirection, type Model, type ModelMetricKey, modelKeys, setMetricDirections } from "../../../api/models";

type Directions = Record<string, MetricDirection>;
/** More keys than this and a filter shows above them. */
const FILTER_FROM = 12;
const CHOICES = [
  { value: "unset", label: "Not set" },
  { value: "higher", label: "Higher is better" },
  { value: "lower", label: "Lower is better" },
];

/** The keys a direction can be set for: the model's numeric metrics, and any key that has one already. */
export function directionKeys(metricKeys: readonly ModelMetricKey[], directions: Directions): string[] {
  const keys = new Set([...metricKeys.filter((k) => k.numeric).map((k) => k.key), ...Object.keys(directions)]);
  return [...keys].sort((a, b) => a.localeCompare(b));
}

const sentence = (words: readonly string[]) => (words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`);

/** The keys whose direction differs between `a` and `b`. */
export function changedKeys(a: Directions, b: Directions): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
}

function Direction({ direction }: { direction: MetricDirection | undefined }) {
  if (!direction) {
    return (
      <Text span fz="sm" c="dimmed">
        not set
      </Text>
    );
  }
  return (
    <Badge variant="light" color={direction === "higher" ? "teal" : "orange"} tt="none" miw="max-content">
      {direction === "higher" ? "↑ higher is better" : "↓ lower is better"}
    </Badge>
  );
}

function DirectionsEditor({ model, keys, canUpdate, onSaved }: { model: Model; keys: readonly string[]; canUpdate: boolean; onSaved: (message: string | undefined) => void }) {
  const queryClient = useQueryClient();
  const current: Directions = model.metric_directions ?? {};
  const [draft, setDraft] = useState<Directions>(current);
  const [filter, setFilter] = useState("");
  const changed = changedKeys(current, draft);
  const save = useMutation({
    mutationFn: (next: Directions) => setMetricDirections(model.id, next),
    onSuccess: async (_model, next) => {
      const done = changedKeys(current, next).sort((a, b) => a.localeCompare(b));
      onSaved(`Saved the direction of ${done.length > 3 ? `${done.length} metrics` : sentence(done)}.`);
      await queryClient.invalidateQueries({ queryKey: modelKeys.all });
    },
  });
  const set = (key: string, value: string) => {
    onSaved(undefined);
    setDraft((d) => {
      const next = { ...d };
      if (value === "higher" || value === "lower") next[key] = value;
      else delete next[key];
      return next;
    });
  };
  const needle = filter.trim().toLowerCase();
  const shown = needle ? keys.filter((k) => k.toLowerCase().includes(needle)) : keys;
  return (
    <Stack gap="sm">
      {keys.length > FILTER_FROM && <TextInput placeholder="Filter metrics" aria-label="Filter metrics" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} maw={320} />}
      <Table verticalSpacing={6} horizontalSpacing="sm" data-testid="metric-directions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Metric</Table.Th>
            <Table.Th>Better when</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((key) => (
            <Table.Tr key={key} data-testid="metric-direction-row" data-key={key} data-direction={draft[key] ?? "unset"} data-changed={changed.includes(key) || undefined}>
              <Table.Td ff="monospace" fz="sm" style={{ overflowWrap: "anywhere" }}>
                {key}
                {changed.includes(key) && (
                  <Text span fz="xs" c="blue" ml={6}>
                    (unsaved)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {canUpdate ? (
                  <SegmentedControl size="xs" aria-label={`Direction of ${key}`} value={draft[key] ?? "unset"} onChange={(v) => set(key, v)} data={CHOICES} />
                ) : (
                  <Direction direction={current[key]} />
                )}
              </Table.Td>
            </Table.Tr>
          ))}
          {shown.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={2}>
                <Text fz="sm" c="dimmed">
                  No metric matches “{filter.trim()}”.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {save.error && (
        <Text fz="sm" c="red" role="alert" data-testid="metric-directions-error">
          {save.error instanceof ApiError ? save.error.message : "The Waypost server did not answer; try again."}
        </Text>
      )}
      {canUpdate ? (
        <Group gap="sm">
          <Button loading={save.isPending} disabled={changed.length === 0} onClick={() => save.mutate(draft)}>
            {changed.length > 1 ? `Save directions (${changed.length} changes)` : "Save directions"}
          </Button>
          {changed.length > 0 && (
            <Button
              variant="subtle"
              color="gray"
              onClick={() => {
                save.reset();
                setDraft(current);
              }}
            >
              Discard changes
            </Button>
          )}
        </Group>
      ) : (
        <Text fz="sm" c="dimmed" data-testid="metric-directions-readonly">
          Only users holding model:update on this model can change its metric directions.
        </Text>
      )}
    </Stack>
  );
}

/**
 * Which way is better for each of a model's metrics (higher or lower), as the versions table, the compare page and
 * a rule's "beats" read it; holders of model:update set or clear them, saved as the whole mapping in one PATCH.
 */
export function MetricDirectionsForm({ model, metricKeys, canUpdate }: { model: Model; metricKeys: readonly ModelMetricKey[] | undefined; canUpdate: boolean }) {
  const [saved, setSaved] = useState<string | undefined>();
  const directions: Directions = model.metric_directions ?? {};
  const keys = metricKeys ? directionKeys(metricKeys, directions) : undefined;
  const textual = (metricKeys ?? []).filter((k) => !k.numeric && !(k.key in directions)).map((k) => k.key);
  return (
    <Card withBorder padding="md" data-testid="metric-directions-settings">
      <Stack gap="sm">
        <div>
          <Title order={4}>Metric directions</Title>
          <Text fz="sm" c="dimmed">
            Whether a higher or a lower value of each metric is better: the versions table and the compare page star the best value by it, and a rule's “beats”
            compares by it. A metric not set counts higher as better.
          </Text>
        </div>
        {saved && (
          <Alert variant="light" color="teal" p="xs" role="status" data-testid="metric-directions-saved" withCloseButton onClose={() => setSaved(undefined)} closeButtonLabel="Dismiss">
            <Text fz="sm">{saved}</Text>
          </Alert>
        )}
        {!keys ? (
          <Loader size="sm" aria-label="Loading the metrics" />
        ) : keys.length === 0 ? (
          <Text fz="sm" c="dimmed" data-testid="metric-directions-empty">
            No version of this model has a numeric metric yet; log one (model.log_metadata in a step) to set which way is better.
          </Text>
        ) : (
          // Remounted when the saved directions change, so the form starts from what the server holds.
          <DirectionsEditor key={JSON.stringify(Object.entries(directions).sort())} model={model} keys={keys} canUpdate={canUpdate} onSaved={setSaved} />
        )}
        {textual.length > 0 && (
          <Text fz="xs" c="dimmed">
            Not listed, having no numeric values: {textual.join(", ")}.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
